//! `Condition`: Python's `multiprocessing.Condition`, built as Python
//! builds it from an `RLock` and three semaphores.

use std::fmt;
use std::time::{Duration, Instant};

use pool_core::{Deadline, Error};
use serde::{Deserialize, Serialize};

use super::rlock::RLock;
use super::semaphore::Semaphore;

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
        // Built only on success: a guard's drop releases the lock.
        if self.lock.try_acquire() {
            Some(ConditionGuard { condition: self })
        } else {
            None
        }
    }

    /// Takes the lock, waiting at most `timeout`; `None` if it stayed
    /// taken.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let c = pool_process::Condition::new().unwrap();
    /// let guard = c.lock_timeout(Duration::from_millis(10));
    /// assert!(guard.is_some());
    /// ```
    pub fn lock_timeout(&self, timeout: Duration) -> Option<ConditionGuard<'_>> {
        // Built only on success: a guard's drop releases the lock.
        if self.lock.acquire_timeout(timeout) {
            Some(ConditionGuard { condition: self })
        } else {
            None
        }
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
        self.wait_until(Deadline::after(timeout).instant())
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
        let deadline = Deadline::after(timeout).instant();
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
