//! A point-in-time view of a scheduler's workers and counters.

use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::Relaxed;

/// Per-worker-slot counters, written only by the slot's current occupant.
#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) completed: AtomicU64,
    pub(crate) stolen: AtomicU64,
    pub(crate) panicked: AtomicU64,
}

impl Counters {
    /// Adds one without a locked instruction: only the occupant writes.
    pub(crate) fn bump(counter: &AtomicU64) {
        counter.store(counter.load(Relaxed) + 1, Relaxed);
    }

    /// Counts a task that ran; called before its outcome is published, so
    /// whoever sees the task done also sees it counted.
    pub(crate) fn ran(&self, panicked: bool) {
        Counters::bump(&self.completed);
        if panicked {
            Counters::bump(&self.panicked);
        }
    }
}

/// A snapshot of a scheduler, from [`Scheduler::metrics`](crate::Scheduler::metrics).
///
/// Counters are read one after another without stopping the workers, so a
/// snapshot of a busy pool is approximate; one of a quiet pool is exact.
///
/// # Examples
///
/// ```
/// use poolrt::{CancelFutures, Scheduler, SchedulerConfig};
///
/// let scheduler = Scheduler::new(SchedulerConfig::new(2, |_| Ok(()))).unwrap();
/// scheduler.submit(|| ()).unwrap().result().unwrap();
/// let m = scheduler.metrics();
/// assert_eq!(m.completed, 1);
/// assert!(m.workers >= 1 && m.workers <= 2);
/// scheduler.shutdown(CancelFutures::No);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Metrics {
    /// Worker threads alive.
    pub workers: usize,
    /// Workers not running a task (searching or asleep).
    pub idle: usize,
    /// Workers asleep (parked until a submit wakes them).
    pub asleep: usize,
    /// Workers running a task.
    pub busy: usize,
    /// Tasks waiting in the queues.
    pub queued: usize,
    /// Tasks run to the end, including those that panicked.
    pub completed: u64,
    /// Tasks a worker took from another worker's deque.
    pub stolen: u64,
    /// Tasks that panicked.
    pub panicked: u64,
}
