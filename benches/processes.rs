//! The process backend on DESIGN.md's workloads (W = available cores), with
//! the reference measured in the same run:
//!
//! - **pipe**: a bare 8-byte round trip over two pipes to a child process
//!   (`cat`), the floor for any pipe-based pool.
//! - **P1**: sequential blocking `apply(identity, u64)` on W processes, time
//!   per call; the same through `ProcessPoolExecutor::submit().result()`.
//! - **P2**: `map(square, 0..1_000_000)` with default chunking, items/s.
//! - **P3**: `imap_unordered(square, 0..1_000_000, chunksize 1000)`, items/s.
//! - **P4**: 64 CPU tasks of ~10 ms on W processes against the same tasks
//!   run serially; efficiency = (serial / W) / wall.
//! - **P5**: start W processes, get one trivial result, shut down.
//! - **P6**: `apply(len, 16 MiB Vec<u8>)`, MiB/s of argument transfer (the
//!   vector's clone is made outside the timing), against a memcpy of the
//!   same bytes in one process.
//!
//! procspawn, the one other Rust process pool, runs P1, P4, P5 and P6 beside
//! poolrt (`procspawn_*`), and P6 also measures a 16 MiB result
//! (`result_16MiB`). CPython's figures for the same workloads come from
//! `benches/cpython_pool.py`. A summary at the end prints the README's
//! figures from this run's medians.

mod support;

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group};
use poolrt::process::{Pool, ProcessPoolExecutor};
use support::{bench_pipe_round_trip, calibrate, cores, median_seconds, spin};

const ITEMS: u64 = 1_000_000;
const P4_TASKS: usize = 64;
const P6_BYTES: usize = 16 << 20;

fn identity(x: u64) -> u64 {
    x
}

fn square(x: u64) -> u64 {
    x.wrapping_mul(x)
}

fn len(bytes: Vec<u8>) -> usize {
    bytes.len()
}

fn filled(bytes: usize) -> Vec<u8> {
    vec![7u8; bytes]
}

fn spin_task(rounds: u64) -> u64 {
    spin(rounds)
}

fn pipe(c: &mut Criterion) {
    let mut group = c.benchmark_group("pipe");
    bench_pipe_round_trip(&mut group, "round_trip_8_bytes");
    group.finish();
}

fn p1(c: &mut Criterion) {
    let pool = Pool::new(cores()).unwrap();
    let mut group = c.benchmark_group("P1");
    group.bench_function("apply_identity", |b| {
        b.iter(|| pool.apply(identity, black_box(7)).unwrap());
    });
    drop(pool);
    let executor = ProcessPoolExecutor::new(cores()).unwrap();
    group.bench_function("executor_submit_result", |b| {
        b.iter(|| {
            executor
                .submit(identity, black_box(7))
                .unwrap()
                .result()
                .unwrap()
        });
    });
    drop(executor);
    let peer = procspawn::Pool::new(cores()).unwrap();
    group.bench_function("procspawn_identity", |b| {
        b.iter(|| peer.spawn(black_box(7u64), identity).join().unwrap());
    });
    peer.shutdown();
    group.finish();
}

fn p2_p3(c: &mut Criterion) {
    let pool = Pool::new(cores()).unwrap();
    let mut group = c.benchmark_group("P2");
    group
        .sample_size(20)
        .throughput(Throughput::Elements(ITEMS));
    group.bench_function("map_square", |b| {
        b.iter(|| pool.map(square, 0..ITEMS).unwrap());
    });
    group.finish();

    let mut group = c.benchmark_group("P3");
    group
        .sample_size(20)
        .throughput(Throughput::Elements(ITEMS));
    group.bench_function("imap_unordered_square", |b| {
        b.iter(|| {
            pool.imap_unordered_chunked(square, 0..ITEMS, 1000)
                .map(Result::unwrap)
                .fold(0u64, u64::wrapping_add)
        });
    });
    group.finish();
}

fn p4(c: &mut Criterion) {
    let w = cores();
    let rounds = calibrate(Duration::from_millis(10));
    let mut group = c.benchmark_group("P4");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("serial", |b| {
        b.iter(|| {
            (0..P4_TASKS)
                .map(|_| spin(rounds))
                .fold(0, u64::wrapping_add)
        });
    });
    let pool = Pool::builder()
        .processes(w)
        .pin_cores(true)
        .build()
        .unwrap();
    group.bench_function("pool", |b| {
        b.iter(|| {
            let results: Vec<_> = (0..P4_TASKS)
                .map(|_| pool.apply_async(spin_task, rounds).unwrap())
                .collect();
            results
                .iter()
                .map(|r| r.get().unwrap())
                .fold(0, u64::wrapping_add)
        });
    });
    drop(pool);
    let peer = procspawn::Pool::new(w).unwrap();
    group.bench_function("procspawn", |b| {
        b.iter(|| {
            let handles: Vec<_> = (0..P4_TASKS)
                .map(|_| peer.spawn(rounds, spin_task))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap())
                .fold(0, u64::wrapping_add)
        });
    });
    peer.shutdown();
    group.finish();
}

fn p5(c: &mut Criterion) {
    let w = cores();
    let mut group = c.benchmark_group("P5");
    group.sample_size(30);
    group.bench_function("start_one_result_shutdown", |b| {
        b.iter(|| {
            let pool = Pool::new(w).unwrap();
            let value = pool.apply(identity, 1).unwrap();
            pool.close();
            pool.join().unwrap();
            value
        });
    });
    group.bench_function("procspawn", |b| {
        b.iter(|| {
            let pool = procspawn::Pool::new(w).unwrap();
            let value = pool.spawn(1u64, identity).join().unwrap();
            pool.shutdown();
            value
        });
    });
    group.finish();
}

fn p6(c: &mut Criterion) {
    let pool = Pool::new(cores()).unwrap();
    let payload = vec![7u8; P6_BYTES];
    let mut group = c.benchmark_group("P6");
    group
        .sample_size(20)
        .throughput(Throughput::Bytes(P6_BYTES as u64));
    group.bench_function("apply_len_16MiB", |b| {
        b.iter_batched(
            || payload.clone(),
            |bytes| pool.apply(len, bytes).unwrap(),
            BatchSize::LargeInput,
        );
    });
    let mut copy = vec![0u8; P6_BYTES];
    group.bench_function("memcpy_16MiB", |b| {
        b.iter(|| copy.copy_from_slice(black_box(&payload)));
    });
    group.bench_function("result_16MiB", |b| {
        b.iter(|| pool.apply(filled, P6_BYTES).unwrap());
    });
    drop(pool);
    let peer = procspawn::Pool::new(cores()).unwrap();
    group.bench_function("procspawn_len_16MiB", |b| {
        b.iter_batched(
            || payload.clone(),
            |bytes| peer.spawn(bytes, len).join().unwrap(),
            BatchSize::LargeInput,
        );
    });
    peer.shutdown();
    group.finish();
}

/// `"(Nx procspawn)"` when procspawn's figure for the same workload ran.
fn versus_procspawn(poolrt: f64, procspawn: Option<f64>) -> String {
    procspawn.map_or_else(String::new, |peer| {
        format!(
            " | procspawn {} ({:.1}x faster)",
            fmt_seconds(peer),
            peer / poolrt
        )
    })
}

fn fmt_seconds(s: f64) -> String {
    if s < 1e-3 {
        format!("{:.1} us", s * 1e6)
    } else {
        format!("{:.2} ms", s * 1e3)
    }
}

/// Prints the figures the README's table reports, from this run's medians.
fn summary() {
    let w = cores() as f64;
    println!("\n== processes summary (medians of this run, W = {w}) ==");
    let pipe = median_seconds("pipe", "round_trip_8_bytes");
    if let Some(p1) = median_seconds("P1", "apply_identity") {
        let pipe = pipe.map_or_else(String::new, |pipe| {
            format!(
                " | bare 8-byte pipe round trip {:.1} us ({:.2}x the pipe)",
                pipe * 1e6,
                p1 / pipe
            )
        });
        let peer = versus_procspawn(p1, median_seconds("P1", "procspawn_identity"));
        println!("P1 {:.1} us per apply{pipe}{peer}", p1 * 1e6);
    }
    if let Some(executor) = median_seconds("P1", "executor_submit_result") {
        println!("P1 {:.1} us per executor submit().result()", executor * 1e6);
    }
    if let Some(p2) = median_seconds("P2", "map_square") {
        println!(
            "P2 {:.1} M items/s (map, default chunking)",
            ITEMS as f64 / p2 / 1e6
        );
    }
    if let Some(p3) = median_seconds("P3", "imap_unordered_square") {
        println!(
            "P3 {:.1} M items/s (imap_unordered, chunksize 1000)",
            ITEMS as f64 / p3 / 1e6
        );
    }
    if let Some(serial) = median_seconds("P4", "serial") {
        for id in ["pool", "procspawn"] {
            if let Some(wall) = median_seconds("P4", id) {
                println!(
                    "P4 {id}: {:.1} ms wall vs {:.1} ms serial, efficiency {:.3}",
                    wall * 1e3,
                    serial * 1e3,
                    serial / w / wall
                );
            }
        }
    }
    if let Some(p5) = median_seconds("P5", "start_one_result_shutdown") {
        let peer = versus_procspawn(p5, median_seconds("P5", "procspawn"));
        println!(
            "P5 {} to start {w} workers, get one result and shut down{peer}",
            fmt_seconds(p5)
        );
    }
    let mib_s = |s: f64| P6_BYTES as f64 / (1 << 20) as f64 / s;
    if let Some(p6) = median_seconds("P6", "apply_len_16MiB") {
        let peer = median_seconds("P6", "procspawn_len_16MiB").map_or_else(String::new, |peer| {
            format!(" | procspawn {:.0} MiB/s ({:.1}x)", mib_s(peer), peer / p6)
        });
        println!(
            "P6 {:.0} MiB/s of argument transfer (16 MiB per apply){peer}",
            mib_s(p6)
        );
    }
    if let Some(memcpy) = median_seconds("P6", "memcpy_16MiB") {
        println!(
            "P6 baseline: memcpy {:.0} MiB/s in one process",
            mib_s(memcpy)
        );
    }
    if let Some(p6) = median_seconds("P6", "result_16MiB") {
        println!(
            "P6 {:.0} MiB/s of result transfer (16 MiB per result)",
            mib_s(p6)
        );
    }
}

criterion_group!(benches, pipe, p1, p2_p3, p4, p5, p6);

fn main() {
    // procspawn's children start as copies of this binary and run their
    // task here; poolrt's workers never reach `main`.
    procspawn::init();
    support::run_started();
    benches();
    Criterion::default().configure_from_args().final_summary();
    summary();
}
