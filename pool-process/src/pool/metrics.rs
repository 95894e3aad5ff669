//! `ProcessMetrics`: a snapshot of a process pool, for `Pool::metrics`
//! and `ProcessPoolExecutor::metrics`.

use std::sync::atomic::Ordering::Relaxed;

use pool_core::Metrics;

use crate::pool::links::LinkPool;
use crate::sys::resident::PrivateResident;

/// A snapshot of a process pool, from [`Pool::metrics`](crate::Pool::metrics)
/// or [`ProcessPoolExecutor::metrics`](crate::ProcessPoolExecutor::metrics):
/// the scheduler's view that `ThreadPoolExecutor::metrics` gives, plus the
/// worker processes.
///
/// A task here is what one link sends a worker at a time: an
/// `apply`/`submit` task, or one chunk of a map. Counters are read one
/// after another without stopping the workers, so a snapshot of a busy
/// pool is approximate; one of a quiet pool is exact. Python's pools have
/// no such view.
///
/// # Examples
///
/// ```
/// use poolrt::process::Pool;
///
/// let pool = Pool::new(2).unwrap();
/// assert_eq!(pool.apply(|x: u32| x + 1, 1).unwrap(), 2);
/// let m = pool.metrics();
/// assert!(m.alive >= 1 && m.alive <= 2, "the second worker may still be starting");
/// assert_eq!((m.completed, m.failed, m.deaths), (1, 0, 0));
/// assert_eq!(m.workers.iter().map(|w| w.tasks).sum::<u64>(), 1);
/// assert!(m.workers.iter().all(|w| w.pid != std::process::id()));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProcessMetrics {
    /// The scheduler's view, as `ThreadPoolExecutor::metrics` gives it:
    /// its workers are the links, one parent thread per worker process.
    pub scheduler: Metrics,
    /// Worker processes alive (including one still starting).
    pub alive: usize,
    /// Worker processes running a task.
    pub busy: usize,
    /// Worker processes alive and waiting for a task.
    pub idle: usize,
    /// Tasks waiting for a worker.
    pub queued: usize,
    /// Tasks finished, whether they succeeded or failed.
    pub completed: u64,
    /// Tasks that failed for good: a panic, a returned error, a lost
    /// worker or a time limit once any retries were spent, a stop.
    pub failed: u64,
    /// Attempts sent again after a lost worker or a time limit
    /// ([`PoolBuilder::retries`](crate::PoolBuilder::retries)).
    pub retried: u64,
    /// Worker processes lost in service: died, or stopped by the pool (a
    /// time limit, [`AsyncResult::stop`](crate::AsyncResult::stop), the
    /// memory limit). Retirements (`maxtasksperchild`) and `terminate`
    /// are not deaths.
    pub deaths: u64,
    /// Worker processes started in place of one that died or retired.
    pub replacements: u64,
    /// The live worker processes, by worker slot.
    pub workers: Vec<WorkerMetrics>,
}

/// One live worker process in a [`ProcessMetrics`].
///
/// # Examples
///
/// ```
/// use poolrt::process::Pool;
///
/// let pool = Pool::new(1).unwrap();
/// let pid = pool.apply(|_: ()| std::process::id(), ()).unwrap();
/// let worker = &pool.metrics().workers[0];
/// assert_eq!((worker.pid, worker.tasks), (pid, 1));
/// assert!(worker.resident.unwrap() > 0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WorkerMetrics {
    /// Its process id.
    pub pid: u32,
    /// Tasks it has answered (a replacement starts again from zero).
    pub tasks: u64,
    /// Its private resident memory in bytes, read from
    /// `/proc/<pid>/statm` (what `max_memory_per_child` limits); `None`
    /// when it could not be read, as for a worker exiting.
    pub resident: Option<u64>,
}

/// Reads the snapshot of `links`.
pub(crate) fn snapshot(links: &LinkPool) -> ProcessMetrics {
    let scheduler = links.scheduler.metrics();
    let stats = &links.config.stats;
    let workers: Vec<WorkerMetrics> = {
        let children = links.config.children.lock();
        children
            .iter()
            .enumerate()
            .filter_map(|(slot, child)| Some((slot, child.as_ref()?.pid())))
            .map(|(slot, pid)| WorkerMetrics {
                pid,
                tasks: stats.tasks[slot].load(Relaxed),
                resident: None,
            })
            .collect()
    };
    // Outside the lock: a read of /proc per worker.
    let workers = workers
        .into_iter()
        .map(|w| WorkerMetrics {
            resident: PrivateResident::open(w.pid).and_then(|r| r.bytes()).ok(),
            ..w
        })
        .collect::<Vec<_>>();
    let (completed, queued) = links.lanes.corrected(scheduler.completed, scheduler.queued);
    let alive = workers.len();
    let busy = scheduler.busy.min(alive);
    ProcessMetrics {
        scheduler,
        alive,
        busy,
        idle: alive - busy,
        queued,
        completed,
        failed: stats.failed.load(Relaxed),
        retried: stats.retried.load(Relaxed),
        deaths: stats.deaths.load(Relaxed),
        replacements: stats.replacements.load(Relaxed),
        workers,
    }
}
