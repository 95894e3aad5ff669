//! Which worker slots have spawned their first child: [`Pool`](crate::Pool)'s
//! build waits on it, so that its workers are started (their pids known,
//! [`Pool::pids`](crate::Pool::pids) lists them) when it returns, as
//! Python's `Pool()` has started its processes when it returns. The
//! handshake and the initializer still run in the background.

use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

/// One flag per worker slot, set once its first spawn ended (a child, or
/// an error), with a condition variable to wait on.
pub(crate) struct FirstSpawns {
    done: Mutex<Vec<bool>>,
    changed: Condvar,
}

impl FirstSpawns {
    pub(crate) fn new(slots: usize) -> FirstSpawns {
        FirstSpawns {
            done: Mutex::new(vec![false; slots]),
            changed: Condvar::new(),
        }
    }

    /// Notes that `slot`'s first spawn ended; later spawns change nothing.
    pub(crate) fn mark(&self, slot: usize) {
        let mut done = self.done.lock();
        if let Some(flag) = done.get_mut(slot)
            && !*flag
        {
            *flag = true;
            self.changed.notify_all();
        }
    }

    /// Waits until every slot's first spawn ended, or `gave_up()` holds
    /// (checked at least every `check`), or `timeout` passed; true when
    /// every slot spawned.
    pub(crate) fn wait_all(
        &self,
        timeout: Duration,
        check: Duration,
        gave_up: impl Fn() -> bool,
    ) -> bool {
        let deadline = Instant::now().checked_add(timeout);
        let mut done = self.done.lock();
        while !done.iter().all(|flag| *flag) {
            let now = Instant::now();
            if gave_up() || deadline.is_some_and(|d| now >= d) {
                return false;
            }
            let slice = deadline.map_or(check, |d| check.min(d - now));
            let _ = self.changed.wait_for(&mut done, slice);
        }
        true
    }
}
