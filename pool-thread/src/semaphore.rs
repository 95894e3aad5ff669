//! `Semaphore` and `BoundedSemaphore`: Python's counting semaphores.

use std::fmt;
use std::time::Duration;

use parking_lot::{Condvar, Mutex};
use pool_core::Error;

use crate::deadline::{Deadline, DeadlineWait};
use crate::error::ReleaseError;

/// A counter of free slots with Python's `threading.Semaphore` semantics:
/// [`acquire`](Semaphore::acquire) takes a slot, blocking while there is
/// none; [`release`](Semaphore::release) gives one back and wakes one
/// waiter. A plain `Semaphore` may be released more often than acquired,
/// which raises its value; [`BoundedSemaphore`] refuses that.
///
/// Acquire has the same three shapes as [`Lock`](crate::Lock)'s.
///
/// # Examples
///
/// At most two threads inside at once:
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
/// use poolrt::thread::Semaphore;
///
/// let slots = Semaphore::new(2).unwrap();
/// let inside = AtomicUsize::new(0);
/// let most = AtomicUsize::new(0);
/// std::thread::scope(|s| {
///     for _ in 0..6 {
///         s.spawn(|| {
///             slots.acquire();
///             let now = inside.fetch_add(1, SeqCst) + 1;
///             most.fetch_max(now, SeqCst);
///             inside.fetch_sub(1, SeqCst);
///             slots.release();
///         });
///     }
/// });
/// assert!(most.load(SeqCst) <= 2);
/// ```
#[doc(alias = "threading.Semaphore")]
pub struct Semaphore {
    value: Mutex<usize>,
    available: Condvar,
}

impl Semaphore {
    /// A semaphore with `value` free slots. Python's default is 1.
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = poolrt::thread::Semaphore::new(1).unwrap();
    /// assert_eq!(sem.value(), 1);
    /// ```
    pub fn new(value: usize) -> Result<Semaphore, Error> {
        Ok(Semaphore::const_new(value))
    }

    /// The same, infallible and `const` (for a `static`): a thread
    /// primitive needs no OS resource. `new` returns a `Result` because
    /// the process backend's does.
    ///
    /// # Examples
    ///
    /// ```
    /// static X: poolrt::thread::Semaphore = poolrt::thread::Semaphore::const_new(1);
    /// # let _ = &X;
    /// ```
    pub const fn const_new(value: usize) -> Semaphore {
        Semaphore {
            value: Mutex::new(value),
            available: Condvar::new(),
        }
    }

    /// Takes a slot, blocking until one is free.
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = poolrt::thread::Semaphore::new(1).unwrap();
    /// sem.acquire();
    /// assert_eq!(sem.value(), 0);
    /// ```
    pub fn acquire(&self) {
        self.acquire_until(Deadline::Never);
    }

    /// Takes a slot if one is free now; never blocks.
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = poolrt::thread::Semaphore::new(1).unwrap();
    /// assert!(sem.try_acquire());
    /// assert!(!sem.try_acquire());
    /// ```
    #[doc(alias = "acquire(blocking=False)")]
    pub fn try_acquire(&self) -> bool {
        self.acquire_until(Deadline::Now)
    }

    /// Waits at most `timeout` for a slot; returns whether one was taken.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let sem = poolrt::thread::Semaphore::new(0).unwrap();
    /// assert!(!sem.acquire_timeout(Duration::from_millis(5)));
    /// ```
    #[doc(alias = "acquire(timeout)")]
    pub fn acquire_timeout(&self, timeout: Duration) -> bool {
        self.acquire_until(Deadline::after(timeout))
    }

    fn acquire_until(&self, deadline: Deadline) -> bool {
        let mut value = self.value.lock();
        while *value == 0 {
            if !deadline.wait(&self.available, &mut value) {
                return false;
            }
        }
        *value -= 1;
        true
    }

    /// Gives one slot back and wakes one waiter.
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = poolrt::thread::Semaphore::new(0).unwrap();
    /// sem.release();
    /// assert!(sem.try_acquire());
    /// ```
    pub fn release(&self) {
        self.release_n(1);
    }

    /// Gives `n` slots back and wakes up to `n` waiters: Python's
    /// `release(n)`. `release_n(0)` does nothing (Python raises
    /// `ValueError`). The value saturates at `usize::MAX`.
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = poolrt::thread::Semaphore::new(0).unwrap();
    /// sem.release_n(3);
    /// assert_eq!(sem.value(), 3);
    /// ```
    #[doc(alias = "release(n)")]
    pub fn release_n(&self, n: usize) {
        let _ = self.release_within(n, None);
    }

    /// Adds `n` slots unless that would exceed `bound`; all or nothing.
    fn release_within(&self, n: usize, bound: Option<usize>) -> Result<(), ReleaseError> {
        let mut value = self.value.lock();
        if bound.is_some_and(|bound| value.checked_add(n).is_none_or(|v| v > bound)) {
            return Err(ReleaseError::too_many_releases());
        }
        *value = value.saturating_add(n);
        drop(value);
        for _ in 0..n {
            if !self.available.notify_one() {
                break; // nobody else is waiting
            }
        }
        Ok(())
    }

    /// The number of free slots now (a snapshot; Python's private
    /// `_value`).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(poolrt::thread::Semaphore::new(4).unwrap().value(), 4);
    /// ```
    pub fn value(&self) -> usize {
        *self.value.lock()
    }
}

impl Default for Semaphore {
    fn default() -> Semaphore {
        Semaphore::const_new(1)
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("value", &self.value())
            .finish()
    }
}

/// A [`Semaphore`] whose value may never exceed its initial value:
/// Python's `threading.BoundedSemaphore`. Releasing more than was acquired
/// is a [`ReleaseError`] (`is_too_many_releases()`) and releases nothing.
///
/// # Examples
///
/// ```
/// let sem = poolrt::thread::BoundedSemaphore::new(2).unwrap();
/// sem.acquire();
/// assert!(sem.release().is_ok());
/// assert!(sem.release().unwrap_err().is_too_many_releases());
/// assert_eq!(sem.value(), 2);
/// ```
#[doc(alias = "threading.BoundedSemaphore")]
pub struct BoundedSemaphore {
    semaphore: Semaphore,
    initial: usize,
}

impl BoundedSemaphore {
    /// A bounded semaphore with `value` free slots, which is also its bound.
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = poolrt::thread::BoundedSemaphore::new(3).unwrap();
    /// assert_eq!(sem.initial_value(), 3);
    /// ```
    pub fn new(value: usize) -> Result<BoundedSemaphore, Error> {
        Ok(BoundedSemaphore::const_new(value))
    }

    /// The same, infallible and `const` (for a `static`): a thread
    /// primitive needs no OS resource. `new` returns a `Result` because
    /// the process backend's does.
    ///
    /// # Examples
    ///
    /// ```
    /// static X: poolrt::thread::BoundedSemaphore = poolrt::thread::BoundedSemaphore::const_new(1);
    /// # let _ = &X;
    /// ```
    pub const fn const_new(value: usize) -> BoundedSemaphore {
        BoundedSemaphore {
            semaphore: Semaphore::const_new(value),
            initial: value,
        }
    }

    /// Takes a slot, blocking until one is free.
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = poolrt::thread::BoundedSemaphore::new(1).unwrap();
    /// sem.acquire();
    /// assert_eq!(sem.value(), 0);
    /// ```
    pub fn acquire(&self) {
        self.semaphore.acquire();
    }

    /// Takes a slot if one is free now; never blocks.
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = poolrt::thread::BoundedSemaphore::new(0).unwrap();
    /// assert!(!sem.try_acquire());
    /// ```
    #[doc(alias = "acquire(blocking=False)")]
    pub fn try_acquire(&self) -> bool {
        self.semaphore.try_acquire()
    }

    /// Waits at most `timeout` for a slot; returns whether one was taken.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let sem = poolrt::thread::BoundedSemaphore::new(1).unwrap();
    /// assert!(sem.acquire_timeout(Duration::from_millis(5)));
    /// assert!(!sem.acquire_timeout(Duration::from_millis(5)));
    /// ```
    #[doc(alias = "acquire(timeout)")]
    pub fn acquire_timeout(&self, timeout: Duration) -> bool {
        self.semaphore.acquire_timeout(timeout)
    }

    /// Gives one slot back.
    ///
    /// # Errors
    ///
    /// [`ReleaseError`] (`is_too_many_releases()`) when the value is already
    /// at its initial value.
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = poolrt::thread::BoundedSemaphore::new(1).unwrap();
    /// assert!(sem.release().is_err());
    /// ```
    pub fn release(&self) -> Result<(), ReleaseError> {
        self.release_n(1)
    }

    /// Gives `n` slots back, all or nothing.
    ///
    /// # Errors
    ///
    /// [`ReleaseError`] (`is_too_many_releases()`) when that would exceed
    /// the initial value; nothing is released then.
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = poolrt::thread::BoundedSemaphore::new(3).unwrap();
    /// for _ in 0..2 {
    ///     sem.acquire();
    /// }
    /// assert!(sem.release_n(3).is_err());
    /// assert_eq!(sem.value(), 1);
    /// assert!(sem.release_n(2).is_ok());
    /// ```
    #[doc(alias = "release(n)")]
    pub fn release_n(&self, n: usize) -> Result<(), ReleaseError> {
        self.semaphore.release_within(n, Some(self.initial))
    }

    /// The number of free slots now (a snapshot).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(poolrt::thread::BoundedSemaphore::new(2).unwrap().value(), 2);
    /// ```
    pub fn value(&self) -> usize {
        self.semaphore.value()
    }

    /// The bound: the value it was created with.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(poolrt::thread::BoundedSemaphore::new(5).unwrap().initial_value(), 5);
    /// ```
    pub fn initial_value(&self) -> usize {
        self.initial
    }
}

impl Default for BoundedSemaphore {
    fn default() -> BoundedSemaphore {
        BoundedSemaphore::const_new(1)
    }
}

impl fmt::Debug for BoundedSemaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoundedSemaphore")
            .field("value", &self.value())
            .field("initial", &self.initial)
            .finish()
    }
}
