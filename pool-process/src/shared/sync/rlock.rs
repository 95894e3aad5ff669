//! `RLock`: Python's `multiprocessing.RLock`, a mutex word, a depth and
//! the owning thread (pid and tid) in a shared segment.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use pool_core::{Deadline, Error, ReleaseError};

use super::word::RawMutex;
use crate::shared::create_error;
use crate::sys::segment::Segment;

/// A lock its holder may take again: Python's `multiprocessing.RLock`.
/// The holder is a thread of a process; only it may release, as many times
/// as it acquired.
///
/// # Examples
///
/// ```
/// let lock = pool_process::RLock::new().unwrap();
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

/// RLock layout: the mutex word, the depth, the owner (pid << 32 | tid).
const MUTEX: usize = 0;
const DEPTH: usize = 4;
const OWNER: usize = 8;

/// This thread, across processes.
fn me() -> u64 {
    let tid = crate::sys::futex::thread_id() as u32;
    (u64::from(std::process::id()) << 32) | u64::from(tid)
}

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
    /// let lock = pool_process::RLock::new().unwrap();
    /// assert!(lock.try_acquire());
    /// ```
    pub fn new() -> Result<RLock, Error> {
        let segment = Segment::create("poolrt-rlock", 64).map_err(|e| create_error("RLock", e))?;
        Ok(RLock {
            segment: Arc::new(segment),
        })
    }

    fn owner(&self) -> &std::sync::atomic::AtomicU64 {
        self.segment.u64_at(OWNER)
    }

    fn depth(&self) -> &std::sync::atomic::AtomicU32 {
        self.segment.u32_at(DEPTH)
    }

    /// Takes the lock, or takes it once more if this thread holds it.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = pool_process::RLock::new().unwrap();
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
    /// let lock = pool_process::RLock::new().unwrap();
    /// assert!(lock.try_acquire());
    /// assert!(lock.try_acquire(), "again, by its holder");
    /// ```
    pub fn try_acquire(&self) -> bool {
        if self.held_here() {
            self.depth().fetch_add(1, Relaxed);
            return true;
        }
        if RawMutex(self.segment.u32_at(MUTEX)).try_lock() {
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
    /// let lock = pool_process::RLock::new().unwrap();
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
        if RawMutex(self.segment.u32_at(MUTEX)).lock(deadline) {
            self.take();
            return true;
        }
        false
    }

    /// With the mutex just taken: records this thread as the holder.
    fn take(&self) {
        self.owner().store(me(), Relaxed);
        self.depth().store(1, Relaxed);
    }

    /// Whether this thread holds the lock. Only the holder writes the
    /// owner word, so a match cannot be stale.
    fn held_here(&self) -> bool {
        self.owner().load(Relaxed) == me()
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
    /// let lock = pool_process::RLock::new().unwrap();
    /// assert!(lock.release().unwrap_err().is_not_owner());
    /// ```
    pub fn release(&self) -> Result<(), ReleaseError> {
        if !self.held_here() {
            return Err(ReleaseError::not_owner());
        }
        if self.depth().fetch_sub(1, Relaxed) == 1 {
            self.owner().store(0, Relaxed);
            RawMutex(self.segment.u32_at(MUTEX)).unlock();
        }
        Ok(())
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
            self.owner().store(0, Relaxed);
            RawMutex(self.segment.u32_at(MUTEX)).unlock();
        }
        depth
    }

    /// Takes the lock back at `depth` levels.
    pub(super) fn reacquire(&self, depth: u32) {
        if depth > 0 {
            RawMutex(self.segment.u32_at(MUTEX)).lock(None);
            self.owner().store(me(), Relaxed);
            self.depth().store(depth, Relaxed);
        }
    }
}

shared_handle!(RLock, "RLock");
