//! An async application: a tokio program on one runtime thread hands
//! CPU-bound work to a process pool and IO-bound work to a thread pool,
//! awaits both at once, and shuts both pools down without blocking.
//!
//! No Python seed: this is the async counterpart of seed 004's rule of
//! thumb (IO-bound → threads, CPU-bound → processes), in the shape of
//! Python's `loop.run_in_executor(ProcessPoolExecutor(), ...)` next to
//! `run_in_executor(ThreadPoolExecutor(), ...)` and `asyncio.gather`.
//!
//! The CPU-bound job counts primes in 8 ranges on a `Pool` of 2 worker
//! processes (each `AsyncResult` is awaited); the IO-bound job makes 16
//! simulated requests of 100 ms on a `ThreadPoolExecutor` of 16 threads
//! (each `TaskFuture` is awaited). The two jobs run as two tokio tasks
//! on a current-thread runtime, so the output shows them overlapping:
//! together they take about as long as the longer one, not the sum. Then
//! `Pool::join_async` and `shutdown_async` are awaited, so the runtime's
//! thread is never blocked on a pool.
//!
//! Run with `cargo run --release --example async_app`.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use poolrt::process::Pool;
use poolrt::thread::ThreadPoolExecutor;

const RANGES: u64 = 8;
const RANGE_SIZE: u64 = 40_000;
const REQUESTS: u64 = 16;
const REQUEST_WAIT: Duration = Duration::from_millis(100);

/// CPU-bound: counts the primes in `[start, start + RANGE_SIZE)` by trial
/// division; returns the count and the worker process's pid.
fn count_primes(start: u64) -> (u64, u32) {
    let is_prime = |n: u64| {
        n >= 2
            && (2..)
                .take_while(|d| d * d <= n)
                .all(|d| !n.is_multiple_of(d))
    };
    let count = (start..start + RANGE_SIZE).filter(|&n| is_prime(n)).count() as u64;
    (count, std::process::id())
}

/// IO-bound: waits as for a network reply; returns the thread's name.
fn request(id: u64) -> (u64, String) {
    std::thread::sleep(REQUEST_WAIT);
    let name = std::thread::current().name().unwrap_or("?").to_owned();
    (id, name)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!(
        "A tokio program on one runtime thread sends CPU-bound work to worker \
         processes and IO-bound work to threads, and awaits both at once."
    );
    let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    runtime.block_on(app())
}

async fn app() -> Result<(), Box<dyn std::error::Error>> {
    let pool = Pool::new(2)?;
    let executor = ThreadPoolExecutor::new(REQUESTS as usize)?;
    let start = Instant::now();

    // Submitting returns at once; the awaiting happens in two tokio tasks.
    let primes = (0..RANGES)
        .map(|i| pool.apply_async(count_primes, i * RANGE_SIZE))
        .collect::<Result<Vec<_>, _>>()?;
    let cpu = tokio::spawn(async move {
        let mut total = 0;
        let mut pids = BTreeSet::new();
        for result in primes {
            let (count, pid) = result.await?;
            total += count;
            pids.insert(pid);
        }
        Ok::<_, poolrt::Error>((total, pids, start.elapsed()))
    });
    let replies = (0..REQUESTS)
        .map(|id| executor.submit(move || request(id)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    let io = tokio::spawn(async move {
        let mut threads = BTreeSet::new();
        for (expected, reply) in (0..).zip(replies) {
            let (id, thread) = reply.await?;
            assert_eq!(id, expected);
            threads.insert(thread);
        }
        Ok::<_, poolrt::Error>((threads, start.elapsed()))
    });

    let (total, pids, cpu_time) = cpu.await??;
    let (threads, io_time) = io.await??;
    let both = start.elapsed();

    let parent = std::process::id();
    println!(
        "CPU-bound: {total} primes below {}, counted in {RANGES} ranges by worker processes {pids:?} \
         (this program is pid {parent}); done after {:.2} s",
        RANGES * RANGE_SIZE,
        cpu_time.as_secs_f64()
    );
    assert!(!pids.contains(&parent));
    println!(
        "IO-bound: {REQUESTS} requests of {} ms answered on {} threads; done after {:.2} s",
        REQUEST_WAIT.as_millis(),
        threads.len(),
        io_time.as_secs_f64()
    );
    println!(
        "Both awaited together: {:.2} s, against {:.2} s one after the other",
        both.as_secs_f64(),
        (cpu_time + io_time).as_secs_f64()
    );

    // Shut down without blocking the runtime's thread: a helper thread
    // waits, and the drops that follow return at once.
    pool.close();
    pool.join_async().await?;
    executor.shutdown_async().await?;
    println!(
        "Shut down with join_async().await and shutdown_async().await: {} worker processes left",
        pool.pids().len()
    );
    Ok(())
}
