//! `ThreadPoolExecutor` is the hand-made pool with callbacks: every job's
//! callback learns whether it succeeded, `close()` runs every queued job,
//! and `terminate()` drops the jobs still queued.
//!
//! Python original: seed 002, "thread pool (2)", a hand-made thread pool.
//! The Python program builds a pool that starts threads on demand up to
//! `max_num`, reuses idle ones, runs `func(*args)` for each job and then
//! `callback(status, result)`, where `status` says whether `func` raised;
//! `close()` lets queued jobs finish and stops the threads, `terminate()`
//! stops them without running what is still queued.
//!
//! All of that is `ThreadPoolExecutor`: threads start on demand and idle
//! ones are reused; `add_done_callback` gets the outcome (the `status` of
//! the original); `shutdown()` is `close()`, and
//! `shutdown_with(Wait::Yes, CancelFutures::Yes)` is `terminate()`. A job
//! that fails returns an `Err` (Python raises): job 13 fails on purpose,
//! and its callback reports it. Sleeps are 20 ms instead of 1 s.
//!
//! Run with `cargo run --example handmade_pool_callbacks`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::time::Duration;

use poolrt::thread::ThreadPoolExecutor;
use poolrt::{CancelFutures, Wait};

/// The original's `func`: job 13 fails.
fn work(i: u32) -> Result<u32, String> {
    std::thread::sleep(Duration::from_millis(20));
    if i == 13 {
        return Err(format!("unlucky job {i}"));
    }
    Ok(i)
}

/// The original's `callback(status, result)`.
fn callback(status: bool, result: String, counts: &Counts) {
    if status {
        counts.succeeded.fetch_add(1, SeqCst);
    } else {
        counts.failed.fetch_add(1, SeqCst);
        println!("callback: job failed: {result}");
    }
}

/// What the callbacks saw.
#[derive(Default)]
struct Counts {
    succeeded: AtomicUsize,
    failed: AtomicUsize,
}

fn main() -> Result<(), poolrt::Error> {
    println!(
        "A thread pool with callbacks: close() runs all 50 queued jobs (one fails on \
         purpose), terminate() cancels the jobs not yet started.\n"
    );
    let pool = ThreadPoolExecutor::new(10)?;
    let counts = Arc::new(Counts::default());
    for item in 0..50 {
        let future = pool.submit(move || work(item)).expect("the pool is open");
        let counts = counts.clone();
        future.add_done_callback(move |outcome| match outcome {
            Ok(Ok(value)) => callback(true, value.to_string(), &counts),
            Ok(Err(why)) => callback(false, why.clone(), &counts),
            Err(error) => callback(false, error.to_string(), &counts),
        });
    }
    // pool.close(): every queued job runs, then the threads stop.
    pool.shutdown();
    println!(
        "close(): {} jobs ran; their callbacks saw {} succeed and {} fail",
        pool.metrics().completed,
        counts.succeeded.load(SeqCst),
        counts.failed.load(SeqCst)
    );

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
    println!(
        "terminate(): of 10 jobs on 2 threads, {finished} had started and finished, \
         {cancelled} were cancelled before they started"
    );
    Ok(())
}
