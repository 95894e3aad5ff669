//! The thread backend against rayon-core, on DESIGN.md's workloads
//! (W = available cores):
//!
//! - **T1**: 1,000,000 no-op tasks submitted from one thread to a W-thread
//!   pool, then wait for all, against rayon-core's `ThreadPool::spawn` and
//!   the `threadpool` crate (a mutex and a channel). With futures kept:
//!   `poolrt_futures` keeps the `TaskFuture` of every task and calls
//!   `result()` on each (the vector is reused between iterations, so the
//!   allocator's handling of a 16 MB vector is not measured); the peers'
//!   `*_results` have each task write its result into its own slot of a
//!   shared array and count down a latch, then read every slot: the
//!   cheapest way to keep every task's result without futures. With futures dropped:
//!   `poolrt_latch` and the peers' `*_latch` count down one shared latch.
//! - **T1_workers**: T1 with futures dropped (200,000 tasks) at 1, 2, 4 and
//!   8 workers.
//! - **T2**: 1,000 tasks each sleeping 10 ms on a warm 100-thread executor
//!   (the physical limit is 100 ms).
//! - **T3**: 64 CPU tasks of ~10 ms each on W threads, against the same
//!   tasks run serially; efficiency = (serial / W) / wall.
//!
//! After the measurements, a summary prints the ratios the README reports,
//! computed from the medians criterion measured in this run.

mod support;

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, Throughput, criterion_group};
use poolrt::TaskFuture;
use poolrt::thread::ThreadPoolExecutor;
use support::{Latch, calibrate, cores, median_seconds, spin};

const T1_TASKS: usize = 1_000_000;
const T1_SCALING_TASKS: usize = 200_000;
const T1_WORKERS: [usize; 4] = [1, 2, 4, 8];
const T2_TASKS: usize = 1_000;
const T2_THREADS: usize = 100;
const T3_TASKS: usize = 64;

/// How a peer pool runs a closure, for the T1 groups.
trait Spawn {
    fn spawn_task<F: FnOnce() + Send + 'static>(&self, task: F);
}

impl Spawn for rayon_core::ThreadPool {
    fn spawn_task<F: FnOnce() + Send + 'static>(&self, task: F) {
        self.spawn(task);
    }
}

impl Spawn for threadpool::ThreadPool {
    fn spawn_task<F: FnOnce() + Send + 'static>(&self, task: F) {
        self.execute(task);
    }
}

/// `tasks` no-op tasks on `peer`, each counting down `latch`.
fn run_latch(peer: &impl Spawn, tasks: usize, latch: &Latch) {
    for _ in 0..tasks {
        let latch = latch.clone();
        peer.spawn_task(move || latch.count_down());
    }
}

/// `tasks` tasks whose results are kept, the peer's cheapest equivalent
/// of a future per task: each task writes its result into its own slot and
/// counts down `latch`; the caller then reads every slot.
fn run_keeping_results(peer: &impl Spawn, tasks: usize, latch: &Latch) -> Arc<[OnceLock<u32>]> {
    let slots: Arc<[OnceLock<u32>]> = (0..tasks).map(|_| OnceLock::new()).collect();
    for i in 0..tasks {
        let (latch, slots) = (latch.clone(), slots.clone());
        peer.spawn_task(move || {
            let _ = slots[i].set(1);
            latch.count_down();
        });
    }
    slots
}

/// T1 on a peer, futures dropped (`*_latch`) and results kept (`*_results`).
fn bench_peer(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, peer: &impl Spawn) {
    group.bench_function(format!("{name}_latch"), |b| {
        bench_peer_latch(b, peer, T1_TASKS)
    });
    group.bench_function(format!("{name}_results"), |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                let latch = Latch::new(T1_TASKS);
                let slots = run_keeping_results(peer, T1_TASKS, &latch);
                latch.wait();
                let sum: u32 = slots.iter().map(|slot| *slot.get().unwrap()).sum();
                assert_eq!(sum as usize, T1_TASKS);
            }
            start.elapsed()
        });
    });
}

fn rayon_pool(w: usize) -> rayon_core::ThreadPool {
    rayon_core::ThreadPoolBuilder::new()
        .num_threads(w)
        .build()
        .unwrap()
}

/// `tasks` no-op tasks on `peer`, waiting on a latch (futures dropped).
fn bench_peer_latch(b: &mut criterion::Bencher<'_>, peer: &impl Spawn, tasks: usize) {
    b.iter_custom(|iters| {
        let start = Instant::now();
        for _ in 0..iters {
            let latch = Latch::new(tasks);
            run_latch(peer, tasks, &latch);
            latch.wait();
        }
        start.elapsed()
    });
}

/// `tasks` no-op tasks on `executor`, futures dropped, waiting on a latch.
fn bench_poolrt_latch(b: &mut criterion::Bencher<'_>, executor: &ThreadPoolExecutor, tasks: usize) {
    b.iter_custom(|iters| {
        let start = Instant::now();
        for _ in 0..iters {
            let latch = Latch::new(tasks);
            for _ in 0..tasks {
                let latch = latch.clone();
                drop(executor.submit(move || latch.count_down()).unwrap());
            }
            latch.wait();
        }
        start.elapsed()
    });
}

fn t1(c: &mut Criterion) {
    let w = cores();
    let mut group = c.benchmark_group("T1");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::Elements(T1_TASKS as u64));

    let rayon = rayon_pool(w);
    bench_peer(&mut group, "rayon_core", &rayon);
    drop(rayon);
    let threadpool = threadpool::ThreadPool::new(w);
    bench_peer(&mut group, "threadpool", &threadpool);
    drop(threadpool);

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
        bench_poolrt_latch(b, &executor, T1_TASKS)
    });
    group.finish();
}

/// T1 with futures dropped, at 1, 2, 4 and 8 workers: how submit cost
/// grows when workers outnumber cores.
fn t1_workers(c: &mut Criterion) {
    let mut group = c.benchmark_group("T1_workers");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Elements(T1_SCALING_TASKS as u64));
    for w in T1_WORKERS {
        let rayon = rayon_pool(w);
        group.bench_with_input(BenchmarkId::new("rayon_core", w), &w, |b, _| {
            bench_peer_latch(b, &rayon, T1_SCALING_TASKS)
        });
        drop(rayon);
        let threadpool = threadpool::ThreadPool::new(w);
        group.bench_with_input(BenchmarkId::new("threadpool", w), &w, |b, _| {
            bench_peer_latch(b, &threadpool, T1_SCALING_TASKS)
        });
        drop(threadpool);
        let executor = ThreadPoolExecutor::new(w).unwrap();
        group.bench_with_input(BenchmarkId::new("poolrt", w), &w, |b, _| {
            bench_poolrt_latch(b, &executor, T1_SCALING_TASKS)
        });
    }
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
    // T1: poolrt against the faster peer, futures kept and futures dropped.
    for (mode, poolrt_id) in [("results", "poolrt_futures"), ("latch", "poolrt_latch")] {
        let peers = ["rayon_core", "threadpool"]
            .map(|peer| (peer, median_seconds("T1", &format!("{peer}_{mode}"))));
        let (Some(poolrt), [(_, Some(rayon)), (_, Some(threadpool))]) =
            (median_seconds("T1", poolrt_id), peers)
        else {
            continue;
        };
        let (best, best_name) = if rayon <= threadpool {
            (rayon, "rayon-core")
        } else {
            (threadpool, "threadpool")
        };
        println!(
            "T1 {mode}: poolrt {:.2} M tasks/s | rayon-core {:.2} M/s | threadpool {:.2} M/s | poolrt / {best_name} = {:.2}x",
            rate(poolrt),
            rate(rayon),
            rate(threadpool),
            best / poolrt
        );
    }
    for w in T1_WORKERS {
        let figures: Vec<String> = ["poolrt", "rayon_core", "threadpool"]
            .iter()
            .filter_map(|id| {
                let s = median_seconds("T1_workers", &format!("{id}/{w}"))?;
                Some(format!("{id} {:.2} M/s", T1_SCALING_TASKS as f64 / s / 1e6))
            })
            .collect();
        if !figures.is_empty() {
            println!("T1 at {w} workers: {}", figures.join(" | "));
        }
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

criterion_group!(benches, t1, t1_workers, t2, t3);

fn main() {
    support::run_started();
    benches();
    Criterion::default().configure_from_args().final_summary();
    summary();
}
