//! `Event`, `Semaphore`, `BoundedSemaphore`, `RLock`, `Condition` and
//! `Barrier`: Python's `multiprocessing` synchronisation objects, each a
//! few words in a shared segment (a `Condition` is four of them), waiting
//! on futexes.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::Ordering::{Acquire, Relaxed, SeqCst};
use std::time::{Duration, Instant};

use pool_core::{Error, ErrorKind};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::futex::{ALL, RawMutex, Signal, wait_while};
use super::{create_error, deadline_after, deserialize_segment, serialize_fd};
use crate::sys::segment::Segment;

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
    ($ty:ident, $what:literal) => {
        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct($what).finish_non_exhaustive()
            }
        }

        segment_serde!($ty, $what);
    };
}

shared_handle!(Event, "Event");
shared_handle!(Semaphore, "Semaphore");
shared_handle!(RLock, "RLock");

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

impl RLock {
    /// How many times this thread holds the lock (0: not its holder).
    fn depth_here(&self) -> u32 {
        if self.held_here() {
            self.depth().load(Relaxed)
        } else {
            0
        }
    }

    /// Releases every level this thread holds; returns how many.
    fn release_all(&self) -> u32 {
        let depth = self.depth_here();
        if depth > 0 {
            self.depth().store(0, Relaxed);
            self.owner().store(0, Relaxed);
            RawMutex(self.segment.u32_at(MUTEX)).unlock();
        }
        depth
    }

    /// Takes the lock back at `depth` levels.
    fn reacquire(&self, depth: u32) {
        if depth > 0 {
            RawMutex(self.segment.u32_at(MUTEX)).lock(None);
            self.owner().store(me(), Relaxed);
            self.depth().store(depth, Relaxed);
        }
    }
}

/// A condition variable shared by processes: Python's
/// `multiprocessing.Condition`, over its own [`RLock`].
///
/// Built as Python builds it, from the lock and three semaphores, so that
/// [`notify(n)`](ConditionGuard::notify) wakes exactly up to `n` waiters
/// even when some of them time out meanwhile.
///
/// # Examples
///
/// ```
/// use pool_process::{Condition, Process, Value};
///
/// fn produce(cond: Condition, item: Value<u32>) {
///     let guard = cond.lock();
///     item.set(42);
///     guard.notify_all();
/// }
///
/// let cond = Condition::new().unwrap();
/// let item = Value::new(0u32).unwrap();
/// let mut guard = cond.lock();
/// let p = Process::new(produce, (cond.clone(), item.clone()));
/// p.start().unwrap();
/// guard.wait_for(|| item.get() == 42);
/// drop(guard);
/// p.join().unwrap();
/// ```
#[derive(Clone, Serialize, Deserialize)]
pub struct Condition {
    lock: RLock,
    sleeping: Semaphore,
    woken: Semaphore,
    wake: Semaphore,
}

/// Holds a [`Condition`]'s lock (one level of its [`RLock`]) until dropped;
/// waits and notifies go through it, as Python's `with cond:` block.
///
/// # Examples
///
/// ```
/// let cond = pool_process::Condition::new().unwrap();
/// let guard = cond.lock();
/// assert_eq!(guard.notify(1), 0, "nobody waits");
/// ```
#[must_use = "the lock is released when the guard is dropped"]
pub struct ConditionGuard<'a> {
    condition: &'a Condition,
}

impl Condition {
    /// A new condition with its own lock.
    ///
    /// # Errors
    ///
    /// The shared memory could not be created.
    ///
    /// # Examples
    ///
    /// ```
    /// let cond = pool_process::Condition::new().unwrap();
    /// drop(cond.lock());
    /// ```
    pub fn new() -> Result<Condition, Error> {
        Ok(Condition {
            lock: RLock::new()?,
            sleeping: Semaphore::new(0)?,
            woken: Semaphore::new(0)?,
            wake: Semaphore::new(0)?,
        })
    }

    /// Takes the condition's lock (Python's `with cond:`).
    ///
    /// # Examples
    ///
    /// ```
    /// let cond = pool_process::Condition::new().unwrap();
    /// let g = cond.lock();
    /// let again = cond.lock(); // its RLock: the holder may take it again
    /// drop((again, g));
    /// ```
    pub fn lock(&self) -> ConditionGuard<'_> {
        self.lock.acquire();
        ConditionGuard { condition: self }
    }

    /// Takes the lock if it is free now (or this thread's).
    ///
    /// # Examples
    ///
    /// ```
    /// let cond = pool_process::Condition::new().unwrap();
    /// assert!(cond.try_lock().is_some());
    /// ```
    pub fn try_lock(&self) -> Option<ConditionGuard<'_>> {
        self.lock
            .try_acquire()
            .then_some(ConditionGuard { condition: self })
    }
}

impl ConditionGuard<'_> {
    /// Releases the lock, sleeps until notified, takes the lock back.
    ///
    /// # Examples
    ///
    /// ```
    /// use pool_process::{Condition, Process};
    ///
    /// fn notifier(cond: Condition) {
    ///     cond.lock().notify(1);
    /// }
    ///
    /// let cond = Condition::new().unwrap();
    /// let mut guard = cond.lock();
    /// let p = Process::new(notifier, (cond.clone(),));
    /// p.start().unwrap();
    /// // The child can notify only once this waits (it needs the lock).
    /// guard.wait();
    /// drop(guard);
    /// p.join().unwrap();
    /// ```
    pub fn wait(&mut self) {
        self.wait_until(None);
    }

    /// Like [`wait`](ConditionGuard::wait), for at most `timeout`; false if
    /// it timed out.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let cond = pool_process::Condition::new().unwrap();
    /// let mut guard = cond.lock();
    /// assert!(!guard.wait_timeout(Duration::from_millis(10)));
    /// ```
    pub fn wait_timeout(&mut self, timeout: Duration) -> bool {
        self.wait_until(deadline_after(timeout))
    }

    fn wait_until(&mut self, deadline: Option<Instant>) -> bool {
        let c = self.condition;
        c.sleeping.release();
        let depth = c.lock.release_all();
        let woken = c.wake.acquire_until(deadline);
        c.woken.release();
        c.lock.reacquire(depth);
        woken
    }

    /// Waits until `predicate` holds, re-checking it after every wake-up
    /// (Python's `wait_for`).
    ///
    /// # Examples
    ///
    /// ```
    /// let cond = pool_process::Condition::new().unwrap();
    /// let mut guard = cond.lock();
    /// guard.wait_for(|| true); // already true: no wait
    /// ```
    pub fn wait_for(&mut self, mut predicate: impl FnMut() -> bool) {
        while !predicate() {
            self.wait();
        }
    }

    /// Like [`wait_for`](ConditionGuard::wait_for), for at most `timeout`;
    /// returns the predicate's last value.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let cond = pool_process::Condition::new().unwrap();
    /// let mut guard = cond.lock();
    /// assert!(!guard.wait_for_timeout(|| false, Duration::from_millis(10)));
    /// ```
    pub fn wait_for_timeout(
        &mut self,
        mut predicate: impl FnMut() -> bool,
        timeout: Duration,
    ) -> bool {
        let deadline = deadline_after(timeout);
        loop {
            if predicate() {
                return true;
            }
            if !self.wait_until(deadline) || deadline.is_some_and(|d| Instant::now() >= d) {
                return predicate();
            }
        }
    }

    /// Wakes up to `n` waiters and waits until they have woken; returns
    /// how many it woke.
    ///
    /// # Examples
    ///
    /// ```
    /// let cond = pool_process::Condition::new().unwrap();
    /// assert_eq!(cond.lock().notify(3), 0);
    /// ```
    pub fn notify(&self, n: usize) -> usize {
        let c = self.condition;
        // Waiters that timed out since the last notify left a sleeping
        // count behind; settle those first.
        while c.woken.try_acquire() {
            let _ = c.sleeping.try_acquire();
        }
        let mut woke = 0;
        while woke < n && c.sleeping.try_acquire() {
            c.wake.release();
            woke += 1;
        }
        if woke > 0 {
            for _ in 0..woke {
                c.woken.acquire();
            }
            // A waiter that timed out just now left a wake-up unused.
            while c.wake.try_acquire() {}
        }
        woke
    }

    /// Wakes every waiter; returns how many.
    ///
    /// # Examples
    ///
    /// ```
    /// let cond = pool_process::Condition::new().unwrap();
    /// assert_eq!(cond.lock().notify_all(), 0);
    /// ```
    pub fn notify_all(&self) -> usize {
        self.notify(usize::MAX)
    }
}

impl Drop for ConditionGuard<'_> {
    fn drop(&mut self) {
        let _ = self.condition.lock.release();
    }
}

impl fmt::Debug for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condition")
            .field("waiting", &self.sleeping.value())
            .finish()
    }
}

/// A meeting point for a fixed number of processes: Python's
/// `multiprocessing.Barrier`.
///
/// Each [`wait`](Barrier::wait) returns an arrival index, `0` to
/// `parties - 1`. Python's `action` (run once per round) is here the
/// caller's: `if barrier.wait()? == 0 { action() }`. A timed-out wait,
/// [`abort`](Barrier::abort) or [`reset`](Barrier::reset) breaks the
/// round for everyone waiting, as in Python.
///
/// # Examples
///
/// ```
/// use pool_process::{Barrier, Process};
///
/// fn meet(b: Barrier) {
///     b.wait().unwrap();
/// }
///
/// let b = Barrier::new(2).unwrap();
/// let p = Process::new(meet, (b.clone(),));
/// p.start().unwrap();
/// let index = b.wait().unwrap();
/// assert!(index < 2);
/// p.join().unwrap();
/// ```
#[derive(Clone)]
pub struct Barrier {
    segment: Arc<Segment>,
}

/// Barrier layout.
const B_MUTEX: usize = 0;
const B_SIGNAL: usize = 4;
const B_ARRIVED: usize = 8;
const B_GENERATION: usize = 12;
const B_BROKEN: usize = 16;
const B_PARTIES: usize = 20;
/// `generation + 1` of a round that [`Barrier::reset`] broke.
const B_RESET_ROUND: usize = 24;

fn broken_barrier(why: &str) -> Error {
    Error::from_kind(ErrorKind::InvalidState).with_detail(format!("broken barrier: {why}"))
}

impl Barrier {
    /// A barrier for `parties` processes (or threads).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidConfig`] for zero parties; the shared memory
    /// could not be created.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(pool_process::Barrier::new(3).unwrap().parties(), 3);
    /// assert!(pool_process::Barrier::new(0).is_err());
    /// ```
    pub fn new(parties: u32) -> Result<Barrier, Error> {
        if parties == 0 {
            return Err(Error::from_kind(ErrorKind::InvalidConfig)
                .with_detail("a barrier needs at least one party"));
        }
        let segment =
            Segment::create("poolrt-barrier", 64).map_err(|e| create_error("Barrier", e))?;
        segment.u32_at(B_PARTIES).store(parties, SeqCst);
        Ok(Barrier {
            segment: Arc::new(segment),
        })
    }

    fn word(&self, at: usize) -> &std::sync::atomic::AtomicU32 {
        self.segment.u32_at(at)
    }

    fn mutex(&self) -> RawMutex<'_> {
        RawMutex(self.word(B_MUTEX))
    }

    fn signal(&self) -> Signal<'_> {
        Signal(self.word(B_SIGNAL))
    }

    /// Waits for the others; returns this arrival's index.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidState`] if the barrier is or becomes broken.
    ///
    /// # Examples
    ///
    /// ```
    /// let b = pool_process::Barrier::new(1).unwrap();
    /// assert_eq!(b.wait().unwrap(), 0);
    /// ```
    pub fn wait(&self) -> Result<u32, Error> {
        self.wait_until(None)
    }

    /// Like [`wait`](Barrier::wait), for at most `timeout`; a timeout
    /// breaks the barrier.
    ///
    /// # Errors
    ///
    /// As for [`wait`](Barrier::wait).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let b = pool_process::Barrier::new(2).unwrap();
    /// assert!(b.wait_timeout(Duration::from_millis(10)).is_err());
    /// assert!(b.broken());
    /// ```
    pub fn wait_timeout(&self, timeout: Duration) -> Result<u32, Error> {
        self.wait_until(deadline_after(timeout))
    }

    fn wait_until(&self, deadline: Option<Instant>) -> Result<u32, Error> {
        self.mutex().lock(None);
        if self.word(B_BROKEN).load(Relaxed) != 0 {
            self.mutex().unlock();
            return Err(broken_barrier("aborted or timed out"));
        }
        let round = self.word(B_GENERATION).load(Relaxed);
        let index = self.word(B_ARRIVED).fetch_add(1, Relaxed);
        if index + 1 == self.word(B_PARTIES).load(Relaxed) {
            self.word(B_ARRIVED).store(0, Relaxed);
            self.word(B_GENERATION)
                .store(round.wrapping_add(1), Relaxed);
            self.signal().bump();
            self.mutex().unlock();
            self.signal().wake(ALL);
            return Ok(index);
        }
        loop {
            let seen = self.signal().seen();
            self.mutex().unlock();
            let in_time =
                self.signal().wait(seen, deadline) && deadline.is_none_or(|d| Instant::now() < d);
            self.mutex().lock(None);
            if self.word(B_GENERATION).load(Relaxed) != round {
                let reset = self.word(B_RESET_ROUND).load(Relaxed) == round.wrapping_add(1);
                self.mutex().unlock();
                return if reset {
                    Err(broken_barrier("reset while waiting"))
                } else {
                    Ok(index)
                };
            }
            if self.word(B_BROKEN).load(Relaxed) != 0 {
                self.mutex().unlock();
                return Err(broken_barrier("aborted or timed out"));
            }
            if !in_time {
                self.break_locked();
                return Err(broken_barrier("timed out"));
            }
        }
    }

    /// With the mutex held: breaks the barrier, wakes everyone, unlocks.
    fn break_locked(&self) {
        self.word(B_BROKEN).store(1, Relaxed);
        self.signal().bump();
        self.mutex().unlock();
        self.signal().wake(ALL);
    }

    /// Breaks the barrier: waiters and later `wait`s fail until
    /// [`reset`](Barrier::reset).
    ///
    /// # Examples
    ///
    /// ```
    /// let b = pool_process::Barrier::new(2).unwrap();
    /// b.abort();
    /// assert!(b.wait().is_err());
    /// ```
    pub fn abort(&self) {
        self.mutex().lock(None);
        self.break_locked();
    }

    /// Returns the barrier to its first state; processes waiting now fail.
    ///
    /// # Examples
    ///
    /// ```
    /// let b = pool_process::Barrier::new(1).unwrap();
    /// b.abort();
    /// b.reset();
    /// assert!(!b.broken());
    /// assert_eq!(b.wait().unwrap(), 0);
    /// ```
    pub fn reset(&self) {
        self.mutex().lock(None);
        if self.word(B_ARRIVED).load(Relaxed) > 0 {
            let round = self.word(B_GENERATION).load(Relaxed);
            self.word(B_RESET_ROUND)
                .store(round.wrapping_add(1), Relaxed);
            self.word(B_GENERATION)
                .store(round.wrapping_add(1), Relaxed);
            self.word(B_ARRIVED).store(0, Relaxed);
        }
        self.word(B_BROKEN).store(0, Relaxed);
        self.signal().bump();
        self.mutex().unlock();
        self.signal().wake(ALL);
    }

    /// The number of parties.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(pool_process::Barrier::new(4).unwrap().parties(), 4);
    /// ```
    pub fn parties(&self) -> u32 {
        self.word(B_PARTIES).load(Relaxed)
    }

    /// How many are waiting now.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(pool_process::Barrier::new(2).unwrap().n_waiting(), 0);
    /// ```
    pub fn n_waiting(&self) -> u32 {
        self.word(B_ARRIVED).load(SeqCst)
    }

    /// Whether the barrier is broken.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!pool_process::Barrier::new(2).unwrap().broken());
    /// ```
    pub fn broken(&self) -> bool {
        self.word(B_BROKEN).load(SeqCst) != 0
    }
}

shared_handle!(Barrier, "Barrier");
