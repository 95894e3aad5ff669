//! `Condition`: Python's `threading.Condition` over a [`Lock`] or an
//! [`RLock`].
//!
//! # The wait protocol
//!
//! Each waiter is a record in a FIFO list, as in CPython:
//!
//! 1. `wait` (holding the lock) appends a fresh waiter record;
//! 2. releases the lock completely, remembering how many levels it held;
//! 3. parks until its record is marked notified or the deadline passes;
//! 4. on a timeout, takes its record out of the list, unless a `notify`
//!    took it first, in which case the wait counts as notified;
//! 5. re-acquires the lock at the remembered level.
//!
//! `notify(n)` pops up to `n` records, marks them and unparks their
//! threads. A record is popped at most once, so `notify(n)` wakes exactly
//! `min(n, waiting)` waiters. No notification is lost because step 1
//! happens while the caller holds the lock and `notify` needs the lock too.

use std::collections::VecDeque;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, Thread};
use std::time::Duration;

use parking_lot::Mutex;
use pool_core::Error;

use crate::deadline::Deadline;
use crate::lock::Lock;
use crate::rlock::RLock;

/// A condition variable with Python's `threading.Condition` semantics.
///
/// The condition owns (or borrows, or shares through an `Arc`) the lock it
/// waits with: an [`RLock`] by default, as in Python, or a [`Lock`] via
/// [`with_lock`](Condition::with_lock). [`lock`](Condition::lock) returns a
/// [`ConditionGuard`], and `wait`/`notify` are methods of the guard, so they
/// can only be called while holding the lock (Python raises `RuntimeError`
/// otherwise).
///
/// - [`wait`](ConditionGuard::wait) releases the lock completely, even an
///   `RLock` held several times, and restores the same level afterwards.
/// - [`notify(n)`](ConditionGuard::notify) wakes exactly `min(n, waiting)`
///   threads, oldest first.
///
/// # Examples
///
/// The seed program: two consumers wait, a producer notifies them all.
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
/// use poolrt::thread::Condition;
///
/// let cond = Arc::new(Condition::new().unwrap());
/// let ready = Arc::new(AtomicBool::new(false));
/// let consumers: Vec<_> = (0..2)
///     .map(|_| {
///         let (cond, ready) = (cond.clone(), ready.clone());
///         std::thread::spawn(move || {
///             let mut guard = cond.lock();
///             guard.wait_for(|| ready.load(Relaxed));
///         })
///     })
///     .collect();
/// {
///     let guard = cond.lock();
///     ready.store(true, Relaxed);
///     guard.notify_all();
/// }
/// for c in consumers {
///     c.join().unwrap();
/// }
/// ```
#[doc(alias = "threading.Condition")]
pub struct Condition<L = RLock> {
    lock: L,
    waiters: Mutex<VecDeque<Arc<Waiter>>>,
}

/// One waiting thread.
struct Waiter {
    thread: Thread,
    notified: AtomicBool,
}

impl Condition<RLock> {
    /// A condition over a new [`RLock`], Python's default. `const`, so a
    /// condition can be a `static`.
    ///
    /// # Examples
    ///
    /// ```
    /// static COND: poolrt::thread::Condition = poolrt::thread::Condition::const_new();
    /// let outer = COND.lock();
    /// let inner = COND.lock(); // reentrant
    /// drop((inner, outer));
    /// ```
    pub fn new() -> Result<Condition<RLock>, Error> {
        Ok(Condition::const_new())
    }

    /// The same, infallible and `const` (for a `static`).
    ///
    /// # Examples
    ///
    /// ```
    /// static C: poolrt::thread::Condition = poolrt::thread::Condition::const_new();
    /// # let _ = &C;
    /// ```
    pub const fn const_new() -> Condition<RLock> {
        Condition {
            lock: RLock::const_new(),
            waiters: Mutex::new(VecDeque::new()),
        }
    }
}

impl Default for Condition<RLock> {
    fn default() -> Condition<RLock> {
        Condition::const_new()
    }
}

impl<L: ConditionLock> Condition<L> {
    /// A condition over `lock`: a [`Lock`], an [`RLock`], a reference to one
    /// or an `Arc` of one (to share the lock with other code, like Python's
    /// `Condition(lock)`).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use poolrt::thread::{Condition, Lock};
    ///
    /// let lock = Arc::new(Lock::new().unwrap());
    /// let cond = Condition::with_lock(lock.clone());
    /// let guard = cond.lock();
    /// assert!(lock.locked());
    /// drop(guard);
    /// assert!(!lock.locked());
    /// ```
    pub fn with_lock(lock: L) -> Condition<L> {
        Condition {
            lock,
            waiters: Mutex::new(VecDeque::new()),
        }
    }

    /// Acquires the lock and returns the guard through which to wait and
    /// notify: Python's `with cond:`.
    ///
    /// # Examples
    ///
    /// ```
    /// let cond = poolrt::thread::Condition::new().unwrap();
    /// let guard = cond.lock();
    /// guard.notify_all(); // nobody is waiting: does nothing
    /// ```
    #[doc(alias = "acquire")]
    #[doc(alias = "with")]
    pub fn lock(&self) -> ConditionGuard<'_, L> {
        self.lock.raw().acquire(1, Deadline::Never);
        ConditionGuard::new(self)
    }

    /// The guard if the lock can be taken without blocking.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::thread::{Condition, Lock};
    ///
    /// let cond = Condition::with_lock(Lock::new().unwrap());
    /// let held = cond.lock();
    /// assert!(cond.try_lock().is_none());
    /// drop(held);
    /// assert!(cond.try_lock().is_some());
    /// ```
    pub fn try_lock(&self) -> Option<ConditionGuard<'_, L>> {
        self.lock
            .raw()
            .acquire(1, Deadline::Now)
            .then(|| ConditionGuard::new(self))
    }

    /// The guard if the lock can be taken within `timeout`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use poolrt::thread::{Condition, Lock};
    ///
    /// let cond = Condition::with_lock(Lock::new().unwrap());
    /// let _held = cond.lock();
    /// assert!(cond.lock_timeout(Duration::from_millis(5)).is_none());
    /// ```
    pub fn lock_timeout(&self, timeout: Duration) -> Option<ConditionGuard<'_, L>> {
        self.lock
            .raw()
            .acquire(1, Deadline::after(timeout))
            .then(|| ConditionGuard::new(self))
    }

    /// The underlying lock.
    ///
    /// # Examples
    ///
    /// ```
    /// let cond = poolrt::thread::Condition::new().unwrap();
    /// let _guard = cond.lock();
    /// assert_eq!(cond.get_lock().level(), 1);
    /// ```
    pub fn get_lock(&self) -> &L {
        &self.lock
    }

    /// How many threads are waiting now (a snapshot).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(poolrt::thread::Condition::new().unwrap().waiting(), 0);
    /// ```
    pub fn waiting(&self) -> usize {
        self.waiters.lock().len()
    }

    fn notify(&self, n: usize) -> usize {
        let mut waiters = self.waiters.lock();
        let n = n.min(waiters.len());
        for waiter in waiters.drain(..n) {
            // Release: the woken thread's Acquire load sees the flag after
            // its park returns; the flag, not the unpark, is the signal.
            waiter.notified.store(true, Ordering::Release);
            waiter.thread.unpark();
        }
        n
    }

    /// Steps 1–5 of the module's wait protocol.
    fn wait_until(&self, deadline: Deadline) -> bool {
        let waiter = Arc::new(Waiter {
            thread: thread::current(),
            notified: AtomicBool::new(false),
        });
        self.waiters.lock().push_back(waiter.clone());
        let levels = self.lock.raw().release_all();
        let notified = loop {
            // Acquire: pairs with the Release store in `notify`.
            if waiter.notified.load(Ordering::Acquire) {
                break true;
            }
            match deadline {
                Deadline::Never => thread::park(),
                Deadline::At(at) => match at.checked_duration_since(std::time::Instant::now()) {
                    Some(left) if !left.is_zero() => thread::park_timeout(left),
                    _ => break self.withdraw(&waiter),
                },
                Deadline::Now => break self.withdraw(&waiter),
            }
        };
        if levels > 0 {
            self.lock.raw().acquire(levels, Deadline::Never);
        }
        notified
    }

    /// Takes a timed-out waiter out of the list; returns true if a notify
    /// had already taken it (the wait then counts as notified).
    fn withdraw(&self, waiter: &Arc<Waiter>) -> bool {
        let mut waiters = self.waiters.lock();
        if waiter.notified.load(Ordering::Acquire) {
            return true;
        }
        waiters.retain(|w| !Arc::ptr_eq(w, waiter));
        false
    }
}

impl<L: ConditionLock + fmt::Debug> fmt::Debug for Condition<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condition")
            .field("lock", &self.lock)
            .field("waiting", &self.waiting())
            .finish()
    }
}

/// The lock of a [`Condition`], held; `wait` and `notify` live here.
///
/// Dropping the guard releases one level of the lock.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// let cond = poolrt::thread::Condition::new().unwrap();
/// let mut guard = cond.lock();
/// assert!(!guard.wait_timeout(Duration::from_millis(1)), "nobody notified");
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct ConditionGuard<'a, L: ConditionLock = RLock> {
    cond: &'a Condition<L>,
    /// Not `Send`: an `RLock` must be released by its owner.
    _not_send: PhantomData<*const ()>,
}

impl<'a, L: ConditionLock> ConditionGuard<'a, L> {
    fn new(cond: &'a Condition<L>) -> ConditionGuard<'a, L> {
        ConditionGuard {
            cond,
            _not_send: PhantomData,
        }
    }

    /// Releases the lock, blocks until notified, re-acquires the lock.
    ///
    /// Like every condition variable, check the state you wait for in a
    /// loop, or use [`wait_for`](ConditionGuard::wait_for).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use poolrt::thread::Condition;
    ///
    /// let cond = Arc::new(Condition::new().unwrap());
    /// let mut guard = cond.lock();
    /// let notifier = {
    ///     let cond = cond.clone();
    ///     std::thread::spawn(move || cond.lock().notify(1))
    /// };
    /// guard.wait(); // the notifier can only take the lock once we wait
    /// drop(guard);
    /// assert_eq!(notifier.join().unwrap(), 1);
    /// ```
    pub fn wait(&mut self) {
        self.cond.wait_until(Deadline::Never);
    }

    /// Like [`wait`](ConditionGuard::wait), for at most `timeout`; returns
    /// false when it timed out. The lock is held again either way.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let cond = poolrt::thread::Condition::new().unwrap();
    /// let mut guard = cond.lock();
    /// assert!(!guard.wait_timeout(Duration::from_millis(1)));
    /// assert_eq!(cond.get_lock().level(), 1);
    /// ```
    #[doc(alias = "wait(timeout)")]
    pub fn wait_timeout(&mut self, timeout: Duration) -> bool {
        self.cond.wait_until(Deadline::after(timeout))
    }

    /// Waits until `predicate` returns true, checking it first and after
    /// every wake-up.
    ///
    /// # Examples
    ///
    /// ```
    /// let cond = poolrt::thread::Condition::new().unwrap();
    /// let mut guard = cond.lock();
    /// guard.wait_for(|| true); // already true: returns at once
    /// ```
    pub fn wait_for(&mut self, mut predicate: impl FnMut() -> bool) {
        while !predicate() {
            self.wait();
        }
    }

    /// Waits until `predicate` returns true or `timeout` has passed; returns
    /// the predicate's last value, as Python does.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let cond = poolrt::thread::Condition::new().unwrap();
    /// let mut guard = cond.lock();
    /// assert!(!guard.wait_for_timeout(|| false, Duration::from_millis(5)));
    /// ```
    #[doc(alias = "wait_for(predicate, timeout)")]
    pub fn wait_for_timeout(
        &mut self,
        mut predicate: impl FnMut() -> bool,
        timeout: Duration,
    ) -> bool {
        let deadline = Deadline::after(timeout);
        loop {
            if predicate() {
                return true;
            }
            if deadline.expired() {
                return false;
            }
            self.cond.wait_until(deadline);
        }
    }

    /// Wakes up to `n` waiting threads, oldest first; returns how many it
    /// woke (exactly `min(n, waiting)`).
    ///
    /// # Examples
    ///
    /// ```
    /// let cond = poolrt::thread::Condition::new().unwrap();
    /// assert_eq!(cond.lock().notify(2), 0);
    /// ```
    pub fn notify(&self, n: usize) -> usize {
        self.cond.notify(n)
    }

    /// Wakes every waiting thread; returns how many.
    ///
    /// # Examples
    ///
    /// ```
    /// let cond = poolrt::thread::Condition::new().unwrap();
    /// assert_eq!(cond.lock().notify_all(), 0);
    /// ```
    #[doc(alias = "notifyAll")]
    pub fn notify_all(&self) -> usize {
        self.cond.notify(usize::MAX)
    }
}

impl<L: ConditionLock> Drop for ConditionGuard<'_, L> {
    fn drop(&mut self) {
        self.cond.lock.raw().release_one();
    }
}

impl<L: ConditionLock> fmt::Debug for ConditionGuard<'_, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConditionGuard").finish_non_exhaustive()
    }
}

/// A lock a [`Condition`] can wait with: [`Lock`], [`RLock`], or a
/// reference or `Arc` to one. Sealed: the condition relies on how these
/// release and restore.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use poolrt::thread::{Condition, ConditionLock, Lock, RLock};
///
/// fn shared<L: ConditionLock>(cond: &Condition<L>) -> usize {
///     cond.lock().notify_all()
/// }
/// assert_eq!(shared(&Condition::with_lock(Lock::new().unwrap())), 0);
/// assert_eq!(shared(&Condition::with_lock(Arc::new(RLock::new().unwrap()))), 0);
/// ```
pub trait ConditionLock: sealed::Sealed {}

mod sealed {
    use super::{Deadline, Lock, RLock};

    /// The lock operations a condition needs; `Sealed` keeps them private.
    pub trait Sealed {
        fn raw(&self) -> Raw<'_>;
    }

    /// The two lock kinds, seen through any smart pointer.
    #[derive(Clone, Copy)]
    pub enum Raw<'a> {
        Lock(&'a Lock),
        RLock(&'a RLock),
    }

    impl Raw<'_> {
        /// Takes `levels` levels (a `Lock` has only one).
        pub(crate) fn acquire(self, levels: usize, deadline: Deadline) -> bool {
            match self {
                Raw::Lock(lock) => lock.acquire_until(deadline),
                Raw::RLock(rlock) => rlock.acquire_levels(levels, deadline),
            }
        }

        pub(crate) fn release_one(self) {
            let _ = match self {
                Raw::Lock(lock) => lock.release(),
                Raw::RLock(rlock) => rlock.release(),
            };
        }

        /// Releases completely; returns the levels to restore.
        pub(crate) fn release_all(self) -> usize {
            match self {
                Raw::Lock(lock) => usize::from(lock.release().is_ok()),
                Raw::RLock(rlock) => rlock.release_all(),
            }
        }
    }

    impl Sealed for Lock {
        fn raw(&self) -> Raw<'_> {
            Raw::Lock(self)
        }
    }

    impl Sealed for RLock {
        fn raw(&self) -> Raw<'_> {
            Raw::RLock(self)
        }
    }

    impl<T: Sealed + ?Sized> Sealed for &T {
        fn raw(&self) -> Raw<'_> {
            (**self).raw()
        }
    }

    impl<T: Sealed + ?Sized> Sealed for std::sync::Arc<T> {
        fn raw(&self) -> Raw<'_> {
            (**self).raw()
        }
    }
}

impl ConditionLock for Lock {}
impl ConditionLock for RLock {}
impl<T: ConditionLock + ?Sized> ConditionLock for &T {}
impl<T: ConditionLock + ?Sized> ConditionLock for Arc<T> {}
