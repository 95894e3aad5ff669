//! `Condition`: Python's `multiprocessing.Condition`, an `RLock` and a
//! table of waiter slots in a shared segment.
//!
//! Python builds it from three semaphores, and `notify` waits until each
//! waiter it woke says so: a waiter that died never says so, and `notify`
//! hangs. Here each waiter has a slot (its stamp, a ticket for FIFO
//! order, and a state word it sleeps on), so `notify` hands the wake-up
//! to chosen live waiters and never waits:
//!
//! 1. `wait`, holding the lock, takes a free slot: writes its stamp and
//!    ticket, then stores WAITING (Release). Only lock holders register,
//!    so while a notifier holds the lock no slot turns WAITING.
//! 2. It releases the lock and sleeps on its state word while WAITING.
//! 3. `notify(n)`, holding the lock, takes the WAITING slots in ticket
//!    order. A slot whose waiter is dead (`holder_alive`) is freed
//!    (CAS WAITING -> FREE) and not counted; a live one is moved
//!    WAITING -> NOTIFIED (CAS) and woken. It returns how many it moved.
//! 4. A waiter that wakes and finds NOTIFIED frees its slot and returns
//!    true. One whose deadline passed CASes WAITING -> FREE; if that fails
//!    a notify won the race, and it returns true. Either way it takes the
//!    lock back before returning.
//!
//! A CAS decides every race between a notifier and a timing-out waiter,
//! so a notification is either counted and delivered or neither.

use std::fmt;
use std::mem::offset_of;
use std::sync::Arc;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicU32, AtomicU64};
use std::time::{Duration, Instant};

use pool_core::{Deadline, Error};
use serde::{Deserialize, Serialize};

use super::any_lock::{AnyLock, SharedLock};
use super::rlock::RLock;
use crate::shared::create_error;
use crate::sys::futex::{holder_alive, thread_stamp, wait_while, wake};
use crate::sys::segment::{Segment, shared_layout};

/// How many processes (threads) may wait on one condition at once; more
/// wait for a slot.
const SLOTS: usize = 64;

/// A slot's states.
const FREE: u32 = 0;
const WAITING: u32 = 1;
const NOTIFIED: u32 = 2;

shared_layout! {
    /// A condition's waiter table; a slot is written only by a lock
    /// holder registering (FREE -> WAITING), by a notifier holding the
    /// lock (WAITING -> NOTIFIED or FREE) and by its waiter (back to FREE).
    struct SlotsLayout {
        /// Each slot's state; its waiter sleeps on it.
        state: [AtomicU32; SLOTS],
        /// Each slot's waiter (its thread stamp).
        stamp: [AtomicU64; SLOTS],
        /// Each slot's ticket: lower waited longer.
        ticket: [AtomicU64; SLOTS],
        /// The next ticket.
        next_ticket: AtomicU64,
    }
}

const _: () = assert!(offset_of!(SlotsLayout, state) == 0);
const _: () = assert!(offset_of!(SlotsLayout, stamp) == 4 * SLOTS);
const _: () = assert!(offset_of!(SlotsLayout, ticket) == 12 * SLOTS);
const _: () = assert!(offset_of!(SlotsLayout, next_ticket) == 20 * SLOTS);

/// The waiter table's segment.
#[derive(Clone)]
struct Slots {
    segment: Arc<Segment>,
}

segment_serde!(Slots, "Condition");

impl Slots {
    fn new() -> Result<Slots, Error> {
        let segment = Segment::create("poolrt-condition", size_of::<SlotsLayout>())
            .map_err(|e| create_error("Condition", e))?;
        Ok(Slots {
            segment: Arc::new(segment),
        })
    }

    fn shared(&self) -> &SlotsLayout {
        self.segment.header()
    }

    /// Step 1, with the lock held: a slot for this thread, if one is free.
    fn register(&self) -> Option<usize> {
        let s = self.shared();
        let slot = (0..SLOTS).find(|&i| s.state[i].load(Acquire) == FREE)?;
        s.stamp[slot].store(thread_stamp(), Relaxed);
        let ticket = s.next_ticket.fetch_add(1, Relaxed);
        s.ticket[slot].store(ticket, Relaxed);
        // Release: a notifier that sees WAITING sees the stamp and ticket.
        s.state[slot].store(WAITING, Release);
        Some(slot)
    }

    /// Steps 2 and 4, without the lock: sleeps in `slot` until notified
    /// (true) or `deadline` (false); frees the slot.
    fn sleep(&self, slot: usize, deadline: Option<Instant>) -> bool {
        let state = &self.shared().state[slot];
        loop {
            let in_time = wait_while(state, WAITING, deadline);
            if state.load(Acquire) == NOTIFIED {
                state.store(FREE, Release);
                return true;
            }
            if !in_time {
                return match state.compare_exchange(WAITING, FREE, Relaxed, Relaxed) {
                    Ok(_) => false,
                    Err(_) => {
                        // Notified just now: take the notification.
                        state.store(FREE, Release);
                        true
                    }
                };
            }
        }
    }

    /// Step 3, with the lock held: notifies up to `n` live waiters,
    /// oldest first; frees the slots of dead ones. How many it notified.
    fn notify(&self, n: usize) -> usize {
        let s = self.shared();
        let mut waiting: Vec<(u64, usize)> = (0..SLOTS)
            .filter(|&i| s.state[i].load(Acquire) == WAITING)
            .map(|i| (s.ticket[i].load(Relaxed), i))
            .collect();
        waiting.sort_unstable();
        let mut woke = 0;
        for (_, i) in waiting {
            if woke == n {
                break;
            }
            let stamp = s.stamp[i].load(Relaxed);
            let next = if holder_alive(stamp as u32, stamp) {
                NOTIFIED
            } else {
                FREE
            };
            // A failed CAS: the waiter timed out meanwhile; skip it.
            if s.state[i]
                .compare_exchange(WAITING, next, Release, Relaxed)
                .is_ok()
                && next == NOTIFIED
            {
                wake(&s.state[i], 1);
                woke += 1;
            }
        }
        woke
    }

    /// Waiters now (a snapshot).
    fn waiting(&self) -> usize {
        let s = self.shared();
        (0..SLOTS)
            .filter(|&i| s.state[i].load(Relaxed) == WAITING)
            .count()
    }
}

/// A condition variable shared by processes: Python's
/// `multiprocessing.Condition`, over its own [`RLock`] or the
/// [`Lock`](crate::Lock) or [`RLock`] it is given
/// ([`with_lock`](Condition::with_lock), Python's `Condition(lock)`).
///
/// [`notify(n)`](ConditionGuard::notify) wakes exactly up to `n` waiters,
/// oldest first, even when some of them time out meanwhile, and never
/// waits: a waiter that died is skipped (and not counted), so a notify
/// cannot hang on it, as Python's can. The lock is a robust [`RLock`]: a
/// process that dies holding it is taken over by the next one. Up to 64
/// processes (threads) wait at once; more wait for a slot.
///
/// # Examples
///
/// ```
/// use poolrt::process::{Condition, Process, Value};
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
    lock: AnyLock,
    slots: Slots,
}

/// Holds a [`Condition`]'s lock (one level of its [`RLock`]) until dropped;
/// waits and notifies go through it, as Python's `with cond:` block.
///
/// # Examples
///
/// ```
/// let cond = poolrt::process::Condition::new().unwrap();
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
    /// let cond = poolrt::process::Condition::new().unwrap();
    /// drop(cond.lock());
    /// ```
    pub fn new() -> Result<Condition, Error> {
        Ok(Condition {
            lock: AnyLock::RLock(RLock::new()?),
            slots: Slots::new()?,
        })
    }

    /// A condition over `lock`, a process [`Lock`](crate::Lock) or
    /// [`RLock`] that other code may hold too (Python's
    /// `multiprocessing.Condition(lock)`); holding the condition is
    /// holding that lock. With a `Lock`, the condition's lock is not
    /// reentrant: taking it twice in one thread blocks, as in Python.
    ///
    /// # Errors
    ///
    /// The shared memory of the waiter table could not be created.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::{Condition, Lock};
    ///
    /// let lock = Lock::new().unwrap();
    /// let cond = Condition::with_lock(lock.clone()).unwrap();
    /// let mut guard = cond.lock();
    /// assert!(lock.locked(), "the condition holds the given lock");
    /// assert!(!guard.wait_timeout(std::time::Duration::from_millis(1)));
    /// drop(guard);
    /// assert!(!lock.locked());
    /// ```
    pub fn with_lock(lock: impl SharedLock) -> Result<Condition, Error> {
        Ok(Condition {
            lock: AnyLock::from_shared(lock),
            slots: Slots::new()?,
        })
    }

    /// Takes the condition's lock (Python's `with cond:`).
    ///
    /// # Examples
    ///
    /// ```
    /// let cond = poolrt::process::Condition::new().unwrap();
    /// let g = cond.lock();
    /// let again = cond.lock(); // its RLock: the holder may take it again
    /// drop((again, g));
    /// ```
    pub fn lock(&self) -> ConditionGuard<'_> {
        let _ = self.lock.acquire();
        ConditionGuard { condition: self }
    }

    /// Takes the lock if it is free now (or this thread's).
    ///
    /// # Examples
    ///
    /// ```
    /// let cond = poolrt::process::Condition::new().unwrap();
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
    /// let c = poolrt::process::Condition::new().unwrap();
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
    /// use poolrt::process::{Condition, Process};
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
    /// let cond = poolrt::process::Condition::new().unwrap();
    /// let mut guard = cond.lock();
    /// assert!(!guard.wait_timeout(Duration::from_millis(10)));
    /// ```
    pub fn wait_timeout(&mut self, timeout: Duration) -> bool {
        self.wait_until(Deadline::after(timeout).instant())
    }

    fn wait_until(&mut self, deadline: Option<Instant>) -> bool {
        let c = self.condition;
        let slot = c.slots.register();
        let levels = c.lock.release_all();
        let woken = match slot {
            Some(slot) => c.slots.sleep(slot, deadline),
            None => {
                // Every slot taken: let the others move, then return as a
                // spurious wake-up (callers re-check their predicate).
                std::thread::sleep(Duration::from_millis(1));
                deadline.is_none_or(|d| Instant::now() < d)
            }
        };
        let _ = c.lock.reacquire(levels);
        woken
    }

    /// Whether this holder took the condition's lock over from a holder
    /// that died holding it (see [`RLock::previous_owner_died`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let cond = poolrt::process::Condition::new().unwrap();
    /// assert!(!cond.lock().previous_owner_died());
    /// ```
    pub fn previous_owner_died(&self) -> bool {
        self.condition.lock.previous_owner_died()
    }

    /// Waits until `predicate` holds, re-checking it after every wake-up
    /// (Python's `wait_for`).
    ///
    /// # Examples
    ///
    /// ```
    /// let cond = poolrt::process::Condition::new().unwrap();
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
    /// let cond = poolrt::process::Condition::new().unwrap();
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

    /// Wakes up to `n` live waiters, oldest first; returns how many. It
    /// never waits: waiters that died are skipped.
    ///
    /// # Examples
    ///
    /// ```
    /// let cond = poolrt::process::Condition::new().unwrap();
    /// assert_eq!(cond.lock().notify(3), 0);
    /// ```
    pub fn notify(&self, n: usize) -> usize {
        self.condition.slots.notify(n)
    }

    /// Wakes every waiter; returns how many.
    ///
    /// # Examples
    ///
    /// ```
    /// let cond = poolrt::process::Condition::new().unwrap();
    /// assert_eq!(cond.lock().notify_all(), 0);
    /// ```
    pub fn notify_all(&self) -> usize {
        self.notify(usize::MAX)
    }
}

impl Drop for ConditionGuard<'_> {
    fn drop(&mut self) {
        self.condition.lock.release();
    }
}

impl fmt::Debug for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condition")
            .field("waiting", &self.slots.waiting())
            .finish()
    }
}
