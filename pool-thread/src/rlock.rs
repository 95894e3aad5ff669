//! `RLock`: Python's `threading.RLock`, a lock its owner may take again.

use std::fmt;
use std::marker::PhantomData;
use std::thread::{self, ThreadId};
use std::time::Duration;

use parking_lot::{Condvar, Mutex};
use pool_core::Error;

use crate::deadline::{Deadline, DeadlineWait};
use crate::error::ReleaseError;

/// A reentrant lock: the thread that holds it may acquire it again, and
/// must release it as many times before another thread can take it.
///
/// Only the owner may release it; a release by any other thread is a
/// [`ReleaseError`] (`is_not_owner()`), as Python raises `RuntimeError`.
/// The methods mirror [`Lock`](crate::Lock)'s.
///
/// # Examples
///
/// The seed program "Lock vs RLock": a plain lock would deadlock on the
/// second acquire, an `RLock` does not.
///
/// ```
/// use poolrt::thread::RLock;
///
/// let rlock = RLock::new().unwrap();
/// rlock.acquire();
/// rlock.acquire(); // the same thread: does not block
/// rlock.release().unwrap();
/// rlock.release().unwrap();
/// assert!(rlock.release().unwrap_err().is_not_owner());
/// ```
#[doc(alias = "threading.RLock")]
pub struct RLock {
    state: Mutex<State>,
    released: Condvar,
}

/// Who holds the lock and how many times.
struct State {
    owner: Option<ThreadId>,
    count: usize,
}

impl RLock {
    /// An unlocked reentrant lock.
    ///
    /// # Examples
    ///
    /// ```
    /// static RLOCK: poolrt::thread::RLock = poolrt::thread::RLock::const_new();
    /// assert!(RLOCK.try_acquire());
    /// ```
    pub fn new() -> Result<RLock, Error> {
        Ok(RLock::const_new())
    }

    /// The same, infallible and `const` (for a `static`): a thread
    /// primitive needs no OS resource. `new` returns a `Result` because
    /// the process backend's does.
    ///
    /// # Examples
    ///
    /// ```
    /// static X: poolrt::thread::RLock = poolrt::thread::RLock::const_new();
    /// # let _ = &X;
    /// ```
    pub const fn const_new() -> RLock {
        RLock {
            state: Mutex::new(State {
                owner: None,
                count: 0,
            }),
            released: Condvar::new(),
        }
    }

    /// Takes the lock, blocking while another thread holds it; if this
    /// thread holds it already, adds one level.
    ///
    /// # Examples
    ///
    /// ```
    /// let rlock = poolrt::thread::RLock::new().unwrap();
    /// rlock.acquire();
    /// rlock.acquire();
    /// assert_eq!(rlock.level(), 2);
    /// ```
    pub fn acquire(&self) {
        self.acquire_levels(1, Deadline::Never);
    }

    /// Takes the lock if it is free or already ours; never blocks.
    ///
    /// # Examples
    ///
    /// ```
    /// let rlock = poolrt::thread::RLock::new().unwrap();
    /// assert!(rlock.try_acquire());
    /// assert!(rlock.try_acquire());
    /// let other = std::thread::scope(|s| s.spawn(|| rlock.try_acquire()).join().unwrap());
    /// assert!(!other);
    /// ```
    #[doc(alias = "acquire(blocking=False)")]
    pub fn try_acquire(&self) -> bool {
        self.acquire_levels(1, Deadline::Now)
    }

    /// Waits at most `timeout` for the lock; returns whether it was taken.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let rlock = poolrt::thread::RLock::new().unwrap();
    /// rlock.acquire();
    /// let other = std::thread::scope(|s| {
    ///     s.spawn(|| rlock.acquire_timeout(Duration::from_millis(10))).join().unwrap()
    /// });
    /// assert!(!other);
    /// ```
    #[doc(alias = "acquire(timeout)")]
    pub fn acquire_timeout(&self, timeout: Duration) -> bool {
        self.acquire_levels(1, Deadline::after(timeout))
    }

    /// Takes the lock `levels` times at once (used by `Condition` to restore
    /// the level it released in `wait`).
    pub(crate) fn acquire_levels(&self, levels: usize, deadline: Deadline) -> bool {
        let me = thread::current().id();
        let mut state = self.state.lock();
        if state.owner == Some(me) {
            state.count += levels;
            return true;
        }
        while state.owner.is_some() {
            if !deadline.wait(&self.released, &mut state) {
                return false;
            }
        }
        state.owner = Some(me);
        state.count = levels;
        true
    }

    /// Releases one level; the lock is free once every acquire has been
    /// matched by a release.
    ///
    /// # Errors
    ///
    /// [`ReleaseError`] (`is_not_owner()`) when the calling thread does not
    /// hold the lock.
    ///
    /// # Examples
    ///
    /// ```
    /// let rlock = poolrt::thread::RLock::new().unwrap();
    /// rlock.acquire();
    /// let err = std::thread::scope(|s| s.spawn(|| rlock.release()).join().unwrap());
    /// assert!(err.unwrap_err().is_not_owner());
    /// assert!(rlock.release().is_ok());
    /// ```
    pub fn release(&self) -> Result<(), ReleaseError> {
        let mut state = self.state.lock();
        if state.owner != Some(thread::current().id()) {
            return Err(ReleaseError::not_owner());
        }
        state.count -= 1;
        if state.count == 0 {
            state.owner = None;
            drop(state);
            self.released.notify_one();
        }
        Ok(())
    }

    /// Releases every level this thread holds and returns how many there
    /// were (0 when it holds none). Used by `Condition::wait`.
    pub(crate) fn release_all(&self) -> usize {
        let mut state = self.state.lock();
        if state.owner != Some(thread::current().id()) {
            return 0;
        }
        let levels = state.count;
        state.owner = None;
        state.count = 0;
        drop(state);
        self.released.notify_one();
        levels
    }

    /// How many times the calling thread holds the lock (0 when it does not
    /// hold it). Python keeps this private as `_count`.
    ///
    /// # Examples
    ///
    /// ```
    /// let rlock = poolrt::thread::RLock::new().unwrap();
    /// assert_eq!(rlock.level(), 0);
    /// let _guard = rlock.lock();
    /// assert_eq!(rlock.level(), 1);
    /// ```
    pub fn level(&self) -> usize {
        let state = self.state.lock();
        if state.owner == Some(thread::current().id()) {
            state.count
        } else {
            0
        }
    }

    /// True when any thread holds the lock.
    ///
    /// # Examples
    ///
    /// ```
    /// let rlock = poolrt::thread::RLock::new().unwrap();
    /// assert!(!rlock.locked());
    /// rlock.acquire();
    /// assert!(rlock.locked());
    /// ```
    pub fn locked(&self) -> bool {
        self.state.lock().owner.is_some()
    }

    /// True when the lock is held now: Python's [`locked`](Self::locked), under the name a Rust
    /// programmer looks for first.
    ///
    /// # Examples
    ///
    /// ```
    /// let rlock = poolrt::thread::RLock::new().unwrap();
    /// let guard = rlock.lock();
    /// assert!(rlock.is_locked());
    /// drop(guard);
    /// assert!(!rlock.is_locked());
    /// ```
    #[doc(alias = "locked")]
    pub fn is_locked(&self) -> bool {
        self.locked()
    }

    /// Acquires one level and returns a guard that releases it on drop:
    /// Python's `with rlock:`.
    ///
    /// # Examples
    ///
    /// ```
    /// let rlock = poolrt::thread::RLock::new().unwrap();
    /// let outer = rlock.lock();
    /// let inner = rlock.lock();
    /// drop(inner);
    /// drop(outer);
    /// assert!(!rlock.locked());
    /// ```
    #[doc(alias = "with")]
    #[doc(alias = "__enter__")]
    pub fn lock(&self) -> RLockGuard<'_> {
        self.acquire();
        RLockGuard::new(self)
    }

    /// A guard if the lock is free or ours now, without blocking.
    ///
    /// # Examples
    ///
    /// ```
    /// let rlock = poolrt::thread::RLock::new().unwrap();
    /// assert!(rlock.try_lock().is_some());
    /// ```
    pub fn try_lock(&self) -> Option<RLockGuard<'_>> {
        self.try_acquire().then(|| RLockGuard::new(self))
    }

    /// A guard if the lock becomes free within `timeout`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let rlock = poolrt::thread::RLock::new().unwrap();
    /// assert!(rlock.lock_timeout(Duration::from_millis(5)).is_some());
    /// ```
    pub fn lock_timeout(&self, timeout: Duration) -> Option<RLockGuard<'_>> {
        self.acquire_timeout(timeout).then(|| RLockGuard::new(self))
    }
}

impl Default for RLock {
    fn default() -> RLock {
        RLock::const_new()
    }
}

impl fmt::Debug for RLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.lock();
        f.debug_struct("RLock")
            .field("owner", &state.owner)
            .field("count", &state.count)
            .finish()
    }
}

/// Holds one level of an [`RLock`] and releases it when dropped.
///
/// The guard cannot leave its thread (it is not `Send`), because only the
/// owner may release an `RLock`.
///
/// # Examples
///
/// ```
/// let rlock = poolrt::thread::RLock::new().unwrap();
/// let guard = rlock.lock();
/// assert_eq!(rlock.level(), 1);
/// drop(guard);
/// assert_eq!(rlock.level(), 0);
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RLockGuard<'a> {
    rlock: &'a RLock,
    /// Not `Send`: the release must happen on the owning thread.
    _not_send: PhantomData<*const ()>,
}

impl<'a> RLockGuard<'a> {
    fn new(rlock: &'a RLock) -> RLockGuard<'a> {
        RLockGuard {
            rlock,
            _not_send: PhantomData,
        }
    }
}

impl Drop for RLockGuard<'_> {
    fn drop(&mut self) {
        // Fails only if the level was released by hand meanwhile.
        let _ = self.rlock.release();
    }
}

impl fmt::Debug for RLockGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RLockGuard").finish_non_exhaustive()
    }
}
