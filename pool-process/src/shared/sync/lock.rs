//! `Lock`: Python's `multiprocessing.Lock`, a robust mutex shared by
//! processes (`README.md` in this folder gives the protocol).

use std::fmt;
use std::mem::offset_of;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64};
use std::time::Duration;

use pool_core::{Deadline, Error, ReleaseError};

use super::word::{RawMutex, Taken};
use crate::shared::create_error;
use crate::sys::segment::{Segment, shared_layout};

/// A lock shared by processes: Python's `multiprocessing.Lock`.
///
/// Any process may release it, as on Linux in Python; releasing it while
/// unlocked is an error. Pass it to a child as an argument of its
/// [`Process`](crate::Process); clones share the lock.
///
/// The lock is robust, like a `pthread` robust mutex (which Python does
/// not have): if the thread holding it dies (its process killed, say),
/// the next acquirer takes it over, within about 100 ms of waiting (at
/// once for [`try_acquire`](Lock::try_acquire) and a failed timed wait),
/// and is told the previous owner died (`EOWNERDEAD`):
/// [`LockGuard::previous_owner_died`] or, while holding it,
/// [`Lock::previous_owner_died`]. What the lock guarded may then be
/// half-updated.
///
/// # Examples
///
/// ```
/// use poolrt::process::{Lock, Process};
///
/// fn hold_it(lock: Lock) {
///     let _guard = lock.lock();
///     assert!(lock.locked());
/// }
///
/// let lock = Lock::new().unwrap();
/// let p = Process::new(hold_it, (lock.clone(),));
/// p.start().unwrap();
/// p.join().unwrap();
/// assert!(!lock.locked(), "the child's guard released it");
/// ```
#[derive(Clone)]
pub struct Lock {
    segment: Arc<Segment>,
}

shared_layout! {
    /// A lock's shared segment.
    struct LockLayout {
        /// The [`RawMutex`] word.
        mutex: AtomicU32,
        /// The [`RawMutex`]'s companion: the holder's stamp.
        owner: AtomicU64,
    }
}

const _: () = assert!(offset_of!(LockLayout, mutex) == 0);
const _: () = assert!(offset_of!(LockLayout, owner) == 8);
const _: () = assert!(size_of::<LockLayout>() == 16);

/// Holds a [`Lock`] until dropped.
///
/// # Examples
///
/// ```
/// let lock = poolrt::process::Lock::new().unwrap();
/// {
///     let _guard = lock.lock();
///     assert!(lock.locked());
/// }
/// assert!(!lock.locked());
/// ```
#[must_use = "the lock is released when the guard is dropped"]
pub struct LockGuard<'a> {
    lock: &'a Lock,
    taken: Taken,
}

impl Lock {
    /// A new, unlocked lock.
    ///
    /// # Errors
    ///
    /// The shared memory could not be created ([`ErrorKind::SharedMemory`](pool_core::ErrorKind::SharedMemory)).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!poolrt::process::Lock::new().unwrap().locked());
    /// ```
    pub fn new() -> Result<Lock, Error> {
        let segment = Segment::create("poolrt-lock", 64).map_err(|e| create_error("Lock", e))?;
        Ok(Lock {
            segment: Arc::new(segment),
        })
    }

    #[inline]
    fn raw(&self) -> RawMutex<'_> {
        let shared = self.segment.header::<LockLayout>();
        RawMutex::new(&shared.mutex, &shared.owner)
    }

    /// Blocks until the lock is taken (Python's `acquire()`).
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = poolrt::process::Lock::new().unwrap();
    /// lock.acquire();
    /// assert!(lock.locked());
    /// lock.release().unwrap();
    /// ```
    #[inline]
    pub fn acquire(&self) {
        self.raw().lock(None);
    }

    /// Whether the current holder took the lock over from a holder that
    /// died holding it (`pthread`'s `EOWNERDEAD`; Python has no such
    /// thing). Meaningful to the holder; false once the lock is released.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::{Lock, Process};
    ///
    /// fn take_and_die(lock: Lock) {
    ///     lock.acquire();
    ///     std::process::abort(); // dies holding it
    /// }
    ///
    /// let lock = Lock::new().unwrap();
    /// let p = Process::new(take_and_die, (lock.clone(),));
    /// p.start().unwrap();
    /// let _ = p.join();
    /// lock.acquire(); // takes it over
    /// assert!(lock.previous_owner_died());
    /// lock.release().unwrap();
    /// assert!(!lock.previous_owner_died());
    /// ```
    pub fn previous_owner_died(&self) -> bool {
        self.raw().owner_died()
    }

    /// Takes the lock if it is free (Python's `acquire(block=False)`).
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = poolrt::process::Lock::new().unwrap();
    /// assert!(lock.try_acquire());
    /// assert!(!lock.try_acquire());
    /// ```
    pub fn try_acquire(&self) -> bool {
        self.raw().try_lock().is_some()
    }

    /// Waits at most `timeout` for the lock; true if taken (Python's
    /// `acquire(timeout=...)`).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let lock = poolrt::process::Lock::new().unwrap();
    /// assert!(lock.acquire_timeout(Duration::from_millis(10)));
    /// assert!(!lock.acquire_timeout(Duration::from_millis(10)));
    /// ```
    pub fn acquire_timeout(&self, timeout: Duration) -> bool {
        self.raw()
            .lock(Deadline::after(timeout).instant())
            .is_some()
    }

    /// Releases the lock, whichever process took it, in one atomic step:
    /// of two concurrent releases of one holding, one fails, and neither
    /// can undo a third party's acquire.
    ///
    /// # Errors
    ///
    /// [`ReleaseError`] (`is_unlocked()`) if it is not locked (Python's
    /// `ValueError`), the same error as the thread backend's.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = poolrt::process::Lock::new().unwrap();
    /// assert!(lock.release().unwrap_err().is_unlocked());
    /// lock.acquire();
    /// assert!(lock.release().is_ok());
    /// ```
    #[inline]
    pub fn release(&self) -> Result<(), ReleaseError> {
        if self.raw().unlock() {
            Ok(())
        } else {
            Err(ReleaseError::unlocked())
        }
    }

    /// Whether some process holds the lock.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = poolrt::process::Lock::new().unwrap();
    /// let guard = lock.lock();
    /// assert!(lock.locked());
    /// drop(guard);
    /// assert!(!lock.locked());
    /// ```
    pub fn locked(&self) -> bool {
        self.raw().is_locked()
    }

    /// True when the lock is held now: Python's [`locked`](Self::locked), under the name a Rust
    /// programmer looks for first.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = poolrt::process::Lock::new().unwrap();
    /// let guard = lock.lock();
    /// assert!(lock.is_locked());
    /// drop(guard);
    /// assert!(!lock.is_locked());
    /// ```
    #[doc(alias = "locked")]
    pub fn is_locked(&self) -> bool {
        self.locked()
    }

    /// Takes the lock until the guard is dropped (Python's `with lock:`).
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = poolrt::process::Lock::new().unwrap();
    /// let guard = lock.lock();
    /// assert!(!lock.try_acquire());
    /// drop(guard);
    /// assert!(lock.try_acquire());
    /// ```
    #[inline]
    pub fn lock(&self) -> LockGuard<'_> {
        let taken = self.raw().lock(None).unwrap_or(Taken::Clean);
        LockGuard { lock: self, taken }
    }

    /// A guard if the lock is free now.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = poolrt::process::Lock::new().unwrap();
    /// let guard = lock.try_lock().unwrap();
    /// assert!(lock.try_lock().is_none());
    /// drop(guard);
    /// ```
    pub fn try_lock(&self) -> Option<LockGuard<'_>> {
        // Built only on success: a guard's drop releases the lock.
        let taken = self.raw().try_lock()?;
        Some(LockGuard { lock: self, taken })
    }

    /// A guard if the lock could be taken within `timeout`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let lock = poolrt::process::Lock::new().unwrap();
    /// let _held = lock.lock();
    /// assert!(lock.lock_timeout(Duration::from_millis(10)).is_none());
    /// ```
    pub fn lock_timeout(&self, timeout: Duration) -> Option<LockGuard<'_>> {
        // Built only on success: a guard's drop releases the lock.
        let taken = self.raw().lock(Deadline::after(timeout).instant())?;
        Some(LockGuard { lock: self, taken })
    }
}

impl LockGuard<'_> {
    /// Whether this guard's lock was taken over from a holder that died
    /// holding it (`pthread`'s `EOWNERDEAD`): what the lock guarded may
    /// be half-updated.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = poolrt::process::Lock::new().unwrap();
    /// assert!(!lock.lock().previous_owner_died());
    /// ```
    pub fn previous_owner_died(&self) -> bool {
        self.taken.owner_died()
    }
}

impl Drop for LockGuard<'_> {
    #[inline]
    fn drop(&mut self) {
        self.lock.raw().unlock();
    }
}

impl fmt::Debug for Lock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lock")
            .field("locked", &self.locked())
            .finish()
    }
}

segment_serde!(Lock, "Lock");
