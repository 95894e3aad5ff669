//! The report's main table: every DESIGN.md workload with poolrt's figure,
//! its peers' figures from the same run, the ratio and the target.

use crate::figures::{CPython, Criterion};

/// One line of the table.
pub(crate) struct Row {
    pub(crate) workload: &'static str,
    pub(crate) poolrt: String,
    pub(crate) peers: Vec<String>,
    pub(crate) ratio: String,
    pub(crate) target: &'static str,
    pub(crate) met: Option<bool>,
}

impl Row {
    pub(crate) fn markdown(rows: &[Row]) -> String {
        let mut out = String::from(
            "| workload | poolrt | peers, same run | ratio | target | met |\n|---|---|---|---|---|---|\n",
        );
        for row in rows {
            let met = match row.met {
                Some(true) => "✓",
                Some(false) => "✗",
                None => "–",
            };
            let peers = if row.peers.is_empty() {
                "–".to_string()
            } else {
                row.peers.join("; ")
            };
            out += &format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                row.workload, row.poolrt, peers, row.ratio, row.target, met
            );
        }
        out
    }
}

fn us(s: f64) -> String {
    format!("{:.1} µs", s * 1e6)
}

fn ms(s: f64) -> String {
    format!("{:.2} ms", s * 1e3)
}

fn per_s(unit: &str, items: f64, s: f64) -> String {
    let rate = items / s;
    if rate >= 1e6 {
        format!("{:.1} M {unit}/s", rate / 1e6)
    } else {
        format!("{:.0} k {unit}/s", rate / 1e3)
    }
}

fn peer(name: &str, figure: Option<String>) -> Option<String> {
    figure.map(|f| format!("{name} {f}"))
}

/// How many times faster poolrt is than `peer` (both in seconds).
fn times(poolrt: f64, peer: Option<f64>, name: &str) -> Option<String> {
    peer.map(|p| format!("{:.1}× {name}", p / poolrt))
}

/// Builds every row for which poolrt's figure was measured in this run.
pub(crate) fn rows(c: &Criterion, py: &CPython, w: f64) -> Vec<Row> {
    let mut rows = Vec::new();
    const T1: f64 = 1e6;
    const ITEMS: f64 = 1e6;
    const MIB: f64 = 16.0;
    let mib_s = |s: f64| format!("{:.0} MiB/s", MIB / s);

    for (workload, mode, poolrt_id) in [
        ("T1, results kept", "results", "poolrt_futures"),
        ("T1, futures dropped", "latch", "poolrt_latch"),
    ] {
        let Some(poolrt) = c.median(&format!("T1/{poolrt_id}")) else {
            continue;
        };
        let rayon = c.median(&format!("T1/rayon_core_{mode}"));
        let threadpool = c.median(&format!("T1/threadpool_{mode}"));
        let mut peers: Vec<String> = [
            peer("rayon-core", rayon.map(|s| per_s("tasks", T1, s))),
            peer("threadpool", threadpool.map(|s| per_s("tasks", T1, s))),
        ]
        .into_iter()
        .flatten()
        .collect();
        if mode == "results" {
            peers.extend(peer(
                "CPython ThreadPoolExecutor",
                py.get("T1_seconds_per_task")
                    .map(|s| per_s("tasks", 1.0, s)),
            ));
        }
        let best = [rayon, threadpool].into_iter().flatten().reduce(f64::min);
        rows.push(Row {
            workload,
            poolrt: per_s("tasks", T1, poolrt),
            peers,
            ratio: best.map_or("–".into(), |b| {
                format!("{:.2}× the faster peer", b / poolrt)
            }),
            target: "≥ 1.2× the faster peer",
            met: best.map(|b| b / poolrt >= 1.2),
        });
    }
    if let Some(t2) = c.median("T2/poolrt_sleep_10ms") {
        rows.push(Row {
            workload: "T2, 1,000 × 10 ms sleeps on 100 threads",
            poolrt: ms(t2),
            peers: peer("CPython", py.get("T2_seconds").map(ms))
                .into_iter()
                .collect(),
            ratio: format!("{:.3}× the 100 ms limit", t2 / 0.1),
            target: "≤ 101 ms",
            met: Some(t2 <= 0.101),
        });
    }
    if let (Some(serial), Some(wall)) = (c.median("T3/serial"), c.median("T3/poolrt")) {
        let eff = serial / w / wall;
        let rayon = c
            .median("T3/rayon_core_spawn")
            .map(|r| format!("{:.3}", serial / w / r));
        rows.push(Row {
            workload: "T3 efficiency, CPU tasks on threads",
            poolrt: format!("{eff:.3}"),
            peers: [
                peer("rayon-core", rayon),
                peer(
                    "CPython (GIL)",
                    py.get("T3_efficiency").map(|e| format!("{e:.3}")),
                ),
            ]
            .into_iter()
            .flatten()
            .collect(),
            ratio: "–".into(),
            target: "≥ 0.98",
            met: Some(eff >= 0.98),
        });
    }
    if let Some(p1) = c.median("P1/apply_identity") {
        let pipe = c.median("pipe/round_trip_8_bytes");
        let procspawn = c.median("P1/procspawn_identity");
        let cpython = py.get("P1_seconds");
        rows.push(Row {
            workload: "P1, `Pool::apply` round trip",
            poolrt: us(p1),
            peers: [
                peer("bare pipe", pipe.map(us)),
                peer("procspawn", procspawn.map(us)),
                peer("CPython", cpython.map(us)),
            ]
            .into_iter()
            .flatten()
            .collect(),
            ratio: [
                pipe.map(|p| format!("{:.2}× the pipe's time", p1 / p)),
                times(p1, procspawn, "procspawn"),
                times(p1, cpython, "CPython"),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", "),
            target: "≤ 3 µs",
            met: Some(p1 <= 3e-6),
        });
    }
    if let Some(ex) = c.median("P1/executor_submit_result") {
        let cpython = py.get("executor_seconds");
        rows.push(Row {
            workload: "P1, executor `submit().result()`",
            poolrt: us(ex),
            peers: peer("CPython", cpython.map(us)).into_iter().collect(),
            ratio: times(ex, cpython, "CPython").unwrap_or_else(|| "–".into()),
            target: "≤ 3 µs",
            met: Some(ex <= 3e-6),
        });
    }
    for (workload, id, key, floor) in [
        (
            "P2, `map(square, 0..10⁶)`",
            "P2/map_square",
            "P2_seconds",
            200e6,
        ),
        (
            "P3, `imap_unordered`, chunks of 1,000",
            "P3/imap_unordered_square",
            "P3_seconds",
            120e6,
        ),
    ] {
        let Some(poolrt) = c.median(id) else { continue };
        let cpython = py.get(key);
        let fast_enough = ITEMS / poolrt >= floor;
        rows.push(Row {
            workload,
            poolrt: per_s("items", ITEMS, poolrt),
            peers: peer("CPython", cpython.map(|s| per_s("items", ITEMS, s)))
                .into_iter()
                .collect(),
            ratio: times(poolrt, cpython, "CPython").unwrap_or_else(|| "–".into()),
            target: if floor > 150e6 {
                "≥ 200 M items/s, ≥ 30× CPython"
            } else {
                "≥ 120 M items/s, ≥ 30× CPython"
            },
            met: Some(fast_enough && cpython.is_none_or(|py| py / poolrt >= 30.0)),
        });
    }
    if let (Some(serial), Some(wall)) = (c.median("P4/serial"), c.median("P4/pool")) {
        let eff = serial / w / wall;
        let procspawn = c
            .median("P4/procspawn")
            .map(|p| format!("{:.3}", serial / w / p));
        rows.push(Row {
            workload: "P4 efficiency, CPU tasks on processes",
            poolrt: format!("{eff:.3}"),
            peers: [
                peer("procspawn", procspawn),
                peer(
                    "CPython",
                    py.get("P4_efficiency").map(|e| format!("{e:.3}")),
                ),
            ]
            .into_iter()
            .flatten()
            .collect(),
            ratio: "–".into(),
            target: "≥ 0.98",
            met: Some(eff >= 0.98),
        });
    }
    if let Some(p5) = c.median("P5/start_one_result_shutdown") {
        let procspawn = c.median("P5/procspawn");
        let cpython = py.get("P5_seconds");
        rows.push(Row {
            workload: "P5, start W workers, one result, shut down",
            poolrt: ms(p5),
            peers: [
                peer("procspawn", procspawn.map(ms)),
                peer("CPython", cpython.map(ms)),
            ]
            .into_iter()
            .flatten()
            .collect(),
            ratio: [
                times(p5, procspawn, "procspawn"),
                times(p5, cpython, "CPython"),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", "),
            target: "≤ 1 ms",
            met: Some(p5 <= 1e-3),
        });
    }
    let memcpy = c.median("P6/memcpy_16MiB");
    for (workload, id, peers) in [
        (
            "P6, 16 MiB argument",
            "P6/apply_len_16MiB",
            vec![
                ("procspawn", c.median("P6/procspawn_len_16MiB")),
                ("CPython", py.get("P6_seconds")),
                ("memcpy", memcpy),
            ],
        ),
        (
            "P6, 16 MiB result",
            "P6/result_16MiB",
            vec![("memcpy", memcpy)],
        ),
    ] {
        let Some(poolrt) = c.median(id) else { continue };
        rows.push(Row {
            workload,
            poolrt: mib_s(poolrt),
            peers: peers
                .iter()
                .filter_map(|(name, s)| peer(name, s.map(mib_s)))
                .collect(),
            ratio: peers
                .iter()
                .filter_map(|(name, s)| {
                    let s = (*s)?;
                    Some(if *name == "memcpy" {
                        format!("{:.2}× memcpy", s / poolrt)
                    } else {
                        format!("{:.1}× {name}", s / poolrt)
                    })
                })
                .collect::<Vec<_>>()
                .join(", "),
            target: "≥ 8,000 MiB/s",
            met: Some(MIB / poolrt >= 8000.0),
        });
    }
    rows
}
