//! Port of seed 000, §9.5 "线程池" (thread pool): `ThreadPoolExecutor(100)`
//! running 1,000 tasks that each print their number, sleep, and print how
//! long they slept.
//!
//! The Python program sleeps 10 s per task (100 s in all); this port sleeps
//! 20 ms, so the ideal wall time is 1,000 / 100 × 20 ms = 200 ms, and prints
//! the measured wall time against it.
//!
//! Run with `cargo run --release --example thread_pool_1000_tasks`.

use std::time::{Duration, Instant};

use poolrt::thread::ThreadPoolExecutor;

const TASKS: usize = 1000;
const THREADS: usize = 100;
const SLEEP: Duration = Duration::from_millis(20);

fn task(line: usize) -> Duration {
    let a = Instant::now();
    println!("{line}");
    std::thread::sleep(SLEEP);
    let slept = a.elapsed();
    println!("{:.4}", slept.as_secs_f64());
    slept
}

fn main() -> Result<(), poolrt::Error> {
    // "pool只能创建100个线程": the pool creates at most 100 threads.
    let pool = ThreadPoolExecutor::new(THREADS)?;
    let start = Instant::now();
    let futures: Vec<_> = (0..TASKS)
        .map(|line| pool.submit(move || task(line)).expect("the pool is open"))
        .collect();
    let mut slowest = Duration::ZERO;
    for future in &futures {
        slowest = slowest.max(future.result()?);
    }
    let wall = start.elapsed();
    let ideal = SLEEP * (TASKS / THREADS) as u32;
    println!(
        "\n{TASKS} tasks of {SLEEP:?} on {THREADS} threads: wall {wall:.1?}, ideal {ideal:?} ({:.3}x); longest single sleep {slowest:.1?}; threads started: {}",
        wall.as_secs_f64() / ideal.as_secs_f64(),
        pool.metrics().workers
    );
    Ok(())
}
