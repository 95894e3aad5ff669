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
/// `parties - 1`. Python's `action` (run once per round) is here the
/// caller's: `if barrier.wait()? == 0 { action() }`. A timed-out wait,
/// [`abort`](Barrier::abort) or [`reset`](Barrier::reset) breaks the
/// round for everyone waiting, as in Python.
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
        /// The [`RawMutex`]'s companion: the holder's stamp.
        owner: AtomicU64,
    }
}

const _: () = assert!(offset_of!(BarrierLayout, mutex) == 0);
const _: () = assert!(offset_of!(BarrierLayout, changed) == 4);
const _: () = assert!(offset_of!(BarrierLayout, arrived) == 8);
const _: () = assert!(offset_of!(BarrierLayout, generation) == 12);
const _: () = assert!(offset_of!(BarrierLayout, broken) == 16);
const _: () = assert!(offset_of!(BarrierLayout, parties) == 20);
const _: () = assert!(offset_of!(BarrierLayout, reset_round) == 24);
const _: () = assert!(offset_of!(BarrierLayout, owner) == 32);
const _: () = assert!(size_of::<BarrierLayout>() == 40);

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
        segment
            .header::<BarrierLayout>()
            .parties
            .store(parties, SeqCst);
        Ok(Barrier {
            segment: Arc::new(segment),
        })
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

    /// Waits for the others; returns this arrival's index.
    ///
    /// # Errors
    ///
    /// [`BrokenBarrierError`] if the barrier is or becomes broken
    /// (`is_reset()` after a reset), as in the thread backend.
    ///
    /// # Examples
    ///
    /// ```
    /// let b = pool_process::Barrier::new(1).unwrap();
    /// assert_eq!(b.wait().unwrap(), 0);
    /// ```
    pub fn wait(&self) -> Result<usize, BrokenBarrierError> {
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
    /// let b = pool_process::Barrier::new(2).unwrap();
    /// b.abort();
    /// assert!(b.wait().is_err());
    /// ```
    pub fn abort(&self) {
        self.enter();
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
        self.enter();
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
        self.changed().bump();
        self.mutex().unlock();
        self.changed().wake(ALL);
    }

    /// The number of parties.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(pool_process::Barrier::new(4).unwrap().parties(), 4);
    /// ```
    pub fn parties(&self) -> usize {
        self.shared().parties.load(Relaxed) as usize
    }

    /// How many are waiting now.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(pool_process::Barrier::new(2).unwrap().n_waiting(), 0);
    /// ```
    pub fn n_waiting(&self) -> usize {
        self.shared().arrived.load(SeqCst) as usize
    }

    /// Whether the barrier is broken.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!pool_process::Barrier::new(2).unwrap().broken());
    /// ```
    pub fn broken(&self) -> bool {
        self.shared().broken.load(SeqCst) != 0
    }
}

shared_handle!(Barrier, "Barrier");
