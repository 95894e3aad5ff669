//! `Deadline`: how long a blocking call may still wait.
//!
//! Every blocking call of the toolkit comes in three shapes (block forever,
//! do not block, block at most a [`Duration`]); they all become a
//! `Deadline` and share one wait loop, so a timeout is computed once and a
//! spurious wake-up never extends it.

use std::time::{Duration, Instant};

use parking_lot::{Condvar, MutexGuard};

/// When a blocking call gives up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Deadline {
    /// Do not wait at all (Python's `blocking=False`).
    Now,
    /// Wait until this instant.
    At(Instant),
    /// Wait as long as it takes (Python's `timeout=None`).
    Never,
}

impl Deadline {
    /// `timeout` from now. A timeout too large to add to the clock waits
    /// forever rather than panicking.
    pub(crate) fn after(timeout: Duration) -> Deadline {
        match Instant::now().checked_add(timeout) {
            Some(at) => Deadline::At(at),
            None => Deadline::Never,
        }
    }

    /// True once the deadline has passed (always for [`Deadline::Now`]).
    pub(crate) fn expired(self) -> bool {
        match self {
            Deadline::Now => true,
            Deadline::At(at) => Instant::now() >= at,
            Deadline::Never => false,
        }
    }

    /// Waits on `condvar` once, unless the deadline has already passed.
    ///
    /// Returns false, without waiting, when the deadline has passed; true
    /// after a wait, which may have been a notification, a spurious wake-up
    /// or the deadline arriving. Callers re-check their condition and call
    /// again, so the loop ends exactly when the condition holds or the
    /// deadline is gone.
    pub(crate) fn wait<T>(self, condvar: &Condvar, guard: &mut MutexGuard<'_, T>) -> bool {
        match self {
            Deadline::Now => false,
            Deadline::Never => {
                condvar.wait(guard);
                true
            }
            Deadline::At(at) => {
                if Instant::now() >= at {
                    return false;
                }
                let _ = condvar.wait_until(guard, at);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_timeouts_wait_forever_instead_of_overflowing() {
        assert_eq!(Deadline::after(Duration::MAX), Deadline::Never);
    }

    #[test]
    fn now_is_always_expired_and_never_is_not() {
        assert!(Deadline::Now.expired());
        assert!(!Deadline::Never.expired());
        assert!(Deadline::after(Duration::ZERO).expired());
    }
}
