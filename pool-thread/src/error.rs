//! Errors of the synchronisation primitives: [`ReleaseError`] and
//! [`BrokenBarrierError`].

use std::error::Error as StdError;
use std::fmt;

use pool_core::Panic;

/// A release that the lock or semaphore refused; nothing was released.
///
/// Python raises `RuntimeError` (locks) or `ValueError` (bounded
/// semaphores) for these; here they are values.
///
/// # Examples
///
/// ```
/// use pool_thread::Lock;
///
/// let lock = Lock::new();
/// let err = lock.release().unwrap_err();
/// assert!(err.is_unlocked());
/// assert_eq!(err.to_string(), "release unlocked lock");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReleaseError {
    kind: ReleaseKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ReleaseKind {
    Unlocked,
    NotOwner,
    TooManyReleases,
}

impl ReleaseError {
    pub(crate) fn unlocked() -> ReleaseError {
        ReleaseError {
            kind: ReleaseKind::Unlocked,
        }
    }

    pub(crate) fn not_owner() -> ReleaseError {
        ReleaseError {
            kind: ReleaseKind::NotOwner,
        }
    }

    pub(crate) fn too_many_releases() -> ReleaseError {
        ReleaseError {
            kind: ReleaseKind::TooManyReleases,
        }
    }

    /// True when a [`Lock`](crate::Lock) was released while unlocked.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(pool_thread::Lock::new().release().unwrap_err().is_unlocked());
    /// ```
    pub fn is_unlocked(&self) -> bool {
        self.kind == ReleaseKind::Unlocked
    }

    /// True when an [`RLock`](crate::RLock) was released by a thread that
    /// does not hold it (including when nobody holds it).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(pool_thread::RLock::new().release().unwrap_err().is_not_owner());
    /// ```
    pub fn is_not_owner(&self) -> bool {
        self.kind == ReleaseKind::NotOwner
    }

    /// True when a [`BoundedSemaphore`](crate::BoundedSemaphore) would have
    /// gone above its initial value.
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = pool_thread::BoundedSemaphore::new(1);
    /// assert!(sem.release().unwrap_err().is_too_many_releases());
    /// ```
    pub fn is_too_many_releases(&self) -> bool {
        self.kind == ReleaseKind::TooManyReleases
    }
}

impl fmt::Display for ReleaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.kind {
            ReleaseKind::Unlocked => "release unlocked lock",
            ReleaseKind::NotOwner => "cannot release un-acquired lock",
            ReleaseKind::TooManyReleases => "semaphore released too many times",
        })
    }
}

impl StdError for ReleaseError {}

/// A [`Barrier`](crate::Barrier) wait that failed because the barrier is
/// broken, aborted or was reset (Python's `threading.BrokenBarrierError`).
///
/// `Display` is always "barrier is broken"; the predicates say why. When the
/// barrier's action panicked, the thread that ran it gets the [`Panic`]
/// report as the `source()`.
///
/// # Examples
///
/// ```
/// use pool_thread::Barrier;
///
/// let barrier = Barrier::new(2);
/// barrier.abort();
/// let err = barrier.wait().unwrap_err();
/// assert_eq!(err.to_string(), "barrier is broken");
/// assert!(!err.is_timeout());
/// ```
#[derive(Clone, Debug)]
pub struct BrokenBarrierError {
    kind: BrokenKind,
}

#[derive(Clone, Debug)]
enum BrokenKind {
    Broken,
    Timeout,
    Reset,
    ActionPanicked(Panic),
}

impl BrokenBarrierError {
    pub(crate) fn broken() -> BrokenBarrierError {
        BrokenBarrierError {
            kind: BrokenKind::Broken,
        }
    }

    pub(crate) fn timeout() -> BrokenBarrierError {
        BrokenBarrierError {
            kind: BrokenKind::Timeout,
        }
    }

    pub(crate) fn reset() -> BrokenBarrierError {
        BrokenBarrierError {
            kind: BrokenKind::Reset,
        }
    }

    pub(crate) fn action_panicked(panic: Panic) -> BrokenBarrierError {
        BrokenBarrierError {
            kind: BrokenKind::ActionPanicked(panic),
        }
    }

    /// True when this very wait ran out of time, which broke the barrier
    /// for everyone.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let barrier = pool_thread::Barrier::new(2);
    /// let err = barrier.wait_timeout(Duration::from_millis(1)).unwrap_err();
    /// assert!(err.is_timeout());
    /// assert!(barrier.broken());
    /// ```
    pub fn is_timeout(&self) -> bool {
        matches!(self.kind, BrokenKind::Timeout)
    }

    /// True when [`reset`](crate::Barrier::reset) was called while this
    /// thread was waiting.
    ///
    /// # Examples
    ///
    /// ```
    /// let barrier = pool_thread::Barrier::new(2);
    /// std::thread::scope(|s| {
    ///     let waiter = s.spawn(|| barrier.wait());
    ///     while barrier.n_waiting() == 0 {
    ///         std::thread::yield_now(); // until the waiter has arrived
    ///     }
    ///     barrier.reset();
    ///     assert!(waiter.join().unwrap().unwrap_err().is_reset());
    /// });
    /// ```
    pub fn is_reset(&self) -> bool {
        matches!(self.kind, BrokenKind::Reset)
    }

    /// The panic of the barrier's action, for the thread that ran it.
    ///
    /// # Examples
    ///
    /// ```
    /// let barrier = pool_thread::Barrier::new(1).with_action(|| panic!("no"));
    /// let err = barrier.wait().unwrap_err();
    /// assert_eq!(err.action_panic().unwrap().message(), "no");
    /// ```
    pub fn action_panic(&self) -> Option<&Panic> {
        match &self.kind {
            BrokenKind::ActionPanicked(panic) => Some(panic),
            _ => None,
        }
    }
}

impl fmt::Display for BrokenBarrierError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("barrier is broken")
    }
}

impl StdError for BrokenBarrierError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.action_panic().map(|p| p as &(dyn StdError + 'static))
    }
}
