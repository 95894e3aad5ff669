//! The links' counters behind `Pool::metrics` (`pool/metrics.rs`).

use std::sync::atomic::{AtomicU64, Ordering};

/// The links' counters for `Pool::metrics` (`pool/metrics.rs`): relaxed
/// atomics, each written where the link already does the work. Failures,
/// deaths and replacements are rare, so their shared counters cost a
/// locked add only then; a task's success costs one plain store.
pub(crate) struct Stats {
    /// Tasks (for a map, chunks) that failed for good, retries spent.
    pub(crate) failed: AtomicU64,
    /// Attempts sent again after a lost worker or a timeout.
    pub(crate) retried: AtomicU64,
    /// Children lost in service: died, or stopped by the pool (a time
    /// limit, a stop, the memory limit). Retirements and `terminate` are
    /// not deaths.
    pub(crate) deaths: AtomicU64,
    /// Children started in place of one that died or retired.
    pub(crate) replacements: AtomicU64,
    /// Requests answered by each slot's current child, written by that
    /// slot's link only.
    pub(crate) tasks: Box<[AtomicU64]>,
}

impl Stats {
    pub(crate) fn new(processes: usize) -> Stats {
        Stats {
            failed: AtomicU64::new(0),
            retried: AtomicU64::new(0),
            deaths: AtomicU64::new(0),
            replacements: AtomicU64::new(0),
            tasks: (0..processes).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    pub(super) fn add(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}
