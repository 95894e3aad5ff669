//! `ThreadPoolExecutor(10)` is a concurrency limit: 99 jobs of 50 ms run at
//! most ten at a time, in waves of ten, and the program measures both.
//!
//! Python original: seed 002, "custom thread pool (1)", a hand-made thread
//! pool. The Python program limits concurrency by hand: a `queue.Queue(10)` holds
//! ten "tickets" (the `threading.Thread` class itself); each of 99 jobs takes
//! a ticket, starts a thread that sleeps 1 s and prints its number, and puts
//! the ticket back when done, so at most ten threads run at a time.
//!
//! With poolrt the executor *is* the limit: `ThreadPoolExecutor(10)` runs at
//! most ten tasks at once and reuses its threads. The printed numbers come
//! in waves of ten, as in the original. Sleeps are 50 ms instead of 1 s.
//!
//! Run with `cargo run --example handmade_pool_limit`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use poolrt::thread::ThreadPoolExecutor;

fn main() -> Result<(), poolrt::Error> {
    println!("99 jobs on a pool of 10 threads: at most ten run at once.\n");
    let pool = ThreadPoolExecutor::new(10)?;
    let running = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    for n in 1..100 {
        let (running, most) = (running.clone(), most.clone());
        pool.submit(move || {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(50));
            println!("{n}");
            running.fetch_sub(1, Ordering::SeqCst);
        })
        .expect("the pool is open");
    }
    // Leaving the scope would do the same: shutdown waits for every task.
    pool.shutdown();
    println!(
        "\n99 jobs in {:.0?} (ten waves of 50 ms: about 500 ms); at most {} ran at once (the limit is 10)",
        start.elapsed(),
        most.load(Ordering::SeqCst),
    );
    Ok(())
}
