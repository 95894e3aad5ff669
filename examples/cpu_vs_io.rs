//! The lesson of the seed tutorials (seed 004: "IO密集型用多线程，计算密集型用多进程",
//! IO-bound work → threads, CPU-bound work → processes), with real numbers.
//!
//! It runs one CPU-bound job (32 tasks of ~10 ms of arithmetic) and one
//! IO-bound job (32 tasks that each wait 20 ms, like a network call)
//! three ways: serially, on the thread backend (`ThreadPoolExecutor(32)`)
//! and on the process backend (`Pool(W)`, W = the cores available), and
//! prints wall times and speed-ups.
//!
//! Run with `cargo run --release --example cpu_vs_io` (a few seconds).

use std::time::{Duration, Instant};

use pool_test_support::{calibrate, cores, spin};
use poolrt::process::Pool;
use poolrt::thread::ThreadPoolExecutor;

const TASKS: usize = 32;
const THREADS: usize = 32;
const IO_WAIT: Duration = Duration::from_millis(20);

/// CPU-bound: pure arithmetic.
fn cpu_task(rounds: u64) -> u64 {
    spin(rounds)
}

/// IO-bound: waiting, as for a network reply.
fn io_task(wait_ms: u64) -> u64 {
    std::thread::sleep(Duration::from_millis(wait_ms));
    wait_ms
}

fn time(f: impl FnOnce() -> u64) -> Duration {
    let start = Instant::now();
    std::hint::black_box(f());
    start.elapsed()
}

fn main() -> Result<(), poolrt::Error> {
    let w = cores();
    let rounds = calibrate(Duration::from_millis(10));
    let wait_ms = IO_WAIT.as_millis() as u64;

    let started = Instant::now();
    let pool = Pool::builder().processes(w).pin_cores(true).build()?;
    pool.apply(cpu_task, 1)?; // the workers are up
    let pool_start = started.elapsed();
    let threads = ThreadPoolExecutor::new(THREADS)?;

    let mut rows = Vec::new();
    for (job, task, arg) in [
        ("CPU-bound", cpu_task as fn(u64) -> u64, rounds),
        ("IO-bound", io_task as fn(u64) -> u64, wait_ms),
    ] {
        let serial = time(|| (0..TASKS).map(|_| task(arg)).fold(0, u64::wrapping_add));
        let on_threads = time(|| {
            let futures: Vec<_> = (0..TASKS)
                .map(|_| {
                    threads
                        .submit(move || task(arg))
                        .expect("the executor is open")
                })
                .collect();
            futures
                .iter()
                .map(|f| f.result().expect("the task ran"))
                .fold(0, u64::wrapping_add)
        });
        let on_processes = time(|| {
            let values = if job == "CPU-bound" {
                pool.map_chunked(cpu_task, vec![arg; TASKS], 1)
            } else {
                pool.map_chunked(io_task, vec![arg; TASKS], 1)
            };
            values
                .expect("the tasks ran")
                .into_iter()
                .fold(0, u64::wrapping_add)
        });
        rows.push((job, serial, on_threads, on_processes));
    }

    println!(
        "{TASKS} tasks per job; {THREADS} threads; {w} worker processes (started in {pool_start:.1?})\n"
    );
    println!(
        "{:<10} {:>10} {:>18} {:>20}",
        "job", "serial", "threads", "processes"
    );
    for (job, serial, on_threads, on_processes) in &rows {
        let speedup = |d: &Duration| serial.as_secs_f64() / d.as_secs_f64();
        println!(
            "{job:<10} {:>8.0?} {:>9.0?} ({:>4.1}x) {:>10.0?} ({:>5.1}x)",
            serial,
            on_threads,
            speedup(on_threads),
            on_processes,
            speedup(on_processes)
        );
    }
    let (_, cpu_serial, cpu_threads, cpu_processes) = rows[0];
    let (_, io_serial, io_threads, io_processes) = rows[1];
    let x = |serial: Duration, d: Duration| serial.as_secs_f64() / d.as_secs_f64();
    println!(
        "\nIO-bound work: threads win ({:.1}x vs {:.1}x for {w} processes): a waiting thread costs almost nothing, so {THREADS} of them wait at once.",
        x(io_serial, io_threads),
        x(io_serial, io_processes)
    );
    println!(
        "CPU-bound work: processes use every core ({:.1}x on {w} cores). Rust threads have no GIL, so here they keep up ({:.1}x);\n\
         in CPython the same threads would stay near 1x, which is why the tutorials send CPU-bound work to processes.",
        x(cpu_serial, cpu_processes),
        x(cpu_serial, cpu_threads)
    );
    Ok(())
}
