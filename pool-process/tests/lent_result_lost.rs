//! A worker that dies after it lent its result and before the parent read
//! it (killed from outside in that window; here by the fault hook) fails
//! the task as a lost worker, with its pid and the signal, not as a bad
//! reply; the pool replaces it and goes on. Its own binary: the hook is
//! process-wide and takes the next lent reply of any pool.

mod support;

use std::error::Error as _;

use pool_process::{ExitReason, Pool, WorkerExit};
use support::large_results::pattern;
use support::worker_pid;

#[test]
fn a_lender_killed_before_its_result_is_read_is_a_lost_worker() {
    const LEN: usize = 2 << 20;
    let pool = Pool::new(1).unwrap();
    let first = pool.apply(worker_pid, ()).unwrap();
    pool_process::fault_kill_next_lender();
    let err = pool.apply(pattern, LEN).unwrap_err();
    assert!(err.is_worker_lost(), "{err:?}");
    let exit = err.source().and_then(|s| s.downcast_ref::<WorkerExit>());
    assert_eq!(
        exit.map(|e| (e.pid, &e.status)),
        Some((first, &ExitReason::Signal(9)))
    );
    // Replaced, and the next large result is lent and read as usual.
    assert!(pool.apply(pattern, LEN).unwrap() == pattern(LEN));
    assert_ne!(pool.apply(worker_pid, ()).unwrap(), first);
    assert_eq!(pool.metrics().deaths, 1);
}
