//! The two futex-based building blocks of the shared objects, both on
//! 32-bit words in a shared segment (so the futexes are not private: the
//! kernel matches waiters and wakers across processes).
//!
//! - [`RawMutex`]: a robust futex mutex (see `README.md` in this folder
//!   for the protocol): the word holds the holder's thread id, a waiters
//!   bit and an owner-died bit, and a companion 64-bit word the holder's
//!   [`thread_stamp`]. No system call unless there is contention. A
//!   waiter that has waited a while, or whose timed wait fails, checks
//!   that the holder still lives, and takes the lock over if it does not.
//! - [`SeqWord`]: a sequence word used like a condition variable. A waiter
//!   reads it *while holding the mutex*, unlocks, and sleeps only if the
//!   word still has the value it read; a notifier changes the state and
//!   bumps the word under the mutex, then wakes. A notification after the
//!   read changes the word, so the sleep returns at once: none is lost.

use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicU32, AtomicU64};
use std::time::{Duration, Instant};

pub(crate) use crate::sys::futex::ALL;
use crate::sys::futex::{holder_alive, thread_stamp, wait_while, wake};

/// Set in a held mutex word while a thread may sleep waiting for it.
const WAITERS: u32 = 1 << 31;
/// Set in a held mutex word when its holder took it over from a holder
/// that died; cleared by the unlock.
const OWNER_DIED: u32 = 1 << 30;
/// The holder's thread id (0: free). Linux ids stay below 2^22.
const TID: u32 = OWNER_DIED - 1;

/// How long a waiter sleeps before it checks that the holder lives.
const PATIENCE: Duration = Duration::from_millis(100);

/// How a [`RawMutex`] was taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Taken {
    /// From a holder that unlocked it (or free).
    Clean,
    /// From a holder that died holding it: thread `tid`. What it guarded
    /// may be half-updated.
    FromDead {
        /// The dead holder's thread id.
        tid: u32,
    },
}

impl Taken {
    /// Whether the previous holder died holding the mutex.
    pub(crate) fn owner_died(self) -> bool {
        matches!(self, Taken::FromDead { .. })
    }
}

/// A robust mutex on a shared word and its companion; see the module
/// docs and `README.md`.
pub(crate) struct RawMutex<'a> {
    word: &'a AtomicU32,
    owner: &'a AtomicU64,
}

impl<'a> RawMutex<'a> {
    /// The mutex of `word` (0 when free) and `owner` (the holder's stamp).
    #[inline]
    pub(crate) fn new(word: &'a AtomicU32, owner: &'a AtomicU64) -> RawMutex<'a> {
        RawMutex { word, owner }
    }

    /// With the word just taken: records who holds it (step 2).
    #[inline]
    fn taken(&self, stamp: u64, taken: Taken) -> Taken {
        self.owner.store(stamp, Relaxed);
        taken
    }

    /// One attempt to take a free mutex, with `waiters` (0 or
    /// [`WAITERS`]) set; the word seen if it was held.
    #[inline]
    fn try_free(&self, stamp: u64, waiters: u32) -> Result<Taken, u32> {
        let me = stamp as u32;
        // Acquire: what the last holder wrote under the mutex is seen.
        match self
            .word
            .compare_exchange(0, me | waiters, Acquire, Relaxed)
        {
            Ok(_) => Ok(self.taken(stamp, Taken::Clean)),
            Err(seen) => Err(seen),
        }
    }

    /// If the holder recorded in `seen` is dead, takes the mutex over
    /// (step 5). `None` if it lives or another thread changed the word.
    fn take_from_dead(&self, seen: u32, stamp: u64) -> Option<Taken> {
        let tid = seen & TID;
        // Acquire: the holder's stamp store is ordered before our read of
        // it if we saw its word (stamps older than the word read as "not
        // the holder's", see `holder_alive`).
        if tid == 0 || holder_alive(tid, self.owner.load(Acquire)) {
            return None;
        }
        // Keep the waiters bit: others may sleep on the old word.
        let next = (stamp as u32) | WAITERS | OWNER_DIED;
        // Acquire: whatever the dead holder wrote is seen (torn or not).
        self.word
            .compare_exchange(seen, next, Acquire, Relaxed)
            .ok()
            .map(|_| self.taken(stamp, Taken::FromDead { tid }))
    }

    /// Takes the mutex without waiting, or from a dead holder.
    pub(crate) fn try_lock(&self) -> Option<Taken> {
        let stamp = thread_stamp();
        match self.try_free(stamp, 0) {
            Ok(taken) => Some(taken),
            Err(seen) => self.take_from_dead(seen, stamp),
        }
    }

    /// Takes the mutex, waiting until `deadline` at most (`None`: as long
    /// as it takes); `None` if not taken in time.
    ///
    /// The uncontended path (one compare-exchange and the stamp's store)
    /// is inlined into the callers in other crates; waiting is not.
    #[inline]
    pub(crate) fn lock(&self, deadline: Option<Instant>) -> Option<Taken> {
        let stamp = thread_stamp();
        match self.try_free(stamp, 0) {
            Ok(taken) => Some(taken),
            Err(_) => self.lock_contended(stamp, deadline),
        }
    }

    /// [`lock`](Self::lock) after the first attempt failed.
    #[cold]
    #[inline(never)]
    fn lock_contended(&self, stamp: u64, deadline: Option<Instant>) -> Option<Taken> {
        let mut waiters = 0;
        loop {
            let seen = match self.try_free(stamp, waiters) {
                Ok(taken) => return Some(taken),
                Err(seen) => seen,
            };
            // Step 3: announce a waiter, then sleep while the word stays.
            let asleep = seen | WAITERS;
            if seen != asleep
                && self
                    .word
                    .compare_exchange(seen, asleep, Relaxed, Relaxed)
                    .is_err()
            {
                continue;
            }
            // Once it slept, a thread takes the mutex with the waiters bit
            // set: others may still sleep (as Drepper's state 2).
            waiters = WAITERS;
            let wake_by = Instant::now() + PATIENCE;
            let until = deadline.map_or(wake_by, |d| d.min(wake_by));
            if wait_while(self.word, asleep, Some(until)) {
                continue;
            }
            // Step 4: slept a whole slice or reached the deadline.
            let seen = match self.try_free(stamp, waiters) {
                Ok(taken) => return Some(taken),
                Err(seen) => seen,
            };
            if let Some(taken) = self.take_from_dead(seen, stamp) {
                return Some(taken);
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return None;
            }
        }
    }

    /// Releases the mutex in one atomic step, whoever holds it, waking
    /// one waiter if there may be one. False if it was not locked (then
    /// nothing changed).
    #[inline]
    pub(crate) fn unlock(&self) -> bool {
        // Release: what the holder wrote under the mutex is seen by the
        // next holder's Acquire.
        let was = self.word.swap(0, Release);
        if was & WAITERS != 0 {
            wake(self.word, 1);
        }
        was & TID != 0
    }

    /// True while someone holds the mutex.
    pub(crate) fn is_locked(&self) -> bool {
        self.word.load(Relaxed) & TID != 0
    }

    /// Whether this thread holds the mutex.
    pub(crate) fn held_here(&self) -> bool {
        let stamp = thread_stamp();
        self.word.load(Relaxed) & TID == stamp as u32 && self.owner.load(Relaxed) == stamp
    }

    /// Whether the current holding was taken over from a dead holder.
    pub(crate) fn owner_died(&self) -> bool {
        self.word.load(Relaxed) & OWNER_DIED != 0
    }
}

/// A sequence word used as a condition variable; see the module docs.
pub(crate) struct SeqWord<'a>(pub(crate) &'a AtomicU32);

impl SeqWord<'_> {
    /// Reads the word; call with the mutex held.
    pub(crate) fn seen(&self) -> u32 {
        self.0.load(Acquire)
    }

    /// Sleeps unless the word moved past `seen`; call without the mutex.
    /// False once `deadline` has passed.
    pub(crate) fn wait(&self, seen: u32, deadline: Option<Instant>) -> bool {
        wait_while(self.0, seen, deadline)
    }

    /// The condition-variable wait: with `mutex` held, reads the word,
    /// unlocks, sleeps unless the word moves, and locks again. False once
    /// `deadline` has passed (the caller checks its condition one last
    /// time).
    /// The second value says how the mutex was taken back.
    pub(crate) fn wait_unlocked(
        &self,
        mutex: &RawMutex<'_>,
        deadline: Option<Instant>,
    ) -> (bool, Taken) {
        let seen = self.seen();
        mutex.unlock();
        let in_time = self.wait(seen, deadline);
        let taken = mutex.lock(None).unwrap_or(Taken::Clean);
        (in_time, taken)
    }

    /// Bumps the word (with the mutex held, after changing the state)...
    pub(crate) fn bump(&self) {
        self.0.fetch_add(1, Release);
    }

    /// ...and wakes up to `count` sleepers (after unlocking, or before).
    pub(crate) fn wake(&self, count: u32) {
        wake(self.0, count);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::futex::wait_while;
    use std::sync::Arc;
    use std::time::Duration;

    #[test]
    fn the_mutex_excludes_and_times_out() {
        let word = Arc::new((AtomicU32::new(0), AtomicU64::new(0)));
        let counter = Arc::new(AtomicU32::new(0));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (word, counter) = (word.clone(), counter.clone());
                std::thread::spawn(move || {
                    for _ in 0..10_000 {
                        let m = RawMutex::new(&word.0, &word.1);
                        assert_eq!(m.lock(None), Some(Taken::Clean));
                        // A non-atomic read-modify-write under the mutex.
                        let v = counter.load(Relaxed);
                        counter.store(v + 1, Relaxed);
                        m.unlock();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(counter.load(Relaxed), 40_000);
        let m = RawMutex::new(&word.0, &word.1);
        assert_eq!(m.try_lock(), Some(Taken::Clean));
        assert!(m.is_locked());
        assert!(m.held_here());
        let deadline = Instant::now() + Duration::from_millis(10);
        assert_eq!(m.lock(Some(deadline)), None);
        assert!(m.unlock());
        assert!(!m.is_locked());
        assert!(!m.unlock(), "a second unlock finds it free");
    }

    #[test]
    fn a_holder_that_ended_is_taken_over_and_named() {
        let word = Arc::new((AtomicU32::new(0), AtomicU64::new(0)));
        let held = word.clone();
        let tid = std::thread::spawn(move || {
            let m = RawMutex::new(&held.0, &held.1);
            assert_eq!(m.lock(None), Some(Taken::Clean));
            crate::sys::futex::thread_id() as u32
            // Ends holding it.
        })
        .join()
        .unwrap();
        let m = RawMutex::new(&word.0, &word.1);
        assert!(m.is_locked());
        assert_eq!(m.try_lock(), Some(Taken::FromDead { tid }));
        assert!(m.owner_died());
        assert!(m.held_here());
        assert!(m.unlock());
        assert!(!m.owner_died(), "the unlock clears the mark");
        assert_eq!(m.lock(None), Some(Taken::Clean));
        assert!(m.unlock());
    }

    #[test]
    fn a_waiter_takes_over_from_a_holder_that_ends_while_it_waits() {
        let word = Arc::new((AtomicU32::new(0), AtomicU64::new(0)));
        let (held_tx, held_rx) = std::sync::mpsc::channel();
        let (end_tx, end_rx) = std::sync::mpsc::channel::<()>();
        let held = word.clone();
        let holder = std::thread::spawn(move || {
            let m = RawMutex::new(&held.0, &held.1);
            assert_eq!(m.lock(None), Some(Taken::Clean));
            held_tx.send(()).unwrap();
            let _ = end_rx.recv();
        });
        held_rx.recv().unwrap();
        let waiter = {
            let word = word.clone();
            std::thread::spawn(move || {
                let m = RawMutex::new(&word.0, &word.1);
                let deadline = Instant::now() + Duration::from_secs(10);
                let taken = m.lock(Some(deadline));
                m.unlock();
                taken
            })
        };
        drop(end_tx);
        holder.join().unwrap();
        assert!(matches!(
            waiter.join().unwrap(),
            Some(Taken::FromDead { .. })
        ));
    }

    #[test]
    fn waking_all_wakes_every_sleeper() {
        // A sleeper not woken gives up after this, and the test fails
        // instead of hanging.
        const PATIENCE: Duration = Duration::from_secs(5);
        let word = Arc::new(AtomicU32::new(0));
        let (tids, asleep) = std::sync::mpsc::channel();
        let sleepers: Vec<_> = (0..3)
            .map(|_| {
                let (word, tids) = (word.clone(), tids.clone());
                std::thread::spawn(move || {
                    tids.send(crate::sys::futex::thread_id()).unwrap();
                    // One sleep: true only if woken (or never asleep).
                    wait_while(&word, 0, Some(Instant::now() + PATIENCE))
                })
            })
            .collect();
        // Wake only once all three sleep in the kernel, so that one wake
        // call must reach every one of them.
        let in_futex = |tid: i32| crate::sys::futex::sleeps_in_futex(tid);
        let give_up = Instant::now() + PATIENCE;
        for tid in asleep.iter().take(3) {
            while !in_futex(tid) {
                assert!(Instant::now() < give_up, "thread {tid} never slept");
                std::thread::yield_now();
            }
        }
        let seq = SeqWord(&word);
        seq.bump();
        seq.wake(u32::MAX);
        for s in sleepers {
            assert!(s.join().unwrap(), "a sleeper was not woken");
        }
    }
}
