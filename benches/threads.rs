//! The thread backend against rayon-core, on DESIGN.md's workloads
//! (W = available cores):
//!
//! - **T1**: 1,000,000 no-op tasks submitted from one thread to a W-thread
//!   pool, then wait for all. `rayon_core_spawn` is `ThreadPool::spawn`
//!   with a countdown latch; `poolrt_futures` keeps the `TaskFuture` of every
//!   task and calls `result()` on each (the vector that holds them is
//!   reused between iterations, so the allocator's handling of a 16 MB
//!   vector is not measured); `poolrt_latch` drops the futures at once and
//!   waits on the same latch as rayon.
//! - **T2**: 1,000 tasks each sleeping 10 ms on a warm 100-thread executor
//!   (the physical limit is 100 ms).
//! - **T3**: 64 CPU tasks of ~10 ms each on W threads, against the same
//!   tasks run serially; efficiency = (serial / W) / wall.
//!
//! After the measurements, a summary prints the ratios the README reports,
//! computed from the medians criterion measured in this run.

mod support;

use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group};
use poolrt::TaskFuture;
use poolrt::thread::ThreadPoolExecutor;
use support::{Latch, calibrate, cores, median_seconds, spin};

const T1_TASKS: usize = 1_000_000;
const T2_TASKS: usize = 1_000;
const T2_THREADS: usize = 100;
const T3_TASKS: usize = 64;

fn t1(c: &mut Criterion) {
    let w = cores();
    let mut group = c.benchmark_group("T1");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::Elements(T1_TASKS as u64));

    let rayon = rayon_core::ThreadPoolBuilder::new()
        .num_threads(w)
        .build()
        .unwrap();
    group.bench_function("rayon_core_spawn", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                let latch = Latch::new(T1_TASKS);
                for _ in 0..T1_TASKS {
                    let latch = latch.clone();
                    rayon.spawn(move || latch.count_down());
                }
                latch.wait();
            }
            start.elapsed()
        });
    });
    drop(rayon);

    let executor = ThreadPoolExecutor::new(w).unwrap();
    let mut futures: Vec<TaskFuture<()>> = Vec::with_capacity(T1_TASKS);
    group.bench_function("poolrt_futures", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                for _ in 0..T1_TASKS {
                    futures.push(executor.submit(|| ()).unwrap());
                }
                for future in futures.drain(..) {
                    future.result().unwrap();
                }
            }
            start.elapsed()
        });
    });
    group.bench_function("poolrt_latch", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                let latch = Latch::new(T1_TASKS);
                for _ in 0..T1_TASKS {
                    let latch = latch.clone();
                    drop(executor.submit(move || latch.count_down()).unwrap());
                }
                latch.wait();
            }
            start.elapsed()
        });
    });
    group.finish();
}

fn t2(c: &mut Criterion) {
    let mut group = c.benchmark_group("T2");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(8));
    let executor = ThreadPoolExecutor::new(T2_THREADS).unwrap();
    // Warm the pool: start all 100 threads once.
    let warm: Vec<_> = (0..T2_THREADS * 2)
        .map(|_| {
            executor
                .submit(|| std::thread::sleep(Duration::from_millis(5)))
                .unwrap()
        })
        .collect();
    warm.iter().for_each(|f| f.result().unwrap());
    group.bench_function("poolrt_sleep_10ms", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                let futures: Vec<_> = (0..T2_TASKS)
                    .map(|_| {
                        executor
                            .submit(|| std::thread::sleep(Duration::from_millis(10)))
                            .unwrap()
                    })
                    .collect();
                futures.iter().for_each(|f| f.result().unwrap());
            }
            start.elapsed()
        });
    });
    group.finish();
}

fn t3(c: &mut Criterion) {
    let w = cores();
    let rounds = calibrate(Duration::from_millis(10));
    let mut group = c.benchmark_group("T3");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));

    group.bench_function("serial", |b| {
        b.iter(|| {
            (0..T3_TASKS)
                .map(|_| spin(rounds))
                .fold(0, u64::wrapping_add)
        });
    });

    let rayon = rayon_core::ThreadPoolBuilder::new()
        .num_threads(w)
        .build()
        .unwrap();
    group.bench_function("rayon_core_spawn", |b| {
        b.iter(|| {
            let latch = Latch::new(T3_TASKS);
            for _ in 0..T3_TASKS {
                let latch = latch.clone();
                rayon.spawn(move || {
                    spin(rounds);
                    latch.count_down();
                });
            }
            latch.wait();
        });
    });
    drop(rayon);

    let executor = ThreadPoolExecutor::new(w).unwrap();
    group.bench_function("poolrt", |b| {
        b.iter(|| {
            let futures: Vec<_> = (0..T3_TASKS)
                .map(|_| executor.submit(move || spin(rounds)).unwrap())
                .collect();
            futures
                .iter()
                .map(|f| f.result().unwrap())
                .fold(0, u64::wrapping_add)
        });
    });
    group.finish();
}

/// Prints the figures the README's table reports, from this run's medians.
fn summary() {
    let w = cores() as f64;
    println!("\n== threads summary (medians of this run, W = {w}) ==");
    let rate = |s: f64| T1_TASKS as f64 / s / 1e6;
    if let (Some(rayon), Some(futures), Some(latch)) = (
        median_seconds("T1", "rayon_core_spawn"),
        median_seconds("T1", "poolrt_futures"),
        median_seconds("T1", "poolrt_latch"),
    ) {
        println!(
            "T1 rayon-core spawn {:.2} M tasks/s | poolrt with futures {:.2} M/s ({:.2}x) | poolrt, futures dropped {:.2} M/s ({:.2}x)",
            rate(rayon),
            rate(futures),
            rayon / futures,
            rate(latch),
            rayon / latch
        );
    }
    if let Some(t2) = median_seconds("T2", "poolrt_sleep_10ms") {
        println!(
            "T2 {:.1} ms for 1,000 x 10 ms sleeps on 100 threads ({:.3}x the 100 ms limit)",
            t2 * 1e3,
            t2 / 0.1
        );
    }
    if let Some(serial) = median_seconds("T3", "serial") {
        for id in ["rayon_core_spawn", "poolrt"] {
            if let Some(wall) = median_seconds("T3", id) {
                println!(
                    "T3 {id}: {:.1} ms wall vs {:.1} ms serial, efficiency {:.3}",
                    wall * 1e3,
                    serial * 1e3,
                    serial / w / wall
                );
            }
        }
    }
}

criterion_group!(benches, t1, t2, t3);

fn main() {
    support::run_started();
    benches();
    Criterion::default().configure_from_args().final_summary();
    summary();
}
