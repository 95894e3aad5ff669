//! Waiting on a condvar until a [`Deadline`] (pool-core's, shared with the
//! process backend).
//!
//! Every blocking call of the toolkit comes in three shapes (block forever,
//! do not block, block at most a `Duration`); they all become a
//! `Deadline` and share one wait loop, so a timeout is computed once and a
//! spurious wake-up never extends it.

use parking_lot::{Condvar, MutexGuard};

pub(crate) use pool_core::Deadline;

/// [`Deadline`] as a condvar wait.
pub(crate) trait DeadlineWait {
    /// Waits on `condvar` once, unless the deadline has already passed.
    ///
    /// Returns false, without waiting, when the deadline has passed; true
    /// after a wait, which may have been a notification, a spurious
    /// wake-up or the deadline arriving. Callers re-check their condition
    /// and call again, so the loop ends exactly when the condition holds or
    /// the deadline is gone.
    fn wait<T>(self, condvar: &Condvar, guard: &mut MutexGuard<'_, T>) -> bool;
}

impl DeadlineWait for Deadline {
    fn wait<T>(self, condvar: &Condvar, guard: &mut MutexGuard<'_, T>) -> bool {
        match self {
            Deadline::Now => false,
            Deadline::Never => {
                condvar.wait(guard);
                true
            }
            Deadline::At(at) => {
                if self.expired() {
                    return false;
                }
                let _ = condvar.wait_until(guard, at);
                true
            }
        }
    }
}
