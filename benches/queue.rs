//! Queue throughput: `poolrt::thread::Queue` against crossbeam-channel and
//! `std::sync::mpsc`, in the same run.
//!
//! Each iteration moves 100,000 `u64`s through a queue bounded at 1,024
//! items, from P producer threads to C consumer threads (threads started
//! inside the iteration), for (P, C) = (1, 1) and (4, 4). Throughput is
//! items per second. Peers: `crossbeam_channel::bounded(1024)`, and
//! `std::sync::mpsc::sync_channel(1024)`, whose single receiver the four
//! consumers share through a `Mutex` (the usual way to fan out from mpsc).
//! `Queue` also counts every item for `task_done`/`join`, which the
//! channels do not offer.

use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

mod support;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use poolrt::thread::Queue;
use support::median_seconds;

const ITEMS: u64 = 100_000;
const CAPACITY: usize = 1024;

/// Runs `producers` threads calling `put` and `consumers` threads calling
/// `get`, splitting `ITEMS` evenly, and waits for all of them.
fn run<P, G>(producers: u64, consumers: u64, put: P, get: G)
where
    P: Fn(u64) + Send + Sync + 'static,
    G: Fn() -> u64 + Send + Sync + 'static,
{
    let (put, get) = (Arc::new(put), Arc::new(get));
    let mut threads = Vec::new();
    for p in 0..producers {
        let put = put.clone();
        threads.push(std::thread::spawn(move || {
            let per = ITEMS / producers;
            for i in p * per..(p + 1) * per {
                put(i);
            }
        }));
    }
    for _ in 0..consumers {
        let get = get.clone();
        threads.push(std::thread::spawn(move || {
            let mut sum = 0u64;
            for _ in 0..ITEMS / consumers {
                sum = sum.wrapping_add(get());
            }
            std::hint::black_box(sum);
        }));
    }
    for t in threads {
        t.join().unwrap();
    }
}

fn queues(c: &mut Criterion) {
    let mut group = c.benchmark_group("queue");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .throughput(Throughput::Elements(ITEMS));
    for (p, n) in [(1u64, 1u64), (4, 4)] {
        let shape = format!("{p}p{n}c");
        group.bench_function(BenchmarkId::new("poolrt_Queue", &shape), |b| {
            b.iter(|| {
                let q = Arc::new(Queue::new(CAPACITY).unwrap());
                let q2 = q.clone();
                run(
                    p,
                    n,
                    move |i| q.put(i).unwrap(),
                    move || {
                        let item = q2.get().unwrap();
                        q2.task_done().unwrap();
                        item
                    },
                );
            });
        });
        group.bench_function(BenchmarkId::new("crossbeam_bounded", &shape), |b| {
            b.iter(|| {
                let (tx, rx) = crossbeam_channel::bounded(CAPACITY);
                run(
                    p,
                    n,
                    move |i| tx.send(i).unwrap(),
                    move || rx.recv().unwrap(),
                );
            });
        });
        group.bench_function(BenchmarkId::new("std_mpsc_sync_channel", &shape), |b| {
            b.iter(|| {
                let (tx, rx) = mpsc::sync_channel(CAPACITY);
                let rx = Mutex::new(rx);
                run(
                    p,
                    n,
                    move |i| tx.send(i).unwrap(),
                    move || rx.lock().unwrap().recv().unwrap(),
                );
            });
        });
    }
    group.finish();
}

/// Prints each shape's throughput from this run's medians.
fn summary() {
    println!("\n== queue summary (items/s, medians of this run) ==");
    for shape in ["1p1c", "4p4c"] {
        let figures: Vec<String> = ["poolrt_Queue", "crossbeam_bounded", "std_mpsc_sync_channel"]
            .iter()
            .filter_map(|id| {
                let s = median_seconds("queue", &format!("{id}/{shape}"))?;
                Some(format!("{id} {:.1} M/s", ITEMS as f64 / s / 1e6))
            })
            .collect();
        if !figures.is_empty() {
            println!("{shape}: {}", figures.join(" | "));
        }
    }
}

criterion_group!(benches, queues);

fn main() {
    support::run_started();
    benches();
    Criterion::default().configure_from_args().final_summary();
    summary();
}
