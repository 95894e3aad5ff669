//! `RLock`: Python's `multiprocessing.RLock`, a mutex word, a depth and
//! the owning thread (pid and tid) in a shared segment.

use std::fmt;
use std::mem::offset_of;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicU32, AtomicU64};
use std::time::{Duration, Instant};

use pool_core::{Deadline, Error, ReleaseError};

use super::word::{RawMutex, Taken};
use crate::shared::create_error;
use crate::sys::segment::{Segment, shared_layout};

/// A lock its holder may take again: Python's `multiprocessing.RLock`.
/// The holder is a thread of a process; only it may release, as many times
/// as it acquired.
///
/// Robust like [`Lock`](crate::Lock): if its holder dies, the next
/// acquirer takes it over (at depth 1) and
/// [`previous_owner_died`](RLock::previous_owner_died) says so.
///
/// # Examples
///
/// ```
/// let lock = poolrt::process::RLock::new().unwrap();
/// lock.acquire();
/// lock.acquire();
/// lock.release().unwrap();
/// lock.release().unwrap();
/// assert!(lock.release().is_err(), "not held any more");
/// ```
#[derive(Clone)]
pub struct RLock {
    segment: Arc<Segment>,
}

shared_layout! {
    /// An rlock's shared segment.
    struct RLockLayout {
        /// The [`RawMutex`] word.
        mutex: AtomicU32,
        /// How many times the owner holds the lock.
        depth: AtomicU32,
        /// The [`RawMutex`]'s companion: the holder's stamp.
        owner: AtomicU64,
    }
}

const _: () = assert!(offset_of!(RLockLayout, mutex) == 0);
const _: () = assert!(offset_of!(RLockLayout, depth) == 4);
const _: () = assert!(offset_of!(RLockLayout, owner) == 8);
const _: () = assert!(size_of::<RLockLayout>() == 16);

impl RLock {
    /// A new, free lock.
    ///
    /// # Errors
    ///
    /// The shared memory could not be created.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = poolrt::process::RLock::new().unwrap();
    /// assert!(lock.try_acquire());
    /// ```
    pub fn new() -> Result<RLock, Error> {
        let segment = Segment::create("poolrt-rlock", 64).map_err(|e| create_error("RLock", e))?;
        Ok(RLock {
            segment: Arc::new(segment),
        })
    }

    fn shared(&self) -> &RLockLayout {
        self.segment.header()
    }

    fn mutex(&self) -> RawMutex<'_> {
        RawMutex::new(&self.shared().mutex, &self.shared().owner)
    }

    fn depth(&self) -> &AtomicU32 {
        &self.shared().depth
    }

    /// Takes the lock, or takes it once more if this thread holds it.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = poolrt::process::RLock::new().unwrap();
    /// lock.acquire();
    /// lock.acquire();
    /// ```
    pub fn acquire(&self) {
        self.acquire_until(None);
    }

    /// Takes the lock if it is free or already this thread's.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = poolrt::process::RLock::new().unwrap();
    /// assert!(lock.try_acquire());
    /// assert!(lock.try_acquire(), "again, by its holder");
    /// ```
    pub fn try_acquire(&self) -> bool {
        if self.held_here() {
            self.depth().fetch_add(1, Relaxed);
            return true;
        }
        if self.mutex().try_lock().is_some() {
            self.take();
            return true;
        }
        false
    }

    /// Waits at most `timeout` for the lock; true if taken.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let lock = poolrt::process::RLock::new().unwrap();
    /// assert!(lock.acquire_timeout(Duration::from_millis(10)));
    /// ```
    pub fn acquire_timeout(&self, timeout: Duration) -> bool {
        self.acquire_until(Deadline::after(timeout).instant())
    }

    fn acquire_until(&self, deadline: Option<Instant>) -> bool {
        if self.held_here() {
            self.depth().fetch_add(1, Relaxed);
            return true;
        }
        if self.mutex().lock(deadline).is_some() {
            self.take();
            return true;
        }
        false
    }

    /// With the mutex just taken (perhaps from a dead holder, whose depth
    /// is void): one level.
    fn take(&self) {
        self.depth().store(1, Relaxed);
    }

    /// Whether this thread holds the lock (its id and stamp are the
    /// mutex's).
    fn held_here(&self) -> bool {
        self.mutex().held_here()
    }

    /// Whether this thread took the lock over from a holder that died
    /// holding it (`pthread`'s `EOWNERDEAD`). Meaningful to the holder;
    /// false once it released the last level.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::{Process, RLock};
    ///
    /// fn take_and_die(lock: RLock) {
    ///     lock.acquire();
    ///     std::process::abort(); // dies holding it
    /// }
    ///
    /// let lock = RLock::new().unwrap();
    /// let p = Process::new(take_and_die, (lock.clone(),));
    /// p.start().unwrap();
    /// let _ = p.join();
    /// lock.acquire(); // takes it over
    /// assert!(lock.previous_owner_died());
    /// lock.release().unwrap();
    /// assert!(!lock.previous_owner_died());
    /// ```
    pub fn previous_owner_died(&self) -> bool {
        self.held_here() && self.mutex().owner_died()
    }

    /// Releases one level; the last one frees the lock.
    ///
    /// # Errors
    ///
    /// [`ReleaseError`] (`is_not_owner()`) if this thread does not hold
    /// the lock (Python's `AssertionError`/`RuntimeError`).
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = poolrt::process::RLock::new().unwrap();
    /// assert!(lock.release().unwrap_err().is_not_owner());
    /// ```
    pub fn release(&self) -> Result<(), ReleaseError> {
        if !self.held_here() {
            return Err(ReleaseError::not_owner());
        }
        if self.depth().fetch_sub(1, Relaxed) == 1 {
            self.mutex().unlock();
        }
        Ok(())
    }

    /// Whether any thread of any process holds the lock (Python 3.14's
    /// `RLock.locked()`).
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = poolrt::process::RLock::new().unwrap();
    /// assert!(!lock.locked());
    /// lock.acquire();
    /// lock.acquire();
    /// lock.release().unwrap();
    /// assert!(lock.locked(), "one level still held");
    /// lock.release().unwrap();
    /// assert!(!lock.locked());
    /// ```
    pub fn locked(&self) -> bool {
        self.mutex().is_locked()
    }

    /// True when the lock is held now: Python's [`locked`](Self::locked), under the name a Rust
    /// programmer looks for first.
    ///
    /// # Examples
    ///
    /// ```
    /// let rlock = poolrt::process::RLock::new().unwrap();
    /// rlock.acquire();
    /// assert!(rlock.is_locked());
    /// rlock.release().unwrap();
    /// assert!(!rlock.is_locked());
    /// ```
    #[doc(alias = "locked")]
    pub fn is_locked(&self) -> bool {
        self.locked()
    }
}

impl RLock {
    /// How many times this thread holds the lock (0: not its holder).
    pub(super) fn depth_here(&self) -> u32 {
        if self.held_here() {
            self.depth().load(Relaxed)
        } else {
            0
        }
    }

    /// Releases every level this thread holds; returns how many.
    pub(super) fn release_all(&self) -> u32 {
        let depth = self.depth_here();
        if depth > 0 {
            self.depth().store(0, Relaxed);
            self.mutex().unlock();
        }
        depth
    }

    /// Takes the lock back at `depth` levels; how it was taken.
    pub(super) fn reacquire(&self, depth: u32) -> Taken {
        if depth == 0 {
            return Taken::Clean;
        }
        let taken = self.mutex().lock(None).unwrap_or(Taken::Clean);
        self.depth().store(depth, Relaxed);
        taken
    }
}

shared_handle!(RLock, "RLock");
