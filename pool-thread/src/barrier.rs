//! `Barrier`: Python's `threading.Barrier`, with its action, timeout,
//! `abort` and `reset`.
//!
//! # States
//!
//! The barrier cycles through the states of CPython's implementation, plus
//! one (`Acting`) so the action can run without the barrier's mutex held:
//!
//! | state | who is in it | a new `wait` … |
//! |---|---|---|
//! | `Filling` | up to `parties - 1` waiters | joins with the next index |
//! | `Acting` | the last arrival runs the action; the others wait | waits for the round to end |
//! | `Draining` | released waiters leaving | waits for the round to end |
//! | `Resetting` | waiters leaving with an error after `reset` | waits for them to leave |
//! | `Broken` | waiters leaving with an error | fails at once |
//!
//! The last thread to leave a draining or resetting barrier puts it back to
//! `Filling`. Only `reset` leaves `Broken`.

use std::fmt;
use std::time::Duration;

use parking_lot::{Condvar, Mutex, MutexGuard};
use pool_core::Error;

use crate::deadline::{Deadline, DeadlineWait};
use crate::error::BrokenBarrierError;

/// A rendezvous for a fixed number of threads (`parties`): each
/// [`wait`](Barrier::wait) blocks until all parties have called it, then
/// they are all released together and the barrier is ready for the next
/// round.
///
/// - `wait` returns the arrival index, `0..parties`, distinct for every
///   thread of a round.
/// - The optional action ([`with_action`](Barrier::with_action)) runs once
///   per round, in the last thread to arrive, before any thread is
///   released. If it panics, the barrier breaks; that thread's error
///   carries the panic.
/// - A wait that times out (see [`with_timeout`](Barrier::with_timeout) and
///   [`wait_timeout`](Barrier::wait_timeout)) breaks the barrier.
/// - While broken (timeout, [`abort`](Barrier::abort), panicking action),
///   every current and future `wait` fails with [`BrokenBarrierError`]
///   until [`reset`](Barrier::reset).
///
/// A barrier of `0` parties is refused (Python accepts it, and every
/// `wait` then breaks it).
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
/// use poolrt::thread::Barrier;
///
/// let rounds = AtomicUsize::new(0);
/// let barrier = Barrier::new(3).unwrap().with_action(|| {
///     rounds.fetch_add(1, SeqCst);
/// });
/// let mut indexes: Vec<usize> = std::thread::scope(|s| {
///     let threads: Vec<_> = (0..3).map(|_| s.spawn(|| barrier.wait().unwrap())).collect();
///     threads.into_iter().map(|t| t.join().unwrap()).collect()
/// });
/// indexes.sort();
/// assert_eq!(indexes, [0, 1, 2]);
/// assert_eq!(rounds.load(SeqCst), 1);
/// ```
#[doc(alias = "threading.Barrier")]
pub struct Barrier<'a> {
    parties: usize,
    action: Option<Box<dyn Fn() + Send + Sync + 'a>>,
    timeout: Option<Duration>,
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Filling,
    Acting,
    Draining,
    Resetting,
    Broken,
}

struct State {
    phase: Phase,
    /// Threads inside `wait` of the current round.
    count: usize,
}

impl<'a> Barrier<'a> {
    /// A barrier for `parties` threads, with no action and no default
    /// timeout.
    ///
    /// # Examples
    ///
    /// ```
    /// let barrier = poolrt::thread::Barrier::new(1).unwrap();
    /// assert_eq!(barrier.wait().unwrap(), 0);
    /// assert_eq!(barrier.parties(), 1);
    /// ```
    pub fn new(parties: usize) -> Result<Barrier<'a>, Error> {
        if parties == 0 {
            return Err(Error::from_kind(pool_core::ErrorKind::InvalidConfig)
                .with_detail("a barrier needs at least one party"));
        }
        Ok(Barrier::with_parties(parties))
    }

    fn with_parties(parties: usize) -> Barrier<'a> {
        Barrier {
            parties,
            action: None,
            timeout: None,
            state: Mutex::new(State {
                phase: Phase::Filling,
                count: 0,
            }),
            changed: Condvar::new(),
        }
    }

    /// Runs `action` once per round, in the last thread to arrive, before
    /// the others are released: Python's `action`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
    ///
    /// let ran = AtomicBool::new(false);
    /// let barrier = poolrt::thread::Barrier::new(1).unwrap().with_action(|| ran.store(true, SeqCst));
    /// barrier.wait().unwrap();
    /// assert!(ran.load(SeqCst));
    /// ```
    #[must_use]
    pub fn with_action(mut self, action: impl Fn() + Send + Sync + 'a) -> Barrier<'a> {
        self.action = Some(Box::new(action));
        self
    }

    /// The timeout [`wait`](Barrier::wait) uses: Python's `timeout`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let barrier = poolrt::thread::Barrier::new(2).unwrap().with_timeout(Duration::from_millis(5));
    /// assert!(barrier.wait().unwrap_err().is_timeout());
    /// ```
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Barrier<'a> {
        self.timeout = Some(timeout);
        self
    }

    /// The default timeout of [`wait`](Barrier::wait), if one was set (as
    /// the process backend's `Barrier::timeout`).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let barrier = poolrt::thread::Barrier::new(2).unwrap();
    /// assert_eq!(barrier.timeout(), None);
    /// let barrier = barrier.with_timeout(Duration::from_secs(1));
    /// assert_eq!(barrier.timeout(), Some(Duration::from_secs(1)));
    /// ```
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// Waits until all parties have arrived; returns this thread's arrival
    /// index. Uses the default timeout, if one was set.
    ///
    /// # Errors
    ///
    /// [`BrokenBarrierError`] when the barrier is or becomes broken, is
    /// reset while waiting, or the wait times out.
    ///
    /// # Examples
    ///
    /// ```
    /// let barrier = poolrt::thread::Barrier::new(2).unwrap();
    /// let (a, b) = std::thread::scope(|s| {
    ///     let t = s.spawn(|| barrier.wait().unwrap());
    ///     (barrier.wait().unwrap(), t.join().unwrap())
    /// });
    /// assert_eq!(a + b, 1);
    /// ```
    pub fn wait(&self) -> Result<usize, BrokenBarrierError> {
        self.wait_until(self.timeout.map_or(Deadline::Never, Deadline::after))
    }

    /// Like [`wait`](Barrier::wait), for at most `timeout`: Python's
    /// `wait(timeout)`. Timing out breaks the barrier.
    ///
    /// # Errors
    ///
    /// As for `wait`; `is_timeout()` tells this wait ran out of time.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let barrier = poolrt::thread::Barrier::new(2).unwrap();
    /// assert!(barrier.wait_timeout(Duration::from_millis(1)).unwrap_err().is_timeout());
    /// assert!(barrier.wait().is_err(), "the timeout broke it");
    /// ```
    #[doc(alias = "wait(timeout)")]
    pub fn wait_timeout(&self, timeout: Duration) -> Result<usize, BrokenBarrierError> {
        self.wait_until(Deadline::after(timeout))
    }

    fn wait_until(&self, deadline: Deadline) -> Result<usize, BrokenBarrierError> {
        let mut state = self.state.lock();
        // Wait for the previous round to finish leaving.
        while matches!(
            state.phase,
            Phase::Acting | Phase::Draining | Phase::Resetting
        ) {
            if !deadline.wait(&self.changed, &mut state) {
                return Err(self.break_on_timeout(&mut state));
            }
        }
        if state.phase == Phase::Broken {
            return Err(BrokenBarrierError::broken());
        }
        let index = state.count;
        state.count += 1;
        let outcome = if index + 1 == self.parties {
            self.release(&mut state)
        } else {
            self.wait_released(&mut state, deadline)
        };
        state.count -= 1;
        if state.count == 0 && matches!(state.phase, Phase::Draining | Phase::Resetting) {
            state.phase = Phase::Filling;
            self.changed.notify_all();
        }
        outcome.map(|()| index)
    }

    /// The last arrival: runs the action, then releases the round.
    fn release(&self, state: &mut MutexGuard<'_, State>) -> Result<(), BrokenBarrierError> {
        if let Some(action) = &self.action {
            state.phase = Phase::Acting;
            let ran = MutexGuard::unlocked(state, || pool_core::catch_task_panic(action));
            if let Err(panic) = ran {
                self.break_barrier(state);
                return Err(BrokenBarrierError::action_panicked(panic));
            }
            match state.phase {
                Phase::Acting => {}
                // Reset or aborted while the action ran.
                Phase::Resetting => return Err(BrokenBarrierError::reset()),
                _ => return Err(BrokenBarrierError::broken()),
            }
        }
        state.phase = Phase::Draining;
        self.changed.notify_all();
        Ok(())
    }

    /// A non-last arrival: waits for the round to be released.
    fn wait_released(
        &self,
        state: &mut MutexGuard<'_, State>,
        deadline: Deadline,
    ) -> Result<(), BrokenBarrierError> {
        loop {
            match state.phase {
                Phase::Draining => return Ok(()),
                Phase::Resetting => return Err(BrokenBarrierError::reset()),
                Phase::Broken => return Err(BrokenBarrierError::broken()),
                Phase::Filling | Phase::Acting => {}
            }
            if !deadline.wait(&self.changed, state) {
                return Err(self.break_on_timeout(state));
            }
        }
    }

    fn break_on_timeout(&self, state: &mut State) -> BrokenBarrierError {
        self.break_barrier(state);
        BrokenBarrierError::timeout()
    }

    fn break_barrier(&self, state: &mut State) {
        state.phase = Phase::Broken;
        self.changed.notify_all();
    }

    /// Breaks the barrier: every waiting and future `wait` fails until
    /// [`reset`](Barrier::reset). Useful when a party cannot arrive.
    ///
    /// # Examples
    ///
    /// ```
    /// let barrier = poolrt::thread::Barrier::new(2).unwrap();
    /// barrier.abort();
    /// assert!(barrier.broken());
    /// assert!(barrier.wait().is_err());
    /// ```
    pub fn abort(&self) {
        self.break_barrier(&mut self.state.lock());
    }

    /// Returns the barrier to its empty initial state. Threads waiting now
    /// fail with an error whose `is_reset()` is true; the barrier is usable
    /// again once they have left.
    ///
    /// # Examples
    ///
    /// ```
    /// let barrier = poolrt::thread::Barrier::new(1).unwrap();
    /// barrier.abort();
    /// barrier.reset();
    /// assert!(!barrier.broken());
    /// assert_eq!(barrier.wait().unwrap(), 0);
    /// ```
    pub fn reset(&self) {
        let mut state = self.state.lock();
        if state.count > 0 {
            if matches!(state.phase, Phase::Filling | Phase::Acting | Phase::Broken) {
                state.phase = Phase::Resetting;
            }
        } else {
            state.phase = Phase::Filling;
        }
        self.changed.notify_all();
    }

    /// How many parties the barrier needs per round.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(poolrt::thread::Barrier::new(4).unwrap().parties(), 4);
    /// assert!(poolrt::thread::Barrier::new(0).is_err());
    /// ```
    pub fn parties(&self) -> usize {
        self.parties
    }

    /// How many threads are waiting in the current round (a snapshot).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(poolrt::thread::Barrier::new(3).unwrap().n_waiting(), 0);
    /// ```
    pub fn n_waiting(&self) -> usize {
        let state = self.state.lock();
        match state.phase {
            Phase::Filling | Phase::Acting => state.count,
            _ => 0,
        }
    }

    /// True when the barrier is broken.
    ///
    /// # Examples
    ///
    /// ```
    /// let barrier = poolrt::thread::Barrier::new(2).unwrap();
    /// assert!(!barrier.broken());
    /// barrier.abort();
    /// assert!(barrier.broken());
    /// ```
    pub fn broken(&self) -> bool {
        self.state.lock().phase == Phase::Broken
    }

    /// True when the barrier is broken: Python's [`broken`](Self::broken), under the name a Rust
    /// programmer looks for first.
    ///
    /// # Examples
    ///
    /// ```
    /// let barrier = poolrt::thread::Barrier::new(2).unwrap();
    /// assert!(!barrier.is_broken());
    /// barrier.abort();
    /// assert!(barrier.is_broken());
    /// ```
    #[doc(alias = "broken")]
    pub fn is_broken(&self) -> bool {
        self.broken()
    }
}

impl fmt::Debug for Barrier<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.lock();
        f.debug_struct("Barrier")
            .field("parties", &self.parties)
            .field("phase", &state.phase)
            .field("count", &state.count)
            .field("action", &self.action.is_some())
            .field("timeout", &self.timeout)
            .finish()
    }
}
