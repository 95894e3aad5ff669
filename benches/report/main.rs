//! Writes poolrt's benchmark report from one run of every bench: the table
//! of DESIGN.md's workloads with each peer measured in the same run, the
//! growth curves as SVG plots, and the machine's load before and after.
//! `benches/report.sh` runs the benches, then this program; it is not meant
//! to be run alone.
//!
//! ```text
//! report --since UNIX_SECONDS --cpython FILE.json --out DIR \
//!        --load-before "0.10 0.20 0.30" --load-after "…" \
//!        [--log RUN.log] [--readme README.md]
//! ```

mod figures;
mod mpi;
mod plots;
mod table;

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use figures::{CPython, Criterion};
use plots::Series;

const README_BEGIN: &str = "<!-- report:begin -->";
const README_END: &str = "<!-- report:end -->";

fn main() {
    if let Err(e) = run() {
        eprintln!("report: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args()?;
    let need = |k: &str| args.get(k).cloned().ok_or(format!("missing --{k}"));
    let since: u64 = need("since")?
        .parse()
        .map_err(|e| format!("--since: {e}"))?;
    let since = SystemTime::UNIX_EPOCH + Duration::from_secs(since);
    let out = PathBuf::from(need("out")?);
    fs::create_dir_all(&out)?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let c = Criterion::new(target.join("criterion"), since);
    let py = CPython::read(Path::new(&need("cpython")?));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;

    let mut md = header(&args, cores, &py)?;
    md += &machine_state(&c);
    md += "\n";
    let mut rows = table::rows(&c, &py, cores);
    if let Some(log) = args.get("log") {
        rows.extend(mpi::rows(&fs::read_to_string(log).unwrap_or_default()));
    }
    md += &table::Row::markdown(&rows);
    md += "\n";
    md += &growth(&c, &out)?;
    if let Some(log) = args.get("log") {
        md += &summaries(Path::new(log));
    }
    fs::write(out.join("REPORT.md"), &md)?;
    println!("{md}");
    println!("report: wrote {}", out.join("REPORT.md").display());
    if let Some(readme) = args.get("readme") {
        splice_readme(Path::new(readme), &md)?;
        println!("report: updated {readme}");
    }
    Ok(())
}

fn parse_args() -> Result<HashMap<String, String>, String> {
    let mut args = HashMap::new();
    let mut it = std::env::args().skip(1);
    while let Some(key) = it.next() {
        let key = key
            .strip_prefix("--")
            .ok_or(format!("unexpected argument {key:?}"))?;
        let value = it.next().ok_or(format!("--{key} needs a value"))?;
        args.insert(key.to_string(), value);
    }
    Ok(args)
}

/// The first 1-minute load average in a `/proc/loadavg`-style string.
fn one_minute(load: &str) -> Option<f64> {
    load.split_whitespace().next()?.parse().ok()
}

fn header(args: &HashMap<String, String>, cores: f64, py: &CPython) -> Result<String, String> {
    let before = args.get("load-before").cloned().unwrap_or_default();
    let after = args.get("load-after").cloned().unwrap_or_default();
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let date = std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let mut md = format!(
        "Written {date} by `benches/report.sh` on {cpu}, {cores} cores, CPython {}; load average (1, 5, 15 min) before the run {before}, after it {after}. \
         Every figure is a median from this one run, and each peer ran in the same run. Absolute figures vary from machine to machine; the ratios hold.\n",
        py.version
    );
    if one_minute(&before).is_some_and(|l| l > 0.5 * cores) {
        md += &format!(
            "\n**Warning: the machine was busy when the run started (1-minute load {before}, for {cores} cores); the figures understate poolrt and its peers alike, and ratios against the parallel peers are the least reliable.**\n"
        );
    }
    Ok(md)
}

/// The two figures of the run that measure the machine rather than any
/// pool: a bare pipe round trip (every wake-up costs) and a memcpy. A busy
/// host slows a virtual machine without raising its load average, so the
/// report gives them, and says so when the wake-ups were slow.
fn machine_state(c: &Criterion) -> String {
    let pipe = c.median("pipe/round_trip_8_bytes");
    let memcpy = c.median("P6/memcpy_16MiB");
    let mut md = String::new();
    if let (Some(pipe), Some(memcpy)) = (pipe, memcpy) {
        md += &format!(
            "\nThe machine itself in this run: a bare 8-byte pipe round trip to a child took {:.1} µs, a 16 MiB memcpy ran at {:.0} MiB/s.\n",
            pipe * 1e6,
            16.0 / memcpy
        );
    }
    if pipe.is_some_and(|p| p > 20e-6) {
        md += "\n**Warning: wake-ups were slow in this run (over 20 µs a pipe round trip, where a quiet run of a current machine takes under 10); everything that waits for another thread or process (P1, P5, S3, S6, M1) is slower for poolrt and its peers alike.**\n";
    }
    md
}

/// The growth curves: a plot and a small table each.
fn growth(c: &Criterion, out: &Path) -> Result<String, Box<dyn std::error::Error>> {
    let mut md = String::from("### How cost grows\n");
    let curve = |id: &str, xs: &[f64], y: &dyn Fn(f64, f64) -> f64| -> Vec<(f64, f64)> {
        xs.iter()
            .filter_map(|&x| Some((x, y(x, c.median(&format!("{id}/{x}"))?))))
            .collect()
    };
    type Chart<'a> = (
        &'a str,
        &'a str,
        &'a str,
        &'a str,
        fn(f64) -> String,
        Vec<Series>,
    );
    let charts: [Chart<'_>; 4] = [
        (
            "t1_workers.svg",
            "T1: no-op tasks per second by worker count (futures dropped)",
            "workers",
            "M tasks/s",
            human,
            ["poolrt", "rayon_core", "threadpool"]
                .iter()
                .map(|id| Series {
                    name: id.replace('_', "-"),
                    points: curve(
                        &format!("T1_workers/{id}"),
                        &[1.0, 2.0, 4.0, 8.0],
                        &|_, s| 200_000.0 / s / 1e6,
                    ),
                })
                .collect(),
        ),
        (
            "p2_items.svg",
            "P2: map(square) throughput by input size",
            "items",
            "M items/s",
            human,
            vec![Series {
                name: "poolrt Pool::map".into(),
                points: curve("P2_items", &[1e4, 1e5, 1e6, 1e7], &|n, s| n / s / 1e6),
            }],
        ),
        (
            "p6_bytes.svg",
            "P6: transfer rate by payload size",
            "bytes",
            "MiB/s",
            human,
            ["argument", "result"]
                .iter()
                .map(|kind| Series {
                    name: format!("poolrt {kind}"),
                    points: curve(
                        &format!("P6_bytes/{kind}"),
                        &[
                            1024.0,
                            16384.0,
                            262144.0,
                            4194304.0,
                            67108864.0,
                            268435456.0,
                        ],
                        &|n, s| n / 1048576.0 / s,
                    ),
                })
                .collect(),
        ),
        (
            "start.svg",
            "Start n workers, each ready, and shut down",
            "workers",
            "ms",
            human,
            vec![Series {
                name: "poolrt Pool".into(),
                points: curve("start", &[1.0, 2.0, 8.0, 32.0], &|_, s| s * 1e3),
            }],
        ),
    ];
    for (file, title, x_label, y_label, x_format, series) in charts {
        if series.iter().all(|s| s.points.is_empty()) {
            md += &format!("\n{title}: not measured in this run.\n");
            continue;
        }
        plots::line_chart(&out.join(file), title, x_label, y_label, x_format, &series)?;
        md += &format!("\n**{title}** ([plot](benches/report/{file}))\n\n| {x_label} |");
        let xs: Vec<f64> = series[0].points.iter().map(|p| p.0).collect();
        for x in &xs {
            md += &format!(" {} |", human(*x));
        }
        md += &format!("\n|---|{}\n", "---|".repeat(xs.len()));
        for s in &series {
            md += &format!("| {} ({y_label}) |", s.name);
            for x in &xs {
                match s.points.iter().find(|p| p.0 == *x) {
                    Some(p) => md += &format!(" {} |", round(p.1)),
                    None => md += " – |",
                }
            }
            md += "\n";
        }
        md += &format!("\n![{title}](benches/report/{file})\n");
    }
    Ok(md)
}

/// The summary each bench printed in this run's log (the shared objects'
/// S benches among them), and CPython's lines, verbatim.
fn summaries(log: &Path) -> String {
    let Ok(text) = fs::read_to_string(log) else {
        return format!("\n(no run log at {})\n", log.display());
    };
    let mut blocks = String::new();
    let mut inside = false;
    for line in text.lines() {
        let starts_block =
            (line.starts_with("== ") && line.contains("summary")) || line.starts_with("CPython ");
        if starts_block {
            inside = true;
            blocks += "\n";
        } else if inside
            && (line.trim().is_empty()
                || line.starts_with("== ")
                || line.starts_with(' ')
                || line.starts_with("Benchmarking"))
        {
            inside = false;
        }
        if inside {
            blocks += line;
            blocks += "\n";
        }
    }
    format!(
        "\n### Every bench's own summary, and CPython's, from the same run\n\n```text{blocks}```\n"
    )
}

/// 1 KiB, 16 MiB, 10⁶: the x values as a reader says them.
fn human(x: f64) -> String {
    let n = x.round() as u64;
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MiB", n >> 20)
    } else if n >= 1 << 10 && n.is_multiple_of(1 << 10) {
        format!("{} KiB", n >> 10)
    } else if n >= 10_000 && (x.log10() - x.log10().round()).abs() < 1e-9 {
        format!("10^{}", x.log10().round())
    } else if n >= 10_000 {
        format!("{:.0}k", x / 1e3)
    } else {
        n.to_string()
    }
}

fn round(y: f64) -> String {
    if y >= 100.0 {
        format!("{y:.0}")
    } else if y >= 10.0 {
        format!("{y:.1}")
    } else {
        format!("{y:.2}")
    }
}

/// Replaces the README's text between the report markers with `report`.
fn splice_readme(readme: &Path, report: &str) -> Result<(), Box<dyn std::error::Error>> {
    let text = fs::read_to_string(readme)?;
    let (Some(begin), Some(end)) = (text.find(README_BEGIN), text.find(README_END)) else {
        return Err(format!(
            "{} has no {README_BEGIN} … {README_END} markers",
            readme.display()
        )
        .into());
    };
    let spliced = format!(
        "{}{README_BEGIN}\n{report}\n{}",
        &text[..begin],
        &text[end..]
    );
    fs::write(readme, spliced)?;
    Ok(())
}
