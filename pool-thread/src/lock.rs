//! `Lock`: Python's `threading.Lock`, a mutex that guards no data and that
//! any thread may release.

use std::fmt;
use std::time::Duration;

use parking_lot::{Condvar, Mutex};
use pool_core::Error;

use crate::deadline::{Deadline, DeadlineWait};
use crate::error::ReleaseError;

/// A plain mutual-exclusion lock with Python's `threading.Lock` semantics.
///
/// Unlike [`std::sync::Mutex`] it guards no data and has no owner:
/// [`acquire`](Lock::acquire) and [`release`](Lock::release) are separate
/// calls, and a thread other than the one that acquired it may release it,
/// as Python allows. Acquiring it twice from one thread blocks (use
/// [`RLock`](crate::RLock) for that). For scoped use, [`lock`](Lock::lock)
/// returns a guard that releases on drop, like `with lock:`.
///
/// Python's `acquire(blocking, timeout)` is three methods here, so the
/// invalid combination `blocking=False, timeout=…` cannot be written:
///
/// | Python | poolrt |
/// |---|---|
/// | `acquire()` | [`acquire()`](Lock::acquire) |
/// | `acquire(blocking=False)` | [`try_acquire()`](Lock::try_acquire) |
/// | `acquire(timeout=t)` | [`acquire_timeout(t)`](Lock::acquire_timeout) |
/// | `with lock:` | [`lock()`](Lock::lock) |
///
/// `Lock::new` is `const`, so a lock can be a `static`, like a module-level
/// Python lock.
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
/// use poolrt::thread::Lock;
///
/// static LOCK: Lock = Lock::const_new();
/// static NUMBER: AtomicUsize = AtomicUsize::new(100);
///
/// std::thread::scope(|s| {
///     for _ in 0..4 {
///         s.spawn(|| {
///             LOCK.acquire();
///             let n = NUMBER.load(Relaxed); // read-modify-write under the lock
///             NUMBER.store(n - 1, Relaxed);
///             LOCK.release().unwrap();
///         });
///     }
/// });
/// assert_eq!(NUMBER.load(Relaxed), 96);
/// ```
#[doc(alias = "threading.Lock")]
pub struct Lock {
    locked: Mutex<bool>,
    unlocked: Condvar,
}

impl Lock {
    /// An unlocked lock.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = poolrt::thread::Lock::new().unwrap();
    /// assert!(!lock.locked());
    /// ```
    pub fn new() -> Result<Lock, Error> {
        Ok(Lock::const_new())
    }

    /// The same, infallible and `const` (for a `static`): a thread
    /// primitive needs no OS resource. `new` returns a `Result` because
    /// the process backend's does.
    ///
    /// # Examples
    ///
    /// ```
    /// static X: poolrt::thread::Lock = poolrt::thread::Lock::const_new();
    /// # let _ = &X;
    /// ```
    pub const fn const_new() -> Lock {
        Lock {
            locked: Mutex::new(false),
            unlocked: Condvar::new(),
        }
    }

    /// Blocks until the lock is free, then takes it.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = poolrt::thread::Lock::new().unwrap();
    /// lock.acquire();
    /// assert!(lock.locked());
    /// ```
    pub fn acquire(&self) {
        self.acquire_until(Deadline::Never);
    }

    /// Takes the lock if it is free; never blocks. Python's
    /// `acquire(blocking=False)`.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = poolrt::thread::Lock::new().unwrap();
    /// assert!(lock.try_acquire());
    /// assert!(!lock.try_acquire());
    /// ```
    #[doc(alias = "acquire(blocking=False)")]
    pub fn try_acquire(&self) -> bool {
        self.acquire_until(Deadline::Now)
    }

    /// Waits at most `timeout` for the lock; returns whether it was taken.
    /// Python's `acquire(timeout=t)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let lock = poolrt::thread::Lock::new().unwrap();
    /// assert!(lock.acquire_timeout(Duration::from_millis(10)));
    /// assert!(!lock.acquire_timeout(Duration::from_millis(10)));
    /// ```
    #[doc(alias = "acquire(timeout)")]
    pub fn acquire_timeout(&self, timeout: Duration) -> bool {
        self.acquire_until(Deadline::after(timeout))
    }

    pub(crate) fn acquire_until(&self, deadline: Deadline) -> bool {
        let mut locked = self.locked.lock();
        while *locked {
            if !deadline.wait(&self.unlocked, &mut locked) {
                return false;
            }
        }
        *locked = true;
        true
    }

    /// Releases the lock. Any thread may release it, not only the one that
    /// acquired it.
    ///
    /// # Errors
    ///
    /// [`ReleaseError`] (`is_unlocked()`) when the lock is not locked.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = poolrt::thread::Lock::new().unwrap();
    /// lock.acquire();
    /// assert!(lock.release().is_ok());
    /// assert!(lock.release().unwrap_err().is_unlocked());
    /// ```
    pub fn release(&self) -> Result<(), ReleaseError> {
        let mut locked = self.locked.lock();
        if !*locked {
            return Err(ReleaseError::unlocked());
        }
        *locked = false;
        drop(locked);
        self.unlocked.notify_one();
        Ok(())
    }

    /// True when some thread holds the lock.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = poolrt::thread::Lock::new().unwrap();
    /// let guard = lock.lock();
    /// assert!(lock.locked());
    /// drop(guard);
    /// assert!(!lock.locked());
    /// ```
    pub fn locked(&self) -> bool {
        *self.locked.lock()
    }

    /// True when the lock is held now: Python's [`locked`](Self::locked), under the name a Rust
    /// programmer looks for first.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = poolrt::thread::Lock::new().unwrap();
    /// let guard = lock.lock();
    /// assert!(lock.is_locked());
    /// drop(guard);
    /// assert!(!lock.is_locked());
    /// ```
    #[doc(alias = "locked")]
    pub fn is_locked(&self) -> bool {
        self.locked()
    }

    /// Blocks until the lock is free, takes it, and returns a guard that
    /// releases it when dropped: Python's `with lock:`.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = poolrt::thread::Lock::new().unwrap();
    /// {
    ///     let _guard = lock.lock();
    ///     assert!(!lock.try_acquire());
    /// }
    /// assert!(!lock.locked());
    /// ```
    #[doc(alias = "with")]
    #[doc(alias = "__enter__")]
    pub fn lock(&self) -> LockGuard<'_> {
        self.acquire();
        LockGuard { lock: self }
    }

    /// A guard if the lock is free now, without blocking.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = poolrt::thread::Lock::new().unwrap();
    /// let guard = lock.try_lock().unwrap();
    /// assert!(lock.try_lock().is_none());
    /// drop(guard);
    /// ```
    pub fn try_lock(&self) -> Option<LockGuard<'_>> {
        self.try_acquire().then(|| LockGuard { lock: self })
    }

    /// A guard if the lock becomes free within `timeout`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let lock = poolrt::thread::Lock::new().unwrap();
    /// let _held = lock.lock();
    /// assert!(lock.lock_timeout(Duration::from_millis(5)).is_none());
    /// ```
    pub fn lock_timeout(&self, timeout: Duration) -> Option<LockGuard<'_>> {
        self.acquire_timeout(timeout)
            .then(|| LockGuard { lock: self })
    }
}

impl Default for Lock {
    fn default() -> Lock {
        Lock::const_new()
    }
}

impl fmt::Debug for Lock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lock")
            .field("locked", &self.locked())
            .finish()
    }
}

/// Holds a [`Lock`] and releases it when dropped.
///
/// If another thread released the lock in the meantime (Python allows
/// any thread to release a `Lock`), dropping the guard releases whoever
/// holds it now, or does nothing when it is unlocked: mixing guards with
/// explicit releases from other threads is a logic error, as in Python.
///
/// # Examples
///
/// ```
/// let lock = poolrt::thread::Lock::new().unwrap();
/// let guard = lock.lock();
/// drop(guard);
/// assert!(lock.try_acquire());
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct LockGuard<'a> {
    lock: &'a Lock,
}

impl Drop for LockGuard<'_> {
    fn drop(&mut self) {
        // An error means someone else already released it; see the type docs.
        let _ = self.lock.release();
    }
}

impl fmt::Debug for LockGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LockGuard").finish_non_exhaustive()
    }
}
