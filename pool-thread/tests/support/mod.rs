//! Helpers shared by the black-box tests.
//!
//! Tests order threads by events and observable state, never by sleeping:
//! [`until`] polls a condition (a state change another thread makes), and
//! [`BOUND`] is only an upper bound that turns a hang into a failure.
#![allow(dead_code, unreachable_pub)] // each test file uses a subset

use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Upper bound for anything that should happen: generous, because the
/// machine may be loaded; reaching it means the code under test hung.
pub use pool_test_support::BOUND;

/// A timeout for calls that are expected to time out because nothing will
/// ever signal them; the length does not order anything.
pub const SHORT: Duration = Duration::from_millis(30);

/// Waits until `condition` holds, failing the test after [`BOUND`].
pub fn until(what: &str, condition: impl Fn() -> bool) {
    let start = Instant::now();
    while !condition() {
        assert!(start.elapsed() < BOUND, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Runs `f` on its own thread and returns its result, failing the test if
/// it takes longer than [`BOUND`] (a hang) or panics.
pub fn finishes<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(BOUND) {
        Ok(value) => value,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{what} hung"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{what} panicked"),
    }
}
