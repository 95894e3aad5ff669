//! A pool of 100 threads runs 1,000 sleeping tasks 100 at a time: ten
//! waves, so the wall time is close to ten sleeps, not a thousand.
//!
//! Python original: seed 000, section 9.5 "thread pool": a
//! `ThreadPoolExecutor(100)` runs 1,000 tasks that each print their number,
//! sleep 10 s and print how long they slept (about 100 s in all).
//!
//! Here each task sleeps 20 ms, so the ideal wall time is
//! 1,000 / 100 × 20 ms = 200 ms. Instead of the original's 2,000 lines the
//! program prints what a few tasks report and a summary: the measured wall
//! time against the ideal, and the threads the pool started.
//!
//! Run with `cargo run --release --example thread_pool_1000_tasks`.

use std::time::{Duration, Instant};

use poolrt::thread::ThreadPoolExecutor;

const TASKS: usize = 1000;
const THREADS: usize = 100;
const SLEEP: Duration = Duration::from_millis(20);
/// How many tasks' reports to print.
const SAMPLE: usize = 5;

/// One task: sleeps and reports how long the sleep took.
fn task(_line: usize) -> Duration {
    let a = Instant::now();
    std::thread::sleep(SLEEP);
    a.elapsed()
}

fn main() -> Result<(), poolrt::Error> {
    println!(
        "{TASKS} tasks sleeping {SLEEP:?} each on a pool of {THREADS} threads: \
         they run {THREADS} at a time, so the wall time is near {TASKS}/{THREADS} sleeps.\n"
    );
    // Python: ThreadPoolExecutor(100), "the pool creates at most 100 threads".
    let pool = ThreadPoolExecutor::new(THREADS)?;
    let start = Instant::now();
    let futures: Vec<_> = (0..TASKS)
        .map(|line| pool.submit(move || task(line)).expect("the pool is open"))
        .collect();
    let mut slowest = Duration::ZERO;
    for (line, future) in futures.iter().enumerate() {
        let slept = future.result()?;
        slowest = slowest.max(slept);
        if line < SAMPLE || line == TASKS - 1 {
            println!("task {line:>3} slept {:.4} s", slept.as_secs_f64());
        } else if line == SAMPLE {
            println!("...");
        }
    }
    let wall = start.elapsed();
    let ideal = SLEEP * (TASKS / THREADS) as u32;
    println!(
        "\n{TASKS} tasks of {SLEEP:?} on {THREADS} threads: wall {wall:.1?}, ideal {ideal:?} ({:.2}x the ideal; \
         serially it would be {:?}); longest single sleep {slowest:.1?}; threads started: {}",
        wall.as_secs_f64() / ideal.as_secs_f64(),
        SLEEP * TASKS as u32,
        pool.metrics().workers
    );
    Ok(())
}
