//! [`Gate`]: tasks block until the test lets them go.

use std::sync::{Arc, Condvar, Mutex};

use crate::BOUND;

/// A one-shot gate: tasks block in `wait` until the test calls `open`.
/// Clones share one gate.
#[derive(Clone, Default)]
pub struct Gate {
    inner: Arc<(Mutex<bool>, Condvar)>,
}

impl Gate {
    /// A closed gate.
    pub fn new() -> Gate {
        Gate::default()
    }

    /// Opens the gate: every waiter, present and future, goes on.
    pub fn open(&self) {
        *self.inner.0.lock().unwrap() = true;
        self.inner.1.notify_all();
    }

    /// Blocks until opened; panics after [`BOUND`] so a bug fails, not hangs.
    pub fn wait(&self) {
        let guard = self.inner.0.lock().unwrap();
        let (guard, timeout) = self
            .inner
            .1
            .wait_timeout_while(guard, BOUND, |open| !*open)
            .unwrap();
        assert!(*guard && !timeout.timed_out(), "gate never opened");
    }
}
