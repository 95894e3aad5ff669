//! `Semaphore` and `BoundedSemaphore`: Python's `multiprocessing`
//! semaphores, a permit count and a sleeper count in a shared segment.

use std::fmt;
use std::mem::offset_of;
use std::sync::Arc;
use std::sync::atomic::AtomicU32;
use std::sync::atomic::Ordering::{Acquire, Relaxed, SeqCst};
use std::time::{Duration, Instant};

use pool_core::{Deadline, Error, ErrorKind, ReleaseError};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::shared::{create_error, deserialize_segment, serialize_fd};
use crate::sys::futex::wait_while;
use crate::sys::segment::{Segment, shared_layout};

/// A counter of permits shared by processes: Python's
/// `multiprocessing.Semaphore`.
///
/// # Examples
///
/// ```
/// let s = poolrt::process::Semaphore::new(2).unwrap();
/// s.acquire();
/// assert!(s.try_acquire());
/// assert!(!s.try_acquire());
/// s.release();
/// assert_eq!(s.value(), 1);
/// ```
#[derive(Clone)]
pub struct Semaphore {
    segment: Arc<Segment>,
}

shared_layout! {
    /// A semaphore's shared segment.
    struct SemaphoreLayout {
        /// Free permits; waiters sleep on this word while it is 0.
        permits: AtomicU32,
        /// Processes (threads) asleep waiting for a permit.
        sleepers: AtomicU32,
        /// A `BoundedSemaphore`'s initial value (0: unbounded).
        bound: AtomicU32,
    }
}

const _: () = assert!(offset_of!(SemaphoreLayout, permits) == 0);
const _: () = assert!(offset_of!(SemaphoreLayout, sleepers) == 4);
const _: () = assert!(offset_of!(SemaphoreLayout, bound) == 8);
const _: () = assert!(size_of::<SemaphoreLayout>() == 12);

impl Semaphore {
    /// A semaphore with `value` permits.
    ///
    /// # Errors
    ///
    /// The shared memory could not be created; [`ErrorKind::InvalidConfig`]
    /// for more than `u32::MAX` permits (the shared word's width).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(poolrt::process::Semaphore::new(3).unwrap().value(), 3);
    /// ```
    pub fn new(value: usize) -> Result<Semaphore, Error> {
        Semaphore::with_bound(value, false, "Semaphore")
    }

    fn with_bound(value: usize, bounded: bool, what: &str) -> Result<Semaphore, Error> {
        let value = u32::try_from(value).map_err(|_| {
            Error::from_kind(ErrorKind::InvalidConfig)
                .with_detail(format!("a {what} holds at most {} permits", u32::MAX))
        })?;
        let bound = if bounded { value } else { 0 };
        let segment = Segment::create("poolrt-semaphore", 64).map_err(|e| create_error(what, e))?;
        let shared = segment.header::<SemaphoreLayout>();
        shared.permits.store(value, SeqCst);
        shared.bound.store(bound, SeqCst);
        Ok(Semaphore {
            segment: Arc::new(segment),
        })
    }

    fn shared(&self) -> &SemaphoreLayout {
        self.segment.header()
    }

    fn permits(&self) -> &AtomicU32 {
        &self.shared().permits
    }

    /// Takes a permit, waiting for one as long as it takes.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = poolrt::process::Semaphore::new(1).unwrap();
    /// s.acquire();
    /// assert_eq!(s.value(), 0);
    /// ```
    pub fn acquire(&self) {
        self.acquire_until(None);
    }

    /// Takes a permit if one is free now (Python's `acquire(False)`).
    ///
    /// # Examples
    ///
    /// ```
    /// let s = poolrt::process::Semaphore::new(0).unwrap();
    /// assert!(!s.try_acquire());
    /// ```
    pub fn try_acquire(&self) -> bool {
        let mut current = self.permits().load(Relaxed);
        while current > 0 {
            match self
                .permits()
                .compare_exchange_weak(current, current - 1, Acquire, Relaxed)
            {
                Ok(_) => return true,
                Err(now) => current = now,
            }
        }
        false
    }

    /// Waits at most `timeout` for a permit; true if one was taken.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let s = poolrt::process::Semaphore::new(0).unwrap();
    /// assert!(!s.acquire_timeout(Duration::from_millis(10)));
    /// ```
    pub fn acquire_timeout(&self, timeout: Duration) -> bool {
        self.acquire_until(Deadline::after(timeout).instant())
    }

    pub(super) fn acquire_until(&self, deadline: Option<Instant>) -> bool {
        loop {
            if self.try_acquire() {
                return true;
            }
            let sleepers = &self.shared().sleepers;
            sleepers.fetch_add(1, SeqCst);
            // Sleeps only while there are no permits; a release adds one
            // first, so the sleep returns at once or is woken.
            let in_time = wait_while(self.permits(), 0, deadline);
            sleepers.fetch_sub(1, SeqCst);
            if !in_time {
                return self.try_acquire();
            }
        }
    }

    /// Adds a permit, waking a waiter.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = poolrt::process::Semaphore::new(0).unwrap();
    /// s.release();
    /// assert!(s.try_acquire());
    /// ```
    pub fn release(&self) {
        self.release_n(1);
    }

    /// Adds `n` permits (Python's `release(n)`).
    ///
    /// # Examples
    ///
    /// ```
    /// let s = poolrt::process::Semaphore::new(0).unwrap();
    /// s.release_n(3);
    /// assert_eq!(s.value(), 3);
    /// ```
    pub fn release_n(&self, n: usize) {
        // The shared word is 32 bits: the value saturates at `u32::MAX`
        // (no program holds 4 billion permits) instead of wrapping to 0.
        let n = u32::try_from(n).unwrap_or(u32::MAX);
        let _ = self
            .permits()
            .fetch_update(SeqCst, Relaxed, |p| Some(p.saturating_add(n)));
        self.wake(n);
    }

    fn wake(&self, n: u32) {
        if self.shared().sleepers.load(SeqCst) > 0 {
            crate::sys::futex::wake(self.permits(), n);
        }
    }

    /// The number of free permits (Python's `get_value()`).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(poolrt::process::Semaphore::new(5).unwrap().value(), 5);
    /// ```
    #[doc(alias = "get_value")]
    pub fn value(&self) -> usize {
        self.permits().load(SeqCst) as usize
    }
}

/// A [`Semaphore`] that refuses to be released above its initial value:
/// Python's `multiprocessing.BoundedSemaphore`.
///
/// # Examples
///
/// ```
/// let s = poolrt::process::BoundedSemaphore::new(1).unwrap();
/// s.acquire();
/// s.release().unwrap();
/// assert!(s.release().is_err(), "above the initial value");
/// ```
#[derive(Clone)]
pub struct BoundedSemaphore {
    semaphore: Semaphore,
}

impl BoundedSemaphore {
    /// A bounded semaphore with `value` permits, at most `value`.
    ///
    /// # Errors
    ///
    /// The shared memory could not be created.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(poolrt::process::BoundedSemaphore::new(2).unwrap().value(), 2);
    /// ```
    pub fn new(value: usize) -> Result<BoundedSemaphore, Error> {
        Ok(BoundedSemaphore {
            semaphore: Semaphore::with_bound(value, true, "BoundedSemaphore")?,
        })
    }

    /// Takes a permit, blocking until one is free.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = poolrt::process::BoundedSemaphore::new(1).unwrap();
    /// s.acquire();
    /// assert!(!s.try_acquire());
    /// ```
    pub fn acquire(&self) {
        self.semaphore.acquire();
    }

    /// Takes a permit if one is free now.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = poolrt::process::BoundedSemaphore::new(1).unwrap();
    /// assert!(s.try_acquire());
    /// assert!(!s.try_acquire());
    /// ```
    pub fn try_acquire(&self) -> bool {
        self.semaphore.try_acquire()
    }

    /// Takes a permit, waiting at most `timeout`; false if none came.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let s = poolrt::process::BoundedSemaphore::new(0).unwrap();
    /// assert!(!s.acquire_timeout(Duration::from_millis(10)));
    /// ```
    pub fn acquire_timeout(&self, timeout: Duration) -> bool {
        self.semaphore.acquire_timeout(timeout)
    }

    /// The number of free permits (Python's `get_value()`).
    ///
    /// # Examples
    ///
    /// ```
    /// let s = poolrt::process::BoundedSemaphore::new(2).unwrap();
    /// s.acquire();
    /// assert_eq!(s.value(), 1);
    /// ```
    #[doc(alias = "get_value")]
    pub fn value(&self) -> usize {
        self.semaphore.value()
    }

    /// The initial value, which releases may not exceed.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = poolrt::process::BoundedSemaphore::new(2).unwrap();
    /// s.acquire();
    /// assert_eq!(s.initial_value(), 2);
    /// ```
    pub fn initial_value(&self) -> usize {
        self.semaphore.shared().bound.load(Relaxed) as usize
    }

    /// Adds a permit.
    ///
    /// # Errors
    ///
    /// [`ReleaseError`] (`is_too_many_releases()`) if that would exceed
    /// the initial value (Python's `ValueError`); nothing changes then.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = poolrt::process::BoundedSemaphore::new(1).unwrap();
    /// assert!(s.release().unwrap_err().is_too_many_releases());
    /// ```
    pub fn release(&self) -> Result<(), ReleaseError> {
        self.release_n(1)
    }

    /// Adds `n` permits, all or none.
    ///
    /// # Errors
    ///
    /// [`ReleaseError`] (`is_too_many_releases()`) if that would exceed
    /// the initial value; nothing changes then.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = poolrt::process::BoundedSemaphore::new(2).unwrap();
    /// s.acquire();
    /// assert!(s.release_n(2).is_err());
    /// assert!(s.release_n(1).is_ok());
    /// ```
    pub fn release_n(&self, n: usize) -> Result<(), ReleaseError> {
        let bound = self.semaphore.shared().bound.load(Relaxed);
        let n = u32::try_from(n).map_err(|_| ReleaseError::too_many_releases())?;
        let permits = self.semaphore.permits();
        let mut current = permits.load(Relaxed);
        loop {
            match current.checked_add(n) {
                Some(next) if next <= bound => {
                    match permits.compare_exchange_weak(current, next, SeqCst, Relaxed) {
                        Ok(_) => break,
                        Err(now) => current = now,
                    }
                }
                _ => return Err(ReleaseError::too_many_releases()),
            }
        }
        self.semaphore.wake(n);
        Ok(())
    }
}

shared_handle!(Semaphore, "Semaphore");

impl fmt::Debug for BoundedSemaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoundedSemaphore")
            .field("value", &self.value())
            .finish()
    }
}

impl Serialize for BoundedSemaphore {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_fd(&*self.semaphore.segment, "BoundedSemaphore", s)
    }
}

impl<'de> Deserialize<'de> for BoundedSemaphore {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<BoundedSemaphore, D::Error> {
        let segment = Arc::new(deserialize_segment(d, "BoundedSemaphore")?);
        Ok(BoundedSemaphore {
            semaphore: Semaphore { segment },
        })
    }
}
