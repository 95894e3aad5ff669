//! `Event`, `Semaphore`, `BoundedSemaphore` and `RLock`: Python's
//! `multiprocessing` synchronisation objects, each a few words in its own
//! shared segment, waiting on futexes.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::Ordering::{Acquire, Relaxed, SeqCst};
use std::time::{Duration, Instant};

use pool_core::{Error, ErrorKind};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::futex::{ALL, RawMutex, Signal, wait_while};
use super::{create_error, deserialize_segment, serialize_fd};
use crate::sys::segment::Segment;

fn deadline_after(timeout: Duration) -> Option<Instant> {
    Instant::now().checked_add(timeout)
}

/// A flag processes wait for: Python's `multiprocessing.Event`.
///
/// # Examples
///
/// ```
/// use pool_process::{Event, Process};
///
/// fn ready(go: Event) {
///     go.set();
/// }
///
/// let go = Event::new().unwrap();
/// let p = Process::new(ready, (go.clone(),));
/// p.start().unwrap();
/// assert!(go.wait_timeout(std::time::Duration::from_secs(30)));
/// p.join().unwrap();
/// ```
#[derive(Clone)]
pub struct Event {
    segment: Arc<Segment>,
}

/// Event layout: the flag, then the signal word waiters sleep on.
const FLAG: usize = 0;
const CHANGED: usize = 4;

impl Event {
    /// A new event, not set.
    ///
    /// # Errors
    ///
    /// The shared memory could not be created.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!pool_process::Event::new().unwrap().is_set());
    /// ```
    pub fn new() -> Result<Event, Error> {
        let segment = Segment::create("poolrt-event", 64).map_err(|e| create_error("Event", e))?;
        Ok(Event {
            segment: Arc::new(segment),
        })
    }

    fn signal(&self) -> Signal<'_> {
        Signal(self.segment.u32_at(CHANGED))
    }

    /// Sets the flag and wakes every waiter.
    ///
    /// # Examples
    ///
    /// ```
    /// let e = pool_process::Event::new().unwrap();
    /// e.set();
    /// assert!(e.is_set());
    /// ```
    pub fn set(&self) {
        self.segment.u32_at(FLAG).store(1, SeqCst);
        self.signal().bump();
        self.signal().wake(ALL);
    }

    /// Clears the flag.
    ///
    /// # Examples
    ///
    /// ```
    /// let e = pool_process::Event::new().unwrap();
    /// e.set();
    /// e.clear();
    /// assert!(!e.is_set());
    /// ```
    pub fn clear(&self) {
        self.segment.u32_at(FLAG).store(0, SeqCst);
    }

    /// Whether the flag is set.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!pool_process::Event::new().unwrap().is_set());
    /// ```
    pub fn is_set(&self) -> bool {
        self.segment.u32_at(FLAG).load(SeqCst) == 1
    }

    /// Waits until the flag is set.
    ///
    /// # Examples
    ///
    /// ```
    /// let e = pool_process::Event::new().unwrap();
    /// e.set();
    /// e.wait(); // returns at once
    /// ```
    pub fn wait(&self) {
        self.wait_until(None);
    }

    /// Waits at most `timeout`; returns whether the flag is set (Python's
    /// `wait(timeout)`).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let e = pool_process::Event::new().unwrap();
    /// assert!(!e.wait_timeout(Duration::from_millis(10)));
    /// ```
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        self.wait_until(deadline_after(timeout))
    }

    fn wait_until(&self, deadline: Option<Instant>) -> bool {
        loop {
            // Read the signal before the flag: a `set` after the flag was
            // read bumps the signal, and the sleep returns at once.
            let seen = self.signal().seen();
            if self.is_set() {
                return true;
            }
            if !self.signal().wait(seen, deadline) {
                return self.is_set();
            }
        }
    }
}

/// A counter of permits shared by processes: Python's
/// `multiprocessing.Semaphore`.
///
/// # Examples
///
/// ```
/// let s = pool_process::Semaphore::new(2).unwrap();
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

/// Semaphore layout: the permits, the sleepers, the bound (0: none).
const PERMITS: usize = 0;
const SLEEPERS: usize = 4;
const BOUND: usize = 8;

impl Semaphore {
    /// A semaphore with `value` permits.
    ///
    /// # Errors
    ///
    /// The shared memory could not be created.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(pool_process::Semaphore::new(3).unwrap().value(), 3);
    /// ```
    pub fn new(value: u32) -> Result<Semaphore, Error> {
        Semaphore::with_bound(value, 0, "Semaphore")
    }

    fn with_bound(value: u32, bound: u32, what: &str) -> Result<Semaphore, Error> {
        let segment = Segment::create("poolrt-semaphore", 64).map_err(|e| create_error(what, e))?;
        segment.u32_at(PERMITS).store(value, SeqCst);
        segment.u32_at(BOUND).store(bound, SeqCst);
        Ok(Semaphore {
            segment: Arc::new(segment),
        })
    }

    fn permits(&self) -> &std::sync::atomic::AtomicU32 {
        self.segment.u32_at(PERMITS)
    }

    /// Takes a permit, waiting for one as long as it takes.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = pool_process::Semaphore::new(1).unwrap();
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
    /// let s = pool_process::Semaphore::new(0).unwrap();
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
    /// let s = pool_process::Semaphore::new(0).unwrap();
    /// assert!(!s.acquire_timeout(Duration::from_millis(10)));
    /// ```
    pub fn acquire_timeout(&self, timeout: Duration) -> bool {
        self.acquire_until(deadline_after(timeout))
    }

    fn acquire_until(&self, deadline: Option<Instant>) -> bool {
        loop {
            if self.try_acquire() {
                return true;
            }
            let sleepers = self.segment.u32_at(SLEEPERS);
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
    /// let s = pool_process::Semaphore::new(0).unwrap();
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
    /// let s = pool_process::Semaphore::new(0).unwrap();
    /// s.release_n(3);
    /// assert_eq!(s.value(), 3);
    /// ```
    pub fn release_n(&self, n: u32) {
        self.permits().fetch_add(n, SeqCst);
        self.wake(n);
    }

    fn wake(&self, n: u32) {
        if self.segment.u32_at(SLEEPERS).load(SeqCst) > 0 {
            super::futex::wake(self.permits(), n);
        }
    }

    /// The number of free permits (Python's `get_value()`).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(pool_process::Semaphore::new(5).unwrap().value(), 5);
    /// ```
    #[doc(alias = "get_value")]
    pub fn value(&self) -> u32 {
        self.permits().load(SeqCst)
    }
}

/// A [`Semaphore`] that refuses to be released above its initial value:
/// Python's `multiprocessing.BoundedSemaphore`.
///
/// # Examples
///
/// ```
/// let s = pool_process::BoundedSemaphore::new(1).unwrap();
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
    /// assert_eq!(pool_process::BoundedSemaphore::new(2).unwrap().value(), 2);
    /// ```
    pub fn new(value: u32) -> Result<BoundedSemaphore, Error> {
        Ok(BoundedSemaphore {
            semaphore: Semaphore::with_bound(value, value, "BoundedSemaphore")?,
        })
    }

    /// Adds a permit.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidState`] if that would exceed the initial value
    /// (Python's `ValueError`); nothing changes then.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = pool_process::BoundedSemaphore::new(1).unwrap();
    /// assert!(s.release().is_err());
    /// ```
    pub fn release(&self) -> Result<(), Error> {
        let bound = self.semaphore.segment.u32_at(BOUND).load(Relaxed);
        let permits = self.semaphore.permits();
        let mut current = permits.load(Relaxed);
        loop {
            if current >= bound {
                return Err(
                    Error::from_kind(ErrorKind::InvalidState).with_detail(format!(
                        "BoundedSemaphore released too many times (at most {bound} permits)"
                    )),
                );
            }
            match permits.compare_exchange_weak(current, current + 1, SeqCst, Relaxed) {
                Ok(_) => break,
                Err(now) => current = now,
            }
        }
        self.semaphore.wake(1);
        Ok(())
    }
}

impl std::ops::Deref for BoundedSemaphore {
    type Target = Semaphore;

    /// The acquiring side, shared with [`Semaphore`].
    fn deref(&self) -> &Semaphore {
        &self.semaphore
    }
}

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
    let tid = rustix::thread::gettid().as_raw_nonzero().get() as u32;
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
        self.acquire_until(deadline_after(timeout))
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
    /// [`ErrorKind::InvalidState`] if this thread does not hold the lock
    /// (Python's `AssertionError`/`RuntimeError`).
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = pool_process::RLock::new().unwrap();
    /// assert!(lock.release().is_err());
    /// ```
    pub fn release(&self) -> Result<(), Error> {
        if !self.held_here() {
            return Err(Error::from_kind(ErrorKind::InvalidState)
                .with_detail("release of an RLock this thread does not hold"));
        }
        if self.depth().fetch_sub(1, Relaxed) == 1 {
            self.owner().store(0, Relaxed);
            RawMutex(self.segment.u32_at(MUTEX)).unlock();
        }
        Ok(())
    }
}

macro_rules! shared_handle {
    ($ty:ident, $what:literal, $build:expr) => {
        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct($what).finish_non_exhaustive()
            }
        }

        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                serialize_fd(&*self.segment, $what, s)
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<$ty, D::Error> {
                let segment = Arc::new(deserialize_segment(d, $what)?);
                Ok($build(segment))
            }
        }
    };
}

shared_handle!(Event, "Event", |segment| Event { segment });
shared_handle!(Semaphore, "Semaphore", |segment| Semaphore { segment });
shared_handle!(RLock, "RLock", |segment| RLock { segment });

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
