//! The objects a `Process` shares with its children, measured against
//! their thread-backend counterparts (the in-process floor) in the same
//! run:
//!
//! - **S1**: a child process streams 100,000 `u64`s through a
//!   `process::Queue` to the parent, items/s; beside it the same stream
//!   through a `thread::Queue` between two threads.
//! - **S2**: the same stream through a `process::Pipe`.
//! - **S3**: ping-pong of one `u64` with a child through two
//!   `process::Queue`s, time per round trip; beside it the bare 8-byte pipe
//!   round trip to `cat`.
//! - **S4**: an uncontended `process::Lock` acquire + release, beside
//!   `thread::Lock`.
//!
//! - **V1**: reading and writing a 1M-element `process::Array<f64>` as
//!   one slice (`get_slice(..)`, `set_slice(..)`), GB/s; beside it
//!   `RawArray`'s read.
//! - **V2**: one round of a `process::Barrier` of two, the other party a
//!   child process, time per round; beside it `thread::Barrier` between
//!   two threads.
//!
//! CPython's figures for S1–S4 come from `benches/cpython_pool.py S1 S2 S3
//! S4` (`multiprocessing.Queue`, `Pipe` and `Lock`).

mod support;

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group};
use poolrt::process::{Connection, Pipe, Process, Queue};
use support::{bench_pipe_round_trip, median_seconds};

const ITEMS: u64 = 100_000;

fn stream_queue(q: Queue<u64>, n: u64) {
    for i in 0..n {
        q.put(i).unwrap();
    }
}

fn stream_pipe(conn: Connection, n: u64) {
    for i in 0..n {
        conn.send(&i).unwrap();
    }
}

fn echo(inbox: Queue<u64>, outbox: Queue<u64>) {
    while let Ok(x) = inbox.get() {
        if x == u64::MAX {
            return;
        }
        outbox.put(x).unwrap();
    }
}

/// Runs `iters` streams of `ITEMS` from a fresh child; times the
/// receiving side only (from the child's start).
fn timed_streams(iters: u64, mut one: impl FnMut() -> Duration) -> Duration {
    (0..iters).map(|_| one()).sum()
}

fn s1(c: &mut Criterion) {
    let mut group = c.benchmark_group("S1");
    group
        .throughput(Throughput::Elements(ITEMS))
        .sample_size(10);
    group.bench_function("process_queue_stream", |b| {
        b.iter_custom(|iters| {
            timed_streams(iters, || {
                let q = Queue::new(0).unwrap();
                let child = Process::new(stream_queue, (q.clone(), ITEMS));
                child.start().unwrap();
                let start = Instant::now();
                for _ in 0..ITEMS {
                    black_box(q.get().unwrap());
                }
                let took = start.elapsed();
                child.join().unwrap();
                took
            })
        });
    });
    group.bench_function("thread_queue_stream", |b| {
        b.iter_custom(|iters| {
            timed_streams(iters, || {
                let q = Arc::new(poolrt::thread::Queue::new(0).unwrap());
                let producer = {
                    let q = q.clone();
                    std::thread::spawn(move || {
                        for i in 0..ITEMS {
                            q.put(i).unwrap();
                        }
                    })
                };
                let start = Instant::now();
                for _ in 0..ITEMS {
                    black_box(q.get().unwrap());
                }
                let took = start.elapsed();
                producer.join().unwrap();
                took
            })
        });
    });
    group.finish();
}

fn s2(c: &mut Criterion) {
    let mut group = c.benchmark_group("S2");
    group
        .throughput(Throughput::Elements(ITEMS))
        .sample_size(10);
    group.bench_function("process_pipe_stream", |b| {
        b.iter_custom(|iters| {
            timed_streams(iters, || {
                let (here, there) = Pipe(false).unwrap();
                let child = Process::new(stream_pipe, (there, ITEMS));
                child.start().unwrap();
                let start = Instant::now();
                for _ in 0..ITEMS {
                    black_box(here.recv::<u64>().unwrap());
                }
                let took = start.elapsed();
                child.join().unwrap();
                took
            })
        });
    });
    group.finish();
}

fn s3(c: &mut Criterion) {
    let mut group = c.benchmark_group("S3");
    let (inbox, outbox) = (Queue::new(0).unwrap(), Queue::new(0).unwrap());
    let child = Process::new(echo, (inbox.clone(), outbox.clone()));
    child.start().unwrap();
    group.bench_function("process_queue_ping_pong", |b| {
        b.iter(|| {
            inbox.put(black_box(7)).unwrap();
            black_box(outbox.get().unwrap())
        });
    });
    inbox.put(u64::MAX).unwrap();
    child.join().unwrap();

    bench_pipe_round_trip(&mut group, "pipe_round_trip_8_bytes");
    group.finish();
}

fn s4(c: &mut Criterion) {
    let mut group = c.benchmark_group("S4");
    let lock = poolrt::process::Lock::new().unwrap();
    group.bench_function("process_lock", |b| {
        b.iter(|| drop(black_box(lock.lock())));
    });
    let lock = poolrt::thread::Lock::new().unwrap();
    group.bench_function("thread_lock", |b| {
        b.iter(|| drop(black_box(lock.lock())));
    });
    group.finish();
}

const V1_LEN: usize = 1 << 20;

fn v1(c: &mut Criterion) {
    let mut group = c.benchmark_group("V1");
    group.throughput(Throughput::Bytes((V1_LEN * 8) as u64));
    let array = poolrt::process::Array::<f64>::zeroed(V1_LEN).unwrap();
    group.bench_function("array_get_slice", |b| {
        b.iter(|| black_box(array.get_slice(..).unwrap()));
    });
    let values = vec![1.0f64; V1_LEN];
    group.bench_function("array_set_slice", |b| {
        b.iter(|| array.set_slice(.., black_box(&values)).unwrap());
    });
    let raw = poolrt::process::RawArray::<f64>::zeroed(V1_LEN).unwrap();
    group.bench_function("raw_array_get_slice", |b| {
        b.iter(|| black_box(raw.get_slice(..).unwrap()));
    });
    group.finish();
}

fn barrier_party(b: poolrt::process::Barrier, rounds: u64) {
    for _ in 0..rounds {
        b.wait().unwrap();
    }
}

fn v2(c: &mut Criterion) {
    let mut group = c.benchmark_group("V2");
    group.bench_function("process_barrier_round", |b| {
        b.iter_custom(|iters| {
            let barrier = poolrt::process::Barrier::new(2).unwrap();
            let child = Process::new(barrier_party, (barrier.clone(), iters + 1));
            child.start().unwrap();
            barrier.wait().unwrap(); // the child is up: start timing
            let start = Instant::now();
            for _ in 0..iters {
                barrier.wait().unwrap();
            }
            let elapsed = start.elapsed();
            child.join().unwrap();
            elapsed
        });
    });
    group.bench_function("thread_barrier_round", |b| {
        b.iter_custom(|iters| {
            let barrier = poolrt::thread::Barrier::new(2).unwrap();
            std::thread::scope(|s| {
                s.spawn(|| {
                    for _ in 0..=iters {
                        barrier.wait().unwrap();
                    }
                });
                barrier.wait().unwrap();
                let start = Instant::now();
                for _ in 0..iters {
                    barrier.wait().unwrap();
                }
                start.elapsed()
            })
        });
    });
    group.finish();
}

/// Prints this run's medians in the README's terms.
fn summary() {
    println!("\n== shared objects summary (medians of this run) ==");
    let rate =
        |group: &str, name: &str| median_seconds(group, name).map(|s| ITEMS as f64 / s / 1e6);
    if let (Some(p), Some(t)) = (
        rate("S1", "process_queue_stream"),
        rate("S1", "thread_queue_stream"),
    ) {
        println!("S1 process::Queue stream {p:.2} M items/s (thread::Queue {t:.2} M items/s)");
    }
    if let Some(p) = rate("S2", "process_pipe_stream") {
        println!("S2 process::Pipe stream {p:.2} M items/s");
    }
    if let Some(q) = median_seconds("S3", "process_queue_ping_pong") {
        let pipe = median_seconds("S3", "pipe_round_trip_8_bytes").unwrap_or(f64::NAN);
        println!(
            "S3 process::Queue ping-pong {:.1} us (bare pipe round trip {:.1} us)",
            q * 1e6,
            pipe * 1e6
        );
    }
    if let (Some(p), Some(t)) = (
        median_seconds("S4", "process_lock"),
        median_seconds("S4", "thread_lock"),
    ) {
        println!(
            "S4 process::Lock {:.1} ns per acquire+release (thread::Lock {:.1} ns)",
            p * 1e9,
            t * 1e9
        );
    }
    if let (Some(get), Some(set)) = (
        median_seconds("V1", "array_get_slice"),
        median_seconds("V1", "array_set_slice"),
    ) {
        let gbps = |secs: f64| (V1_LEN * 8) as f64 / secs / 1e9;
        let raw = median_seconds("V1", "raw_array_get_slice").unwrap_or(f64::NAN);
        println!(
            "V1 process::Array<f64> 1M slice read {:.2} GB/s, write {:.2} GB/s (RawArray read {:.2} GB/s)",
            gbps(get),
            gbps(set),
            gbps(raw)
        );
    }
    if let (Some(p), Some(t)) = (
        median_seconds("V2", "process_barrier_round"),
        median_seconds("V2", "thread_barrier_round"),
    ) {
        println!(
            "V2 process::Barrier(2) round {:.1} us (thread::Barrier {:.1} us)",
            p * 1e6,
            t * 1e6
        );
    }
}

criterion_group!(benches, s1, s2, s3, s4, v1, v2);

fn main() {
    support::run_started();
    benches();
    Criterion::default().configure_from_args().final_summary();
    summary();
}
