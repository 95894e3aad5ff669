//! `Barrier`: Python's `multiprocessing.Barrier`, a few words in a
//! shared segment.

use std::fmt;
use std::mem::offset_of;
use std::sync::Arc;
use std::sync::atomic::Ordering::{Relaxed, SeqCst};
use std::sync::atomic::{AtomicU32, AtomicU64};
use std::time::{Duration, Instant};

use pool_core::{BrokenBarrierError, Deadline, Error, ErrorKind};

use super::word::{ALL, RawMutex, SeqWord, Taken};
use crate::shared::create_error;
use crate::sys::segment::{Segment, shared_layout};

/// A meeting point for a fixed number of processes: Python's
/// `multiprocessing.Barrier`.
///
/// Each [`wait`](Barrier::wait) returns an arrival index, `0` to
/// `parties - 1`. As Python's:
///
/// - the optional action ([`with_action`](Barrier::with_action)) runs once
///   per round, in the last process to arrive, before the others are
///   released; if it panics, the barrier breaks and that process's error
///   carries the panic ([`BrokenBarrierError::action_panic`]);
/// - a default timeout ([`with_timeout`](Barrier::with_timeout)) applies
///   to every [`wait`](Barrier::wait);
/// - a timed-out wait, [`abort`](Barrier::abort) or
///   [`reset`](Barrier::reset) breaks the round for everyone waiting, with
///   the same [`BrokenBarrierError`] as the thread backend's: `is_timeout()`
///   for the wait that timed out, `is_reset()` for the waits a reset
///   ended, neither for the others.
///
/// Its internal lock is robust: if a process dies holding it (inside a
/// `wait`, `abort` or `reset`), the next caller takes it over within
/// about 100 ms and, as the round's counts may be torn, breaks the
/// barrier: waiters get [`BrokenBarrierError`], as after an
/// [`abort`](Barrier::abort), until a [`reset`](Barrier::reset). (A party
/// that dies before arriving is another matter: as in Python, the others
/// wait for it, so use [`wait_timeout`](Barrier::wait_timeout).)
///
/// # Examples
///
/// ```
/// use poolrt::process::{Barrier, Process};
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

shared_layout! {
    /// A barrier's shared segment. Besides the two futex words, every
    /// field changes only under `mutex`.
    struct BarrierLayout {
        /// The mutex word.
        mutex: AtomicU32,
        /// Bumped when a round ends or the barrier breaks or resets;
        /// waiters sleep on it.
        changed: AtomicU32,
        /// Arrivals in this round.
        arrived: AtomicU32,
        /// Rounds completed (or ended by a reset), wrapping.
        generation: AtomicU32,
        /// 1 while the barrier is broken.
        broken: AtomicU32,
        /// The number of parties, fixed at creation.
        parties: AtomicU32,
        /// `generation + 1` of a round that [`Barrier::reset`] broke.
        reset_round: AtomicU32,
        /// 1 when `action` names an action.
        has_action: AtomicU32,
        /// The [`RawMutex`]'s companion: the holder's stamp.
        owner: AtomicU64,
        /// The action's offset (`action.rs`), if `has_action`.
        action: AtomicU64,
        /// The default timeout of `wait`, in nanoseconds; `NO_TIMEOUT`
        /// for none.
        timeout: AtomicU64,
    }
}

/// `BarrierLayout::timeout` when there is no default timeout.
const NO_TIMEOUT: u64 = u64::MAX;

const _: () = assert!(offset_of!(BarrierLayout, mutex) == 0);
const _: () = assert!(offset_of!(BarrierLayout, changed) == 4);
const _: () = assert!(offset_of!(BarrierLayout, arrived) == 8);
const _: () = assert!(offset_of!(BarrierLayout, generation) == 12);
const _: () = assert!(offset_of!(BarrierLayout, broken) == 16);
const _: () = assert!(offset_of!(BarrierLayout, parties) == 20);
const _: () = assert!(offset_of!(BarrierLayout, reset_round) == 24);
const _: () = assert!(offset_of!(BarrierLayout, has_action) == 28);
const _: () = assert!(offset_of!(BarrierLayout, owner) == 32);
const _: () = assert!(offset_of!(BarrierLayout, action) == 40);
const _: () = assert!(offset_of!(BarrierLayout, timeout) == 48);
const _: () = assert!(size_of::<BarrierLayout>() == 56);

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
    /// assert_eq!(poolrt::process::Barrier::new(3).unwrap().parties(), 3);
    /// assert!(poolrt::process::Barrier::new(0).is_err());
    /// ```
    pub fn new(parties: usize) -> Result<Barrier, Error> {
        let parties = u32::try_from(parties).map_err(|_| {
            Error::from_kind(ErrorKind::InvalidConfig)
                .with_detail(format!("a Barrier holds at most {} parties", u32::MAX))
        })?;
        if parties == 0 {
            return Err(Error::from_kind(ErrorKind::InvalidConfig)
                .with_detail("a barrier needs at least one party"));
        }
        let segment =
            Segment::create("poolrt-barrier", 64).map_err(|e| create_error("Barrier", e))?;
        let shared = segment.header::<BarrierLayout>();
        shared.parties.store(parties, SeqCst);
        shared.timeout.store(NO_TIMEOUT, SeqCst);
        Ok(Barrier {
            segment: Arc::new(segment),
        })
    }

    /// Runs `action` once per round, in the last process to arrive,
    /// before the others are released: Python's `action`. The action
    /// belongs to the barrier: every clone, in every process, runs it.
    ///
    /// The action crosses processes as code, like a task: it is a fn item
    /// or a closure that captures nothing (anything else fails to
    /// compile), and it runs with the barrier's internal lock held, as
    /// Python's does: the others stay waiting until it returns. It may
    /// call [`abort`](Barrier::abort) or [`reset`](Barrier::reset) (then
    /// every party of the round fails), not [`wait`](Barrier::wait). If it
    /// panics, the barrier breaks: the process that ran it gets the panic
    /// in its error, the others a plain broken-barrier error.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::{Barrier, Process};
    ///
    /// fn announce() {
    ///     println!("everyone is here");
    /// }
    ///
    /// fn meet(b: Barrier) {
    ///     b.wait().unwrap();
    /// }
    ///
    /// let b = Barrier::new(2).unwrap().with_action(announce);
    /// let p = Process::new(meet, (b.clone(),));
    /// p.start().unwrap();
    /// b.wait().unwrap(); // "everyone is here", printed once
    /// p.join().unwrap();
    ///
    /// let panicky = Barrier::new(1).unwrap().with_action(|| panic!("no"));
    /// let error = panicky.wait().unwrap_err();
    /// assert_eq!(error.action_panic().unwrap().message(), "no");
    /// assert!(panicky.broken());
    /// ```
    #[must_use]
    pub fn with_action<F: Fn() + Copy + Send + Sync + 'static>(self, action: F) -> Barrier {
        let offset = super::action::offset(action);
        let shared = self.shared();
        shared.action.store(offset, SeqCst);
        shared.has_action.store(1, SeqCst);
        self
    }

    /// The timeout every [`wait`](Barrier::wait) uses, in every process:
    /// Python's `Barrier(parties, timeout=...)`.
    /// [`wait_timeout`](Barrier::wait_timeout) overrides it.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let b = poolrt::process::Barrier::new(2).unwrap().with_timeout(Duration::from_millis(5));
    /// assert!(b.wait().unwrap_err().is_timeout());
    /// assert!(b.broken());
    /// ```
    #[must_use]
    pub fn with_timeout(self, timeout: Duration) -> Barrier {
        let nanos = u64::try_from(timeout.as_nanos()).unwrap_or(NO_TIMEOUT - 1);
        self.shared()
            .timeout
            .store(nanos.min(NO_TIMEOUT - 1), SeqCst);
        self
    }

    /// The default timeout of [`wait`](Barrier::wait), if one was set.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let b = poolrt::process::Barrier::new(2).unwrap();
    /// assert_eq!(b.timeout(), None);
    /// let b = b.with_timeout(Duration::from_secs(3));
    /// assert_eq!(b.timeout(), Some(Duration::from_secs(3)));
    /// ```
    pub fn timeout(&self) -> Option<Duration> {
        match self.shared().timeout.load(SeqCst) {
            NO_TIMEOUT => None,
            nanos => Some(Duration::from_nanos(nanos)),
        }
    }

    fn shared(&self) -> &BarrierLayout {
        self.segment.header()
    }

    fn mutex(&self) -> RawMutex<'_> {
        RawMutex::new(&self.shared().mutex, &self.shared().owner)
    }

    /// Takes the mutex. If its holder died, the counts may be torn: breaks
    /// the barrier (and wakes the waiters), keeping the mutex.
    fn enter(&self) {
        if self.mutex().lock(None).is_some_and(Taken::owner_died) {
            self.shared().broken.store(1, Relaxed);
            self.changed().bump();
            self.changed().wake(ALL);
        }
    }

    /// For fault-injection tests only: takes the barrier's internal lock
    /// and never releases it, so that a test can kill a process inside a
    /// `wait`.
    ///
    /// Only with the test-only feature `fault-injection`.
    #[cfg(feature = "fault-injection")]
    #[doc(hidden)]
    pub fn fault_hold_internal_lock(&self) {
        let _ = self.mutex().lock(None);
    }

    fn changed(&self) -> SeqWord<'_> {
        SeqWord(&self.shared().changed)
    }

    /// Waits for the others; returns this arrival's index. Uses the
    /// default timeout, if one was set ([`with_timeout`](Barrier::with_timeout)).
    ///
    /// # Errors
    ///
    /// [`BrokenBarrierError`] if the barrier is or becomes broken
    /// (`is_reset()` after a reset, `is_timeout()` if this wait timed out,
    /// `action_panic()` if this process's action panicked), as in the
    /// thread backend.
    ///
    /// # Examples
    ///
    /// ```
    /// let b = poolrt::process::Barrier::new(1).unwrap();
    /// assert_eq!(b.wait().unwrap(), 0);
    /// ```
    pub fn wait(&self) -> Result<usize, BrokenBarrierError> {
        match self.timeout() {
            Some(timeout) => self.wait_timeout(timeout),
            None => self.wait_until(None),
        }
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
    /// let b = poolrt::process::Barrier::new(2).unwrap();
    /// assert!(b.wait_timeout(Duration::from_millis(10)).is_err());
    /// assert!(b.broken());
    /// ```
    pub fn wait_timeout(&self, timeout: Duration) -> Result<usize, BrokenBarrierError> {
        self.wait_until(Deadline::after(timeout).instant())
    }

    fn wait_until(&self, deadline: Option<Instant>) -> Result<usize, BrokenBarrierError> {
        self.enter();
        if self.shared().broken.load(Relaxed) != 0 {
            self.mutex().unlock();
            return Err(BrokenBarrierError::broken());
        }
        let round = self.shared().generation.load(Relaxed);
        let index = self.shared().arrived.fetch_add(1, Relaxed);
        if index + 1 == self.shared().parties.load(Relaxed) {
            self.act(round)?;
            self.shared().arrived.store(0, Relaxed);
            self.shared()
                .generation
                .store(round.wrapping_add(1), Relaxed);
            self.changed().bump();
            self.mutex().unlock();
            self.changed().wake(ALL);
            return Ok(index as usize);
        }
        loop {
            let seen = self.changed().seen();
            self.mutex().unlock();
            let in_time =
                self.changed().wait(seen, deadline) && deadline.is_none_or(|d| Instant::now() < d);
            self.enter();
            if self.shared().generation.load(Relaxed) != round {
                let reset = self.shared().reset_round.load(Relaxed) == round.wrapping_add(1);
                self.mutex().unlock();
                return if reset {
                    Err(BrokenBarrierError::reset())
                } else {
                    Ok(index as usize)
                };
            }
            if self.shared().broken.load(Relaxed) != 0 {
                self.mutex().unlock();
                return Err(BrokenBarrierError::broken());
            }
            if !in_time {
                self.break_locked();
                return Err(BrokenBarrierError::timeout());
            }
        }
    }

    /// The last arrival of `round`, with the mutex held: runs the action,
    /// if any. On an error, the mutex is released and the round is over.
    fn act(&self, round: u32) -> Result<(), BrokenBarrierError> {
        if self.shared().has_action.load(Relaxed) == 0 {
            return Ok(());
        }
        if let Err(panic) = super::action::run(self.shared().action.load(Relaxed)) {
            self.break_locked();
            return Err(BrokenBarrierError::action_panicked(panic));
        }
        // The action may have reset or aborted the barrier, which (run
        // under the mutex) woke nobody: wake the round's waiters now.
        let error = if self.shared().generation.load(Relaxed) != round {
            BrokenBarrierError::reset()
        } else if self.shared().broken.load(Relaxed) != 0 {
            BrokenBarrierError::broken()
        } else {
            return Ok(());
        };
        self.changed().bump();
        self.mutex().unlock();
        self.changed().wake(ALL);
        Err(error)
    }

    /// Takes the mutex for `abort` or `reset`, unless this thread holds it
    /// already: then they were called by the action, which runs under it.
    /// True if taken here (to release).
    fn enter_outside_action(&self) -> bool {
        if self.mutex().held_here() {
            return false;
        }
        self.enter();
        true
    }

    /// With the mutex held: breaks the barrier, wakes everyone, unlocks.
    fn break_locked(&self) {
        self.shared().broken.store(1, Relaxed);
        self.changed().bump();
        self.mutex().unlock();
        self.changed().wake(ALL);
    }

    /// Breaks the barrier: waiters and later `wait`s fail until
    /// [`reset`](Barrier::reset).
    ///
    /// # Examples
    ///
    /// ```
    /// let b = poolrt::process::Barrier::new(2).unwrap();
    /// b.abort();
    /// assert!(b.wait().is_err());
    /// ```
    pub fn abort(&self) {
        if self.enter_outside_action() {
            self.break_locked();
        } else {
            self.shared().broken.store(1, Relaxed);
        }
    }

    /// Returns the barrier to its first state; processes waiting now fail.
    ///
    /// # Examples
    ///
    /// ```
    /// let b = poolrt::process::Barrier::new(1).unwrap();
    /// b.abort();
    /// b.reset();
    /// assert!(!b.broken());
    /// assert_eq!(b.wait().unwrap(), 0);
    /// ```
    pub fn reset(&self) {
        let entered = self.enter_outside_action();
        if self.shared().arrived.load(Relaxed) > 0 {
            let round = self.shared().generation.load(Relaxed);
            self.shared()
                .reset_round
                .store(round.wrapping_add(1), Relaxed);
            self.shared()
                .generation
                .store(round.wrapping_add(1), Relaxed);
            self.shared().arrived.store(0, Relaxed);
        }
        self.shared().broken.store(0, Relaxed);
        if entered {
            self.changed().bump();
            self.mutex().unlock();
            self.changed().wake(ALL);
        }
    }

    /// The number of parties.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(poolrt::process::Barrier::new(4).unwrap().parties(), 4);
    /// ```
    pub fn parties(&self) -> usize {
        self.shared().parties.load(Relaxed) as usize
    }

    /// How many are waiting now; 0 while the barrier is broken, as
    /// Python's and the thread backend's.
    ///
    /// # Examples
    ///
    /// ```
    /// let b = poolrt::process::Barrier::new(2).unwrap();
    /// assert_eq!(b.n_waiting(), 0);
    /// assert!(b.wait_timeout(std::time::Duration::from_millis(1)).is_err());
    /// assert_eq!(b.n_waiting(), 0, "the timed-out party left");
    /// ```
    pub fn n_waiting(&self) -> usize {
        if self.broken() {
            return 0;
        }
        self.shared().arrived.load(SeqCst) as usize
    }

    /// Whether the barrier is broken.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!poolrt::process::Barrier::new(2).unwrap().broken());
    /// ```
    pub fn broken(&self) -> bool {
        self.shared().broken.load(SeqCst) != 0
    }

    /// True when the barrier is broken: Python's [`broken`](Self::broken), under the name a Rust
    /// programmer looks for first.
    ///
    /// # Examples
    ///
    /// ```
    /// let barrier = poolrt::process::Barrier::new(2).unwrap();
    /// assert!(!barrier.is_broken());
    /// barrier.abort();
    /// assert!(barrier.is_broken());
    /// ```
    #[doc(alias = "broken")]
    pub fn is_broken(&self) -> bool {
        self.broken()
    }
}

shared_handle!(Barrier, "Barrier");
