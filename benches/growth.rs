//! How the process backend's costs grow, for the report's plots
//! (`benches/report.sh`): W = available cores.
//!
//! - **P2_items**: `map(square, 0..n)` with default chunking, n from 10⁴
//!   to 10⁷.
//! - **P6_bytes**: `apply(len, Vec<u8>)` with an argument from 1 KiB to
//!   256 MiB (the clone is made outside the timing), and the same sizes as
//!   a result (`apply(filled, n)`).
//! - **start**: build a pool of n = 1, 2, 8 and 32 workers, wait until every
//!   worker has started and run its initializer (each meets the caller at a
//!   shared `Barrier`), then close and join it.
//!
//! The thread backend's growth curve (T1 at 1 to 8 workers) is in
//! `threads.rs`.

mod support;

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group};
use poolrt::process::{Barrier, Pool};
use support::cores;

const P2_ITEMS: [u64; 4] = [10_000, 100_000, 1_000_000, 10_000_000];
const P6_SIZES: [usize; 6] = [1 << 10, 16 << 10, 256 << 10, 4 << 20, 64 << 20, 256 << 20];
const START_WORKERS: [usize; 4] = [1, 2, 8, 32];

fn square(x: u64) -> u64 {
    x.wrapping_mul(x)
}

fn len(bytes: Vec<u8>) -> usize {
    bytes.len()
}

fn filled(bytes: usize) -> Vec<u8> {
    vec![7u8; bytes]
}

fn meet(barrier: Barrier) {
    barrier
        .wait()
        .expect("the caller waits at the same barrier");
}

fn p2_items(c: &mut Criterion) {
    let pool = Pool::new(cores()).unwrap();
    let mut group = c.benchmark_group("P2_items");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    for n in P2_ITEMS {
        group.throughput(Throughput::Elements(n));
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, &n| {
            b.iter(|| pool.map(square, 0..n).unwrap());
        });
    }
    group.finish();
}

fn p6_bytes(c: &mut Criterion) {
    let pool = Pool::new(cores()).unwrap();
    let mut group = c.benchmark_group("P6_bytes");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    for size in P6_SIZES {
        group.throughput(Throughput::Bytes(size as u64));
        let payload = vec![7u8; size];
        group.bench_with_input(BenchmarkId::new("argument", size), &size, |b, _| {
            b.iter_batched(
                || payload.clone(),
                |bytes| pool.apply(len, bytes).unwrap(),
                BatchSize::LargeInput,
            );
        });
        group.bench_with_input(BenchmarkId::new("result", size), &size, |b, &size| {
            b.iter(|| black_box(pool.apply(filled, size).unwrap()));
        });
    }
    group.finish();
}

fn start(c: &mut Criterion) {
    let mut group = c.benchmark_group("start");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    for n in START_WORKERS {
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, &n| {
            b.iter(|| {
                let barrier = Barrier::new(n + 1).unwrap();
                let pool = Pool::builder()
                    .processes(n)
                    .initializer(meet, barrier.clone())
                    .build()
                    .unwrap();
                barrier.wait().unwrap();
                pool.close();
                pool.join().unwrap();
            });
        });
    }
    group.finish();
}

criterion_group!(benches, p2_items, p6_bytes, start);

fn main() {
    support::run_started();
    benches();
    criterion::Criterion::default()
        .configure_from_args()
        .final_summary();
}
