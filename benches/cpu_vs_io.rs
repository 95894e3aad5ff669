//! The seeds' rule of thumb, measured: the same CPU-bound task (16 × ~5 ms
//! of arithmetic) and the same IO-bound task (16 × a 10 ms sleep) run
//! serially, on the thread backend (`ThreadPoolExecutor(16)`) and on the
//! process backend (`Pool(W)`, W = available cores). A summary prints the
//! speed-ups over serial from this run's medians.

mod support;

use std::time::Duration;

use criterion::{Criterion, criterion_group};
use poolrt::process::Pool;
use poolrt::thread::ThreadPoolExecutor;
use support::{calibrate, cores, median_seconds, spin};

const TASKS: usize = 16;
const THREADS: usize = 16;
const IO_MS: u64 = 10;

fn cpu_task(rounds: u64) -> u64 {
    spin(rounds)
}

fn io_task(ms: u64) -> u64 {
    std::thread::sleep(Duration::from_millis(ms));
    ms
}

fn bench(c: &mut Criterion) {
    let rounds = calibrate(Duration::from_millis(5));
    let threads = ThreadPoolExecutor::new(THREADS).unwrap();
    let pool = Pool::new(cores()).unwrap();

    for (group_name, task, arg) in [
        ("cpu_bound", cpu_task as fn(u64) -> u64, rounds),
        ("io_bound", io_task as fn(u64) -> u64, IO_MS),
    ] {
        let mut group = c.benchmark_group(group_name);
        group.sample_size(10);
        group.bench_function("serial", |b| {
            b.iter(|| (0..TASKS).map(|_| task(arg)).fold(0, u64::wrapping_add));
        });
        group.bench_function("threads", |b| {
            b.iter(|| {
                let futures: Vec<_> = (0..TASKS)
                    .map(|_| threads.submit(move || task(arg)).unwrap())
                    .collect();
                futures
                    .iter()
                    .map(|f| f.result().unwrap())
                    .fold(0, u64::wrapping_add)
            });
        });
        group.bench_function("processes", |b| {
            b.iter(|| {
                let values = if group_name == "cpu_bound" {
                    pool.map_chunked(cpu_task, vec![arg; TASKS], 1).unwrap()
                } else {
                    pool.map_chunked(io_task, vec![arg; TASKS], 1).unwrap()
                };
                values.into_iter().fold(0, u64::wrapping_add)
            });
        });
        group.finish();
    }
}

fn summary() {
    println!(
        "\n== cpu_vs_io summary (speed-up over serial, medians of this run, W = {}) ==",
        cores()
    );
    for group in ["cpu_bound", "io_bound"] {
        let Some(serial) = median_seconds(group, "serial") else {
            continue;
        };
        let speedup = |id| median_seconds(group, id).map_or(f64::NAN, |t| serial / t);
        println!(
            "{group}: serial {:.1} ms | threads {:.2}x | processes {:.2}x",
            serial * 1e3,
            speedup("threads"),
            speedup("processes")
        );
    }
}

criterion_group!(benches, bench);

fn main() {
    support::run_started();
    benches();
    Criterion::default().configure_from_args().final_summary();
    summary();
}
