//! After a burst of blocking calls on the direct lane, the pool goes
//! idle: the callers stop spinning when they return, the workers stop
//! spinning after a short while, and everything sleeps.
//!
//! Alone in its own test binary so no other test's threads add CPU time
//! (as `idle.rs`).

mod support;

use pool_process::Pool;
use pool_test_support::assert_idle;
use support::{live_workers, pool_stats};

#[test]
fn a_pool_goes_idle_after_a_burst_of_lane_calls() {
    let pool = Pool::new(2).unwrap();
    std::thread::scope(|s| {
        for t in 0..2u64 {
            let pool = &pool;
            s.spawn(move || {
                for x in 0..2_000 {
                    assert_eq!(pool.apply(|x: u64| x + 1, t + x).unwrap(), t + x + 1);
                }
            });
        }
    });
    let m = pool.metrics();
    assert!(
        m.completed - m.scheduler.completed > 0,
        "the lane was taken"
    );
    let workers = live_workers(2, || pool.pids());
    let files = pool_stats(&workers);
    assert!(files.len() >= 4, "2 links, 2 workers: {files:?}");
    assert_idle(&files, "the pool after lane calls");
    assert_eq!(pool.apply(|x: u64| x + 1, 1).unwrap(), 2, "and wakes up");
}
