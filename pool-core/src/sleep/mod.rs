//! The idle protocol: who searches for work, who sleeps, and who wakes whom.
//! `README.md` in this folder states the protocol and why it cannot lose a
//! wake-up; the step numbers below refer to it.

use std::sync::atomic::Ordering::{Relaxed, SeqCst};
use std::time::{Duration, Instant};

use crossbeam_utils::CachePadded;

use crate::loom::thread::{self, Thread};
use crate::loom::{AtomicU64, Mutex, fence};

#[cfg(all(test, loom))]
mod loom_model;

/// One unit of each field of the packed state word.
const LIVE: u64 = 1;
const SEARCHING: u64 = 1 << 16;
const SLEEPING: u64 = 1 << 32;
const FIELD: u64 = 0xFFFF;

/// How many workers may search at once when a worker hands a backlog over
/// (steps 3b and 3d): with each woken worker waking two more (step 3b), a
/// burst reaches a sleeping pool of `n` workers in about `3 + n / 8`
/// wake-up latencies instead of `n`.
const HAND_OVER_SEARCHERS: usize = 8;

/// The largest number of workers the packed counters can hold.
pub(crate) const MAX_WORKERS: usize = FIELD as usize;

/// A snapshot of the counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Counts {
    /// Worker threads alive (including starting and exiting ones).
    pub(crate) live: usize,
    /// Workers looking for work: neither running a job nor asleep.
    pub(crate) searching: usize,
    /// Workers registered as sleepers (parked or about to park).
    pub(crate) sleeping: usize,
}

impl Counts {
    fn of(word: u64) -> Counts {
        Counts {
            live: (word & FIELD) as usize,
            searching: ((word >> 16) & FIELD) as usize,
            sleeping: ((word >> 32) & FIELD) as usize,
        }
    }
}

/// A registered sleeper.
struct Sleeper {
    index: usize,
    thread: Thread,
}

/// What [`Sleep::notify_one`] decided.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Notified {
    /// Someone is searching already, or every worker is busy and none may be
    /// added: nothing to do.
    Nobody,
    /// A sleeper was woken; it now counts as searching.
    Woke,
    /// A new worker must be started; it is already counted as live and
    /// searching. The caller starts it or calls [`Sleep::spawn_failed`].
    Spawn,
}

/// How a worker's sleep (step 4) ended. In every case the worker counts as
/// searching again.
#[derive(Debug)]
pub(crate) enum Slept<J> {
    /// The last look before parking found this job (step 4a).
    Job(J),
    /// A notifier took the worker out of the list: search again (step 4b).
    Notified,
    /// The pool closed or the keep-alive expired: the worker took itself
    /// out of the list and should leave once no job is left (step 4c).
    Leave,
}

/// The counters and the sleeper list of one scheduler.
pub(crate) struct Sleep {
    /// `live | searching << 16 | sleeping << 32`.
    state: CachePadded<AtomicU64>,
    /// Registered sleepers, most recent last. Its length always equals the
    /// `sleeping` counter: both change only under this lock.
    sleepers: Mutex<Vec<Sleeper>>,
    max_workers: usize,
}

impl Sleep {
    pub(crate) fn new(max_workers: usize) -> Sleep {
        assert!(max_workers <= MAX_WORKERS);
        Sleep {
            state: CachePadded::new(AtomicU64::new(0)),
            sleepers: Mutex::new(Vec::new()),
            max_workers,
        }
    }

    pub(crate) fn counts(&self) -> Counts {
        Counts::of(self.state.load(SeqCst))
    }

    /// Step 1: called by a submitter after pushing a job. Decides whether a
    /// worker must be woken or started.
    pub(crate) fn work_pushed(&self) -> Notified {
        // SeqCst fence: orders the push before the load below, against the
        // fence a worker issues between registering as a sleeper and its
        // last look at the queues (step 4). One of the two sees the other.
        fence(SeqCst);
        self.notify_one()
    }

    /// Step 2: wake one sleeper, or reserve a new worker, unless someone is
    /// already searching. Takes the sleeper lock only when there is someone
    /// to wake or room to start a worker.
    pub(crate) fn notify_one(&self) -> Notified {
        self.notify_below(1)
    }

    /// Step 2 for a worker handing over a backlog (steps 3b, 3d): as
    /// [`notify_one`](Sleep::notify_one), but goes ahead while fewer than
    /// [`HAND_OVER_SEARCHERS`] workers search, so a burst wakes sleepers
    /// several at a time rather than along a single chain.
    pub(crate) fn notify_hand_over(&self) -> Notified {
        self.notify_below(HAND_OVER_SEARCHERS)
    }

    fn notify_below(&self, searchers: usize) -> Notified {
        let counts = self.counts();
        if counts.searching >= searchers
            || (counts.sleeping == 0 && counts.live >= self.max_workers)
        {
            return Notified::Nobody;
        }
        let mut sleepers = self.sleepers.lock();
        let mut word = self.state.load(SeqCst);
        loop {
            let counts = Counts::of(word);
            if counts.searching >= searchers {
                return Notified::Nobody;
            }
            let (new, outcome) = if counts.sleeping > 0 {
                (word - SLEEPING + SEARCHING, Notified::Woke)
            } else if counts.live < self.max_workers {
                (word + LIVE + SEARCHING, Notified::Spawn)
            } else {
                return Notified::Nobody;
            };
            match self.state.compare_exchange_weak(word, new, SeqCst, SeqCst) {
                Ok(_) => {
                    if outcome == Notified::Woke {
                        let sleeper = sleepers.pop().expect("sleeping counter matches the list");
                        drop(sleepers);
                        sleeper.thread.unpark();
                    }
                    return outcome;
                }
                Err(actual) => word = actual,
            }
        }
    }

    /// Wakes every sleeper (shutdown, broken pool); they count as searching.
    pub(crate) fn notify_all(&self) {
        let woken: Vec<Sleeper> = {
            let mut sleepers = self.sleepers.lock();
            let n = sleepers.len() as u64;
            self.state
                .fetch_add((SEARCHING * n).wrapping_sub(SLEEPING * n), SeqCst);
            std::mem::take(&mut *sleepers)
        };
        for sleeper in woken {
            sleeper.thread.unpark();
        }
    }

    /// Reserves a worker without a submit (for pools that start all their
    /// workers up front). False when the pool is full.
    pub(crate) fn reserve_worker(&self) -> bool {
        let mut word = self.state.load(SeqCst);
        loop {
            if Counts::of(word).live >= self.max_workers {
                return false;
            }
            match self
                .state
                .compare_exchange_weak(word, word + LIVE + SEARCHING, SeqCst, SeqCst)
            {
                Ok(_) => return true,
                Err(actual) => word = actual,
            }
        }
    }

    /// Undoes the reservation of a worker that could not be started. Returns
    /// the number of workers still live.
    pub(crate) fn spawn_failed(&self) -> usize {
        let prev = self.state.fetch_sub(LIVE + SEARCHING, SeqCst);
        Counts::of(prev).live - 1
    }

    /// Step 3b: a searching worker found a job; it should then wake another
    /// if work remains.
    pub(crate) fn end_search(&self) {
        self.state.fetch_sub(SEARCHING, SeqCst);
        // SeqCst fence: the caller's next look at the queues must see jobs
        // whose submitters saw us searching (step 3b).
        fence(SeqCst);
    }

    /// Step 3d: true when nobody searches and a sleeper or a free slot
    /// exists. A hint for handing over a backlog, so a plain load will do:
    /// a stale answer costs one wake-up too many or too few, never a job.
    pub(crate) fn could_use_another(&self) -> bool {
        let counts = Counts::of(self.state.load(Relaxed));
        counts.searching == 0 && (counts.sleeping > 0 || counts.live < self.max_workers)
    }

    /// True while fewer workers live than may: a submit could start a new
    /// thread. A hint (a plain load): a stale answer costs a thread started
    /// early or a counter touched in vain, never a job.
    pub(crate) fn may_start_worker(&self) -> bool {
        Counts::of(self.state.load(Relaxed)).live < self.max_workers
    }

    /// Step 3c: a worker that ran out of jobs starts searching.
    pub(crate) fn start_search(&self) {
        self.state.fetch_add(SEARCHING, SeqCst);
    }

    /// Step 4: worker `index`, running on `thread`, found nothing to do and
    /// sleeps. It registers, takes one more `look` at the queues, and parks
    /// until a notifier wakes it, the pool is `closed` or `keep_alive` (if
    /// any) passes without a wake-up.
    pub(crate) fn sleep<J>(
        &self,
        index: usize,
        thread: &Thread,
        keep_alive: Option<Duration>,
        look: impl FnOnce() -> Option<J>,
        closed: impl Fn() -> bool,
    ) -> Slept<J> {
        // Step 4a: register, then look once more (the fence is inside).
        self.register(index, thread.clone());
        if let Some(job) = look() {
            self.unregister(index);
            return Slept::Job(job);
        }
        if closed() {
            self.unregister(index);
            return Slept::Leave;
        }
        let deadline = keep_alive.and_then(crate::deadline::after);
        loop {
            match deadline {
                None => thread::park(),
                Some(deadline) => {
                    thread::park_timeout(deadline.saturating_duration_since(Instant::now()))
                }
            }
            // Step 4b.
            if self.was_notified(index) {
                return Slept::Notified;
            }
            // Step 4c.
            let expired = deadline.is_some_and(|d| Instant::now() >= d);
            if expired || closed() {
                self.unregister(index);
                return Slept::Leave;
            }
        }
    }

    /// Step 4a: registers the calling worker as a sleeper. The caller must
    /// look at the queues once more before parking.
    fn register(&self, index: usize, thread: Thread) {
        let mut sleepers = self.sleepers.lock();
        sleepers.push(Sleeper { index, thread });
        self.state
            .fetch_add(SLEEPING.wrapping_sub(SEARCHING), SeqCst);
        drop(sleepers);
        // SeqCst fence: pairs with the fence in `work_pushed` (step 4).
        fence(SeqCst);
    }

    /// Steps 4a and 4c: a registered worker found work or must leave. If it is still
    /// in the list, it takes itself out and counts as searching again; if a
    /// notifier already took it out, the notifier counted it as searching.
    /// Either way the worker ends up searching.
    fn unregister(&self, index: usize) {
        let mut sleepers = self.sleepers.lock();
        if let Some(pos) = sleepers.iter().position(|s| s.index == index) {
            sleepers.remove(pos);
            self.state
                .fetch_add(SEARCHING.wrapping_sub(SLEEPING), SeqCst);
        }
    }

    /// Step 4b: after a park returns, true if a notifier took this worker
    /// out of the list (it is now searching); false on a spurious or
    /// timed-out wake-up.
    fn was_notified(&self, index: usize) -> bool {
        !self.sleepers.lock().iter().any(|s| s.index == index)
    }

    /// Step 5: a searching worker leaves for good (shutdown, broken pool).
    pub(crate) fn leave(&self) {
        self.state.fetch_sub(LIVE + SEARCHING, SeqCst);
    }
}
