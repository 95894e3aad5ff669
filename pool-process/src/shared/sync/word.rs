//! The two futex-based building blocks of the shared objects, both on
//! 32-bit words in a shared segment (so the futexes are not private: the
//! kernel matches waiters and wakers across processes).
//!
//! - [`RawMutex`]: the three-state mutex of Drepper's "Futexes Are Tricky"
//!   (0 unlocked, 1 locked, 2 locked with waiters): no system call unless
//!   there is contention.
//! - [`SeqWord`]: a sequence word used like a condition variable. A waiter
//!   reads it *while holding the mutex*, unlocks, and sleeps only if the
//!   word still has the value it read; a notifier changes the state and
//!   bumps the word under the mutex, then wakes. A notification after the
//!   read changes the word, so the sleep returns at once: none is lost.

use std::sync::atomic::AtomicU32;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::time::Instant;

pub(crate) use crate::sys::futex::ALL;
use crate::sys::futex::{wait_while, wake};

/// A mutex on a shared word; see the module docs.
pub(crate) struct RawMutex<'a>(pub(crate) &'a AtomicU32);

impl RawMutex<'_> {
    /// Takes the mutex without waiting; true if it was free.
    pub(crate) fn try_lock(&self) -> bool {
        self.0.compare_exchange(0, 1, Acquire, Relaxed).is_ok()
    }

    /// Takes the mutex, waiting until `deadline` at most; true if taken.
    pub(crate) fn lock(&self, deadline: Option<Instant>) -> bool {
        if self.try_lock() {
            return true;
        }
        loop {
            // Announce a waiter (state 2), then sleep while it stays so.
            if self.0.swap(2, Acquire) == 0 {
                return true;
            }
            if !wait_while(self.0, 2, deadline) {
                // Timed out: one last try, so a wake-up is never wasted.
                return self.0.compare_exchange(0, 2, Acquire, Relaxed).is_ok();
            }
        }
    }

    /// Releases the mutex, waking one waiter if there may be one.
    pub(crate) fn unlock(&self) {
        if self.0.swap(0, Release) == 2 {
            wake(self.0, 1);
        }
    }

    /// True while someone holds the mutex.
    pub(crate) fn is_locked(&self) -> bool {
        self.0.load(Relaxed) != 0
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
    pub(crate) fn wait_unlocked(&self, mutex: &RawMutex<'_>, deadline: Option<Instant>) -> bool {
        let seen = self.seen();
        mutex.unlock();
        let in_time = self.wait(seen, deadline);
        mutex.lock(None);
        in_time
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
        let word = Arc::new(AtomicU32::new(0));
        let counter = Arc::new(AtomicU32::new(0));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (word, counter) = (word.clone(), counter.clone());
                std::thread::spawn(move || {
                    for _ in 0..10_000 {
                        let m = RawMutex(&word);
                        assert!(m.lock(None));
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
        let m = RawMutex(&word);
        assert!(m.try_lock());
        assert!(m.is_locked());
        let deadline = Instant::now() + Duration::from_millis(10);
        assert!(!RawMutex(&word).lock(Some(deadline)));
        m.unlock();
        assert!(!m.is_locked());
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
