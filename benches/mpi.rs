//! The MPI backend (`poolrt::mpi`) on DESIGN.md's MPI workloads, against
//! `mpi4py.futures` in the same run, both under `mpirun -n 3` (the root
//! plus one worker rank per core on this 2-core machine):
//!
//! - **P1**: sequential blocking `apply(identity, u64)`, µs per call
//!   (the executor's `submit().result()` takes the same path); mpi4py:
//!   `submit(identity, 7).result()`.
//! - **P2**: `map(square, 0..1_000_000)` with default chunking, items/s;
//!   mpi4py: `map(square, range(1_000_000), chunksize=1000 or 10000)`,
//!   the better of the two.
//! - **P4**: 64 CPU tasks of ~10 ms on the worker ranks against the same
//!   tasks run serially on the root; efficiency = (serial / W) / wall,
//!   W = worker ranks. It needs a quiet root: the root shares the cores.
//!
//! - **idle**: the pool with no work for 2 s, % of a core each rank
//!   (the root and the worker ranks) used.
//!
//! A plain timing program, not criterion: it must run under `mpirun`.
//! `cargo bench -p poolrt-benches --features mpi --bench mpi` starts it
//! as a plain process, which re-launches itself with `mpirun -n 3
//! --oversubscribe`, then runs `benches/mpi4py_futures.py` the same way
//! (skipped, saying so, without mpi4py) and prints the ratios, then every
//! figure as a `RESULT mpi.<id>` / `RESULT mpi4py.<id>` line for
//! `benches/report.sh`. Each figure is the median of a few runs.

use std::process::Command;
use std::time::{Duration, Instant};

use pool_test_support::{calibrate, spin};
use poolrt::mpi::Pool;

const ITEMS: u64 = 1_000_000;
const P1_CALLS: u32 = 10_000;
const P4_TASKS: usize = 64;
const RUNS: usize = 5;

fn identity(x: u64) -> u64 {
    x
}

fn square(x: u64) -> u64 {
    x.wrapping_mul(x)
}

fn spin_task(rounds: u64) -> u64 {
    spin(rounds)
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn main() {
    if std::env::var_os("OMPI_COMM_WORLD_SIZE").is_none() {
        driver();
    } else {
        measure();
    }
}

/// Under mpirun: rank 0 measures, the others serve inside `Pool::new`.
fn measure() {
    let pool = Pool::new().expect("an MPI pool");
    let workers = pool.ranks().len();

    for _ in 0..1_000 {
        pool.apply(identity, 7).unwrap();
    }
    let p1 = median(
        (0..RUNS)
            .map(|_| {
                let start = Instant::now();
                for _ in 0..P1_CALLS {
                    std::hint::black_box(pool.apply(identity, std::hint::black_box(7)).unwrap());
                }
                start.elapsed().as_secs_f64() / f64::from(P1_CALLS) * 1e6
            })
            .collect(),
    );
    println!("poolrt::mpi P1 apply(identity) on {workers} worker ranks: {p1:.1} us");
    println!("RESULT P1 {p1:.3}");

    let p2 = median(
        (0..RUNS)
            .map(|_| {
                let start = Instant::now();
                let out = pool.map(square, 0..ITEMS).unwrap();
                let rate = ITEMS as f64 / start.elapsed().as_secs_f64();
                assert_eq!(out.len() as u64, ITEMS);
                rate
            })
            .collect(),
    );
    println!("poolrt::mpi P2 map(square, 1M): {:.1} M items/s", p2 / 1e6);
    println!("RESULT P2 {p2:.1}");

    let rounds = calibrate(Duration::from_millis(10));
    let tasks = vec![rounds; P4_TASKS];
    let pids: Vec<u32> = std::iter::once(std::process::id())
        .chain(pool.ranks().iter().map(|r| r.pid))
        .collect();
    let before: Vec<f64> = pids.iter().map(|&pid| cpu_seconds(pid)).collect();
    let start = Instant::now();
    let p4 = efficiency(&tasks, workers, |tasks| {
        pool.map_chunked(spin_task, tasks, 1).unwrap();
    });
    let wall = start.elapsed().as_secs_f64();
    // Where the cores went during P4 (serial runs included): the root's
    // own CPU beyond the serial runs is what its waiting cost the ranks.
    let used: Vec<f64> = pids
        .iter()
        .zip(&before)
        .map(|(&pid, before)| (cpu_seconds(pid) - before) / wall * 100.0)
        .collect();
    println!("poolrt::mpi P4 64 x ~10 ms on {workers} worker ranks: efficiency {p4:.3}");
    println!("poolrt::mpi P4 % of a core over its runs, root then worker ranks: {used:.1?}");
    println!("RESULT P4 {p4:.4}");
    // The same tasks on the process backend, in this run (the worker
    // ranks idle meanwhile): what the machine allows now.
    let local = poolrt::process::Pool::new(workers).unwrap();
    let p4_local = efficiency(&tasks, workers, |tasks| {
        local.map_chunked(spin_task, tasks, 1).unwrap();
    });
    println!(
        "poolrt::process P4, same tasks on {workers} local processes: efficiency {p4_local:.3}"
    );
    println!("RESULT P4local {p4_local:.4}");
    drop(local);

    // Idle: the pool with no work for two seconds, CPU time of the root
    // and of the worker ranks (all on this host) from /proc.
    let pids: Vec<u32> = std::iter::once(std::process::id())
        .chain(pool.ranks().iter().map(|r| r.pid))
        .collect();
    let before: Vec<f64> = pids.iter().map(|&pid| cpu_seconds(pid)).collect();
    let start = Instant::now();
    std::thread::sleep(Duration::from_secs(2));
    let wall = start.elapsed().as_secs_f64();
    let busy: Vec<f64> = pids
        .iter()
        .zip(&before)
        .map(|(&pid, before)| (cpu_seconds(pid) - before) / wall * 100.0)
        .collect();
    let worst = busy.iter().copied().fold(0.0, f64::max);
    println!(
        "poolrt::mpi idle: % of a core, root then worker ranks: {:.2?}",
        busy
    );
    println!("RESULT idle {worst:.3}");
    pool.close();
    pool.join().unwrap();
}

/// The CPU time (user + system) process `pid` has used, in seconds.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command's closing parenthesis: utime and stime are
    // the 12th and 13th, in clock ticks (100 a second on Linux).
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// The median efficiency of `run` on `tasks` against running them here
/// serially: (serial / workers) / wall.
fn efficiency(tasks: &[u64], workers: usize, run: impl Fn(Vec<u64>)) -> f64 {
    let efficiencies = (0..3)
        .map(|_| {
            let start = Instant::now();
            for &r in tasks {
                std::hint::black_box(spin(r));
            }
            let serial = start.elapsed().as_secs_f64();
            let start = Instant::now();
            run(tasks.to_vec());
            let wall = start.elapsed().as_secs_f64();
            serial / workers as f64 / wall
        })
        .collect();
    median(efficiencies)
}

/// Runs this program, then mpi4py's, under `mpirun -n 3`, and compares.
fn driver() {
    let me = std::env::current_exe().expect("this program's path");
    let ours = mpirun(&[me.to_str().expect("a UTF-8 path")]);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/mpi4py_futures.py");
    let has_mpi4py = Command::new("python3")
        .args(["-c", "import mpi4py.futures"])
        .output()
        .is_ok_and(|o| o.status.success());
    let theirs = if has_mpi4py {
        mpirun(&["python3", "-m", "mpi4py.futures", script])
    } else {
        println!("mpi4py not installed (`pip install mpi4py`): no comparison");
        String::new()
    };
    let figure = |id: &str| (result(&ours, id), result(&theirs, id));
    println!("== mpi summary (3 ranks: the root and 2 worker ranks, medians of this run) ==");
    if let (Some(us), them) = figure("P1") {
        let vs = them.map_or(String::new(), |t| {
            format!(" | mpi4py.futures {t:.1} us ({:.0}x faster)", t / us)
        });
        println!("P1 {us:.1} us per apply{vs} (target <= 50 us, >= 10x)");
    }
    if let (Some(us), them) = figure("P2") {
        let vs = them.map_or(String::new(), |t| {
            format!(
                " | mpi4py.futures {:.2} M items/s ({:.0}x)",
                t / 1e6,
                us / t
            )
        });
        println!("P2 {:.1} M items/s{vs} (target >= 20x)", us / 1e6);
    }
    if let (Some(p4), Some(local)) = (result(&ours, "P4"), result(&ours, "P4local")) {
        println!(
            "P4 efficiency {p4:.3} (target >= 0.95) | the process backend's in this run {local:.3}"
        );
    }
    if let Some(idle) = result(&ours, "idle") {
        println!("idle: the busiest rank used {idle:.2}% of a core (target < 1%)");
    }
    println!();
    // For `benches/report.sh`'s report: every figure, both sides.
    for id in ["P1", "P2", "P4", "P4local", "idle"] {
        let (us, them) = figure(id);
        if let Some(us) = us {
            println!("RESULT mpi.{id} {us}");
        }
        if let Some(them) = them {
            println!("RESULT mpi4py.{id} {them}");
        }
    }
}

/// `mpirun -n 3 --oversubscribe COMMAND`: its stdout, echoed.
fn mpirun(command: &[&str]) -> String {
    let output = Command::new("mpirun")
        .args(["-n", "3", "--oversubscribe"])
        .args(command)
        // Open MPI refuses root without these (CI runs as root).
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        .output()
        .expect("mpirun (apt-get install openmpi-bin)");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    for line in stdout.lines().filter(|l| !l.starts_with("RESULT ")) {
        println!("{line}");
    }
    if !output.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&output.stderr));
        panic!("mpirun {command:?} failed: {}", output.status);
    }
    stdout
}

/// The value of `RESULT <id> <value>` in `output`.
fn result(output: &str, id: &str) -> Option<f64> {
    output.lines().find_map(|line| {
        let rest = line.strip_prefix("RESULT ")?.strip_prefix(id)?;
        rest.trim().parse().ok()
    })
}
