//! Helpers for pool-core's black-box tests: a bare scheduler and its
//! shutdown. The helpers every crate's tests share come from
//! `pool-test-support`.
#![allow(dead_code, unreachable_pub, unused_imports)] // each test file uses a subset

use pool_core::{CancelFutures, Scheduler, SchedulerConfig};

pub use pool_test_support::{BOUND, Gate, block_on, eventually, started_signal};

/// A scheduler with `n` workers and no context.
pub fn scheduler(n: usize) -> Scheduler<()> {
    Scheduler::new(SchedulerConfig::new(n, |_| Ok(()))).expect("valid config")
}

/// Shuts a scheduler down and waits for its threads, failing on a hang.
pub fn stop<C>(scheduler: &Scheduler<C>) {
    scheduler.shutdown(CancelFutures::No);
    assert!(scheduler.join(Some(BOUND)), "workers did not exit");
}

/// Runs `f` on a helper thread and returns its value; fails instead of
/// hanging if it has not returned within [`BOUND`].
pub fn returns<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(BOUND) {
        Ok(value) => value,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            panic!("{what} did not return within {BOUND:?}")
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => panic!("{what} panicked"),
    }
}
