//! An idle pool uses (next to) no CPU: its link threads park and its
//! worker processes sleep on their sockets instead of spinning.
//!
//! Alone in its own test binary so no other test's threads add CPU time.
//! CPU time is read from the kernel (`/proc/.../stat`), so the check holds
//! however loaded the machine is: a sleeping thread accrues none.

mod support;

use pool_process::Pool;
use pool_test_support::assert_idle;
use support::{live_workers, pool_stats};

#[test]
fn an_idle_pool_uses_less_than_one_percent_of_a_core() {
    let pool = Pool::new(2).unwrap();
    let total: u64 = pool.map(|x: u64| x * 2, 0..10_000).unwrap().iter().sum();
    assert_eq!(total, 2 * (0..10_000u64).sum::<u64>());
    let callbacks = pool
        .map_async_with(
            |x: u64| x,
            0..10,
            pool_process::Callbacks::new().on_result(|_: &Vec<u64>| {}),
        )
        .unwrap();
    callbacks.get().unwrap();
    let workers = live_workers(2, || pool.pids());
    let files = pool_stats(&workers);
    assert!(
        files.len() >= 5,
        "2 links, the result handler, 2 workers: {files:?}"
    );
    assert_idle(&files, "the idle pool");
    assert_eq!(pool.apply(|x: u64| x + 1, 1).unwrap(), 2, "and wakes up");
}
