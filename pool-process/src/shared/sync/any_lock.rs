//! [`SharedLock`]: the process locks a [`Condition`](crate::Condition),
//! a [`Value`](crate::Value) or an [`Array`](crate::Array) can be given,
//! as Python's `Condition(lock)` and `Value(..., lock=lock)`.

use serde::{Deserialize, Serialize};

use super::lock::Lock;
use super::rlock::RLock;
use super::word::Taken;

/// A lock that a [`Condition`](crate::Condition), [`Value`](crate::Value)
/// or [`Array`](crate::Array) can use instead of its own: a process
/// [`Lock`] or [`RLock`] (a clone shares the lock). Sealed.
///
/// # Examples
///
/// ```
/// use poolrt::process::{Condition, Lock, RLock, SharedLock, Value};
///
/// fn counter(lock: impl SharedLock) -> Value<u32> {
///     Value::with_lock(0, lock).unwrap()
/// }
/// let (a, b) = (counter(Lock::new().unwrap()), counter(RLock::new().unwrap()));
/// a.set(1);
/// b.set(2);
/// assert_eq!(a.get() + b.get(), 3);
/// let _cond = Condition::with_lock(Lock::new().unwrap());
/// ```
pub trait SharedLock: sealed::Sealed {}

mod sealed {
    /// Turns the lock into the one type the shared objects hold.
    pub trait Sealed {
        fn into_any(self) -> super::AnyLock;
    }
}

impl SharedLock for Lock {}
impl SharedLock for RLock {}

impl sealed::Sealed for Lock {
    fn into_any(self) -> AnyLock {
        AnyLock::Lock(self)
    }
}

impl sealed::Sealed for RLock {
    fn into_any(self) -> AnyLock {
        AnyLock::RLock(self)
    }
}

/// A [`SharedLock`], whichever it is. `pub` only for the sealed trait's
/// signature; not reachable from outside the crate.
#[allow(unreachable_pub)]
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum AnyLock {
    Lock(Lock),
    RLock(RLock),
}

impl AnyLock {
    /// The lock a [`SharedLock`] is.
    pub(crate) fn from_shared(lock: impl SharedLock) -> AnyLock {
        sealed::Sealed::into_any(lock)
    }

    /// Takes one level; how it was taken (`FromDead` if the previous
    /// holder died holding it).
    pub(crate) fn acquire(&self) -> Taken {
        let died = match self {
            AnyLock::Lock(lock) => {
                lock.acquire();
                lock.previous_owner_died()
            }
            AnyLock::RLock(rlock) => {
                rlock.acquire();
                rlock.previous_owner_died()
            }
        };
        if died {
            Taken::FromDead { tid: 0 }
        } else {
            Taken::Clean
        }
    }

    /// Takes one level if it can now.
    pub(crate) fn try_acquire(&self) -> bool {
        match self {
            AnyLock::Lock(lock) => lock.try_acquire(),
            AnyLock::RLock(rlock) => rlock.try_acquire(),
        }
    }

    /// Takes one level within `timeout`.
    pub(crate) fn acquire_timeout(&self, timeout: std::time::Duration) -> bool {
        match self {
            AnyLock::Lock(lock) => lock.acquire_timeout(timeout),
            AnyLock::RLock(rlock) => rlock.acquire_timeout(timeout),
        }
    }

    /// Releases one level (held by the caller).
    pub(crate) fn release(&self) {
        let _ = match self {
            AnyLock::Lock(lock) => lock.release(),
            AnyLock::RLock(rlock) => rlock.release(),
        };
    }

    /// Releases every level the caller holds; how many to restore.
    pub(crate) fn release_all(&self) -> u32 {
        match self {
            AnyLock::Lock(lock) => u32::from(lock.release().is_ok()),
            AnyLock::RLock(rlock) => rlock.release_all(),
        }
    }

    /// Takes the lock back at `levels` levels; how it was taken.
    pub(crate) fn reacquire(&self, levels: u32) -> Taken {
        match self {
            AnyLock::Lock(_) if levels == 0 => Taken::Clean,
            AnyLock::Lock(_) => self.acquire(),
            AnyLock::RLock(rlock) => rlock.reacquire(levels),
        }
    }

    /// Whether the holder took the lock over from a dead holder.
    pub(crate) fn previous_owner_died(&self) -> bool {
        match self {
            AnyLock::Lock(lock) => lock.previous_owner_died(),
            AnyLock::RLock(rlock) => rlock.previous_owner_died(),
        }
    }
}
