//! Port of seed 002, "线程池（二）" (hand-made thread pool, version 2).
//!
//! The Python program builds a pool that starts threads on demand up to
//! `max_num`, reuses idle ones, runs `func(*args)` for each job and then
//! `callback(status, result)`, where `status` says whether `func` raised;
//! `close()` lets queued jobs finish and stops the threads, `terminate()`
//! stops them without running what is still queued.
//!
//! All of that is `ThreadPoolExecutor`: threads start on demand and idle
//! ones are reused; `add_done_callback` gets the outcome (value or error,
//! the `status` of the original); `shutdown()` is `close()`, and
//! `shutdown_with(Wait::No, CancelFutures::Yes)` is `terminate()`.
//! Sleeps are 20 ms instead of 1 s.
//!
//! Run with `cargo run --example handmade_pool_callbacks`.

use std::time::Duration;

use poolrt::thread::ThreadPoolExecutor;
use poolrt::{CancelFutures, Wait};

fn work(i: u32) -> u32 {
    std::thread::sleep(Duration::from_millis(20));
    if i == 13 {
        panic!("unlucky job {i}");
    }
    println!("{i}");
    i
}

/// The original's `callback(status, result)`.
fn callback(status: bool, result: String) {
    if !status {
        println!("callback: job failed: {result}");
    }
}

fn main() -> Result<(), poolrt::Error> {
    let pool = ThreadPoolExecutor::new(10)?;
    for item in 0..50 {
        let future = pool.submit(move || work(item)).expect("the pool is open");
        future.add_done_callback(|outcome| match outcome {
            Ok(value) => callback(true, value.to_string()),
            Err(error) => callback(
                false,
                error
                    .panic()
                    .map_or_else(|| error.to_string(), |p| p.message().to_owned()),
            ),
        });
    }
    // pool.close(): every queued job runs, then the threads stop.
    pool.shutdown();
    println!("close(): {} jobs completed", pool.metrics().completed);

    // pool.terminate(): jobs still queued are dropped.
    let pool = ThreadPoolExecutor::new(2)?;
    let futures: Vec<_> = (100..110)
        .map(|i| pool.submit(move || work(i)).expect("the pool is open"))
        .collect();
    // Terminate once the first job is under way.
    while !futures[0].running() && !futures[0].done() {
        std::thread::sleep(Duration::from_millis(1));
    }
    let cancelled = pool.shutdown_with(Wait::Yes, CancelFutures::Yes);
    let finished = futures.iter().filter(|f| !f.cancelled()).count();
    println!("terminate(): {finished} jobs had started and finished, {cancelled} were cancelled");
    Ok(())
}
