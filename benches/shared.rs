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
//! - **S5**: `SharedMemory` bandwidth: 64 MiB written with `write_at`
//!   into a named block that a child process holds open, and read back
//!   with `read_at`, MiB/s; beside it the same write as a raw `memcpy`
//!   through `as_ptr` (what `unsafe` zero-copy code gets), and a plain
//!   64 MiB `memcpy` between two private buffers (the floor).
//! - **QL**: a child streams 16 items of 4 MiB through a `process::Queue`
//!   (each larger than its buffer, so each travels in a memfd of its own),
//!   MiB/s; beside it the same stream through a `process::Pipe`. The
//!   items are serde bytes (as `serde_bytes` makes them), not a sequence
//!   of `u8`s, which would measure postcard rather than the queue.
//! - **S6**: an 8-byte message echoed by a child process connected with
//!   `connection::Client` to a `connection::Listener` (authkey
//!   handshake once, then `send_bytes`/`recv_bytes`), over a Linux
//!   abstract Unix socket and over TCP on 127.0.0.1, time per round trip.
//! - **V1**: reading and writing a 1M-element `process::Array<f64>` as
//!   one slice (`get_slice(..)`, `set_slice(..)`), GB/s; beside it
//!   `RawArray`'s read.
//! - **V2**: one round of a `process::Barrier` of two, the other party a
//!   child process, time per round; beside it `thread::Barrier` between
//!   two threads.
//!
//! CPython's figures for S1–S4 come from `benches/cpython_pool.py S1 S2 S3
//! S4` (`multiprocessing.Queue`, `Pipe` and `Lock`), S5's from
//! `benches/cpython_pool.py S5` (`shm.buf[:] = data`, `memoryview(out)[:] = shm.buf`),
//! and S6's from `benches/cpython_pool.py S6` (`multiprocessing.connection`).
//!
//! - **M1** (`manager/`): a `Manager` proxy's dict get, dict set and
//!   Namespace read, from the owner and from a child, beside CPython's
//!   `multiprocessing.Manager` run by the same bench (`cpython_pool.py M1`).

mod manager;
mod support;

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group};
use poolrt::process::connection::{Address, Client, Listener};
use poolrt::process::{Connection, Event, Pipe, Process, Queue, SharedMemory};
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

/// S5's payload: 64 MiB.
const BLOCK: usize = 64 << 20;

/// In a child: keeps its view of the block open until told to let go.
fn hold_open(shm: SharedMemory, done: Event) {
    done.wait_timeout(Duration::from_secs(600));
    drop(shm);
}

fn s5(c: &mut Criterion) {
    let mut group = c.benchmark_group("S5");
    group
        .throughput(Throughput::Bytes(BLOCK as u64))
        .sample_size(10);
    let shm = SharedMemory::create(None, BLOCK).unwrap();
    let done = Event::new().unwrap();
    let child = Process::new(hold_open, (shm.clone_handle().unwrap(), done.clone()));
    child.start().unwrap();
    let data: Vec<u8> = (0..BLOCK).map(|i| i as u8).collect();
    let mut out = vec![0u8; BLOCK];
    group.bench_function("shared_memory_write", |b| {
        b.iter(|| shm.write_at(0, black_box(&data)).unwrap());
    });
    group.bench_function("shared_memory_read", |b| {
        b.iter(|| shm.read_at(0, black_box(&mut out)).unwrap());
    });
    // Only when the read ran (a filter may skip it).
    assert!(out == data || out.iter().all(|&b| b == 0));
    group.bench_function("shared_memory_raw_write", |b| {
        b.iter(|| {
            // SAFETY: `as_ptr` is valid for `BLOCK` bytes while `shm`
            // lives; no other thread or process touches the block during
            // the bench (the child only holds it open), and no reference
            // into it exists.
            unsafe { std::ptr::copy_nonoverlapping(black_box(data.as_ptr()), shm.as_ptr(), BLOCK) }
        });
    });
    group.bench_function("memcpy", |b| {
        b.iter(|| out.copy_from_slice(black_box(&data)));
    });
    done.set();
    child.join().unwrap();
    shm.unlink().unwrap();
    group.finish();
}

/// QL's items: larger than a queue's default 1 MiB buffer.
const LARGE_ITEMS: u64 = 16;
const LARGE_BYTES: usize = 4 << 20;

/// A byte string that serde sees as bytes, not as a sequence of `u8`s
/// (what `serde_bytes` does, and what pickling `bytes` is in CPython).
struct Blob(Vec<u8>);

impl serde::Serialize for Blob {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Blob {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Blob, D::Error> {
        struct Bytes;
        impl serde::de::Visitor<'_> for Bytes {
            type Value = Blob;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E>(self, bytes: &[u8]) -> Result<Blob, E> {
                Ok(Blob(bytes.to_vec()))
            }
        }
        d.deserialize_bytes(Bytes)
    }
}

fn stream_large_queue(q: Queue<Blob>, n: u64) {
    for _ in 0..n {
        q.put(Blob(vec![7u8; LARGE_BYTES])).unwrap();
    }
}

fn stream_large_pipe(conn: Connection, n: u64) {
    for _ in 0..n {
        conn.send(&Blob(vec![7u8; LARGE_BYTES])).unwrap();
    }
}

fn ql(c: &mut Criterion) {
    let mut group = c.benchmark_group("QL");
    group
        .throughput(Throughput::Bytes(LARGE_ITEMS * LARGE_BYTES as u64))
        .sample_size(10);
    group.bench_function("process_queue_large_items", |b| {
        b.iter_custom(|iters| {
            timed_streams(iters, || {
                let q = Queue::new(0).unwrap();
                let child = Process::new(stream_large_queue, (q.clone(), LARGE_ITEMS));
                child.start().unwrap();
                let start = Instant::now();
                for _ in 0..LARGE_ITEMS {
                    black_box(q.get().unwrap());
                }
                let took = start.elapsed();
                child.join().unwrap();
                took
            })
        });
    });
    group.bench_function("process_pipe_large_items", |b| {
        b.iter_custom(|iters| {
            timed_streams(iters, || {
                let (here, there) = Pipe(false).unwrap();
                let child = Process::new(stream_large_pipe, (there, LARGE_ITEMS));
                child.start().unwrap();
                let start = Instant::now();
                for _ in 0..LARGE_ITEMS {
                    black_box(here.recv::<Blob>().unwrap());
                }
                let took = start.elapsed();
                child.join().unwrap();
                took
            })
        });
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
    let mib_s = |name: &str| median_seconds("S5", name).map(|s| (BLOCK >> 20) as f64 / s);
    if let (Some(w), Some(r), Some(m)) = (
        mib_s("shared_memory_write"),
        mib_s("shared_memory_read"),
        mib_s("memcpy"),
    ) {
        let raw = mib_s("shared_memory_raw_write").unwrap_or(f64::NAN);
        println!(
            "S5 SharedMemory 64 MiB write_at {w:.0} MiB/s, read_at {r:.0} MiB/s, \
             raw memcpy via as_ptr {raw:.0} MiB/s (private memcpy {m:.0} MiB/s)"
        );
    }
    let mib_per_s = |name: &str| {
        median_seconds("QL", name)
            .map(|s| (LARGE_ITEMS * LARGE_BYTES as u64) as f64 / s / (1 << 20) as f64)
    };
    if let (Some(q), Some(p)) = (
        mib_per_s("process_queue_large_items"),
        mib_per_s("process_pipe_large_items"),
    ) {
        println!("QL process::Queue 4 MiB items {q:.0} MiB/s (process::Pipe {p:.0} MiB/s)");
    }
    if let (Some(unix), Some(tcp)) = (
        median_seconds("S6", "listener_unix_round_trip_8_bytes"),
        median_seconds("S6", "listener_tcp_round_trip_8_bytes"),
    ) {
        println!(
            "S6 Listener/Client 8-byte round trip {:.1} us over a Unix socket, {:.1} us over TCP",
            unix * 1e6,
            tcp * 1e6
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

/// The S6 child: connects to the listener and echoes every message.
fn echo_client(address: Address, key: Vec<u8>) {
    let conn = Client::new().authkey(key).connect(address).unwrap();
    while let Ok(message) = conn.recv_bytes(None) {
        conn.send_bytes(&message, 0, None).unwrap();
    }
}

fn s6(c: &mut Criterion) {
    let mut group = c.benchmark_group("S6");
    let abstract_name = format!("\0poolrt-bench-s6-{}", std::process::id());
    for (name, address) in [
        ("listener_unix_round_trip_8_bytes", abstract_name.as_str()),
        ("listener_tcp_round_trip_8_bytes", "127.0.0.1:0"),
    ] {
        let listener = Listener::builder().authkey(b"bench").bind(address).unwrap();
        let child = Process::new(echo_client, (listener.address().clone(), b"bench".to_vec()));
        child.start().unwrap();
        let conn = listener.accept_timeout(Duration::from_secs(30)).unwrap();
        let mut buf = [0u8; 8];
        group.bench_function(name, |b| {
            b.iter(|| {
                conn.send_bytes(black_box(&7u64.to_le_bytes()), 0, None)
                    .unwrap();
                black_box(conn.recv_bytes_into(&mut buf, 0).unwrap())
            });
        });
        conn.close();
        child.join().unwrap();
    }
    group.finish();
}

criterion_group!(benches, s1, s2, s3, s4, s5, ql, s6, v1, v2, manager::m1);

fn main() {
    support::run_started();
    benches();
    Criterion::default().configure_from_args().final_summary();
    summary();
    manager::summary();
}
