//! `ProcessPoolExecutor::map(...).timeout(d)` and `Pool::imap(...)
//! .timeout(d)`: Python's `Executor.map(timeout=…)`, a deadline counted
//! from the call, after which the late result is a timeout and the
//! iteration ends.

mod support;

use std::time::Duration;

use pool_process::{Pool, ProcessPoolExecutor};
use support::{BOUND, Rendezvous, hold};

fn square(x: u64) -> u64 {
    x * x
}

/// Blocks until the test lets it go (or the rendezvous is dropped).
fn held(path: String) -> u64 {
    hold(&path);
    0
}

#[test]
fn results_within_the_deadline_come_as_usual() {
    let executor = ProcessPoolExecutor::new(2).unwrap();
    let squares: Vec<u64> = executor
        .map(square, 0..10)
        .timeout(BOUND)
        .map(Result::unwrap)
        .collect();
    assert_eq!(squares, (0..10).map(square).collect::<Vec<_>>());
}

#[test]
fn a_late_result_is_a_timeout_and_ends_the_iteration() {
    let executor = ProcessPoolExecutor::new(1).unwrap();
    let rendezvous = Rendezvous::new();
    let mut results = executor
        .map(held, [rendezvous.path(), rendezvous.path()])
        .timeout(Duration::from_millis(50));
    // The first task runs, and is held past the deadline.
    let running = rendezvous.arrival_within(BOUND).expect("the task started");
    let error = results.next().unwrap().unwrap_err();
    assert!(error.is_timeout(), "{error}");
    assert!(error.to_string().contains("of the call"), "{error}");
    assert!(
        results.next().is_none(),
        "the iteration ends, as Python's raises"
    );
    drop(results);
    // The running task is let go; the executor carries on.
    running.release();
    assert_eq!(
        executor
            .submit(square, 3)
            .unwrap()
            .result_timeout(BOUND)
            .unwrap(),
        9
    );
}

#[test]
fn the_pools_imap_has_the_same_deadline() {
    let pool = Pool::new(1).unwrap();
    let rendezvous = Rendezvous::new();
    let mut results = pool
        .imap_unordered(held, [rendezvous.path()])
        .timeout(Duration::from_millis(50));
    let running = rendezvous.arrival_within(BOUND).expect("the task started");
    assert!(results.next().unwrap().unwrap_err().is_timeout());
    assert!(results.next().is_none());
    drop(results);
    running.release();
    assert_eq!(pool.apply(square, 4).unwrap(), 16);
}
