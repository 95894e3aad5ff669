//! `Scheduler<C>`: the public face of a registry, used by both backends.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::config::SchedulerConfig;
use crate::error::{Error, ErrorKind, SubmitError};
use crate::handle::TaskFuture;
use crate::job::{Call, Fallible, Job, Plain, TaskCell, WithContext};
use crate::metrics::Metrics;
use crate::registry::{Registry, on_worker_of};
use crate::sleep::MAX_WORKERS;
use crate::trace;
use crate::unwind;

/// What shutdown does with tasks still queued: Python's `cancel_futures`.
///
/// # Examples
///
/// ```
/// use poolrt::{CancelFutures, Scheduler, SchedulerConfig};
///
/// let scheduler = Scheduler::new(SchedulerConfig::new(1, |_| Ok(()))).unwrap();
/// scheduler.shutdown(CancelFutures::Yes);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[doc(alias = "cancel_futures")]
pub enum CancelFutures {
    /// Queued tasks are cancelled.
    Yes,
    /// Queued tasks still run (Python's default).
    #[default]
    No,
}

/// Whether shutdown waits for the workers to finish: Python's `wait`.
///
/// # Examples
///
/// ```
/// assert_eq!(poolrt::Wait::default(), poolrt::Wait::Yes);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Wait {
    /// Return once every worker has exited (Python's default).
    #[default]
    Yes,
    /// Return at once; workers finish queued tasks in the background.
    No,
}

/// A work-stealing scheduler whose workers each own a context `C`.
///
/// Both poolrt backends are built on it: the thread backend's workers have
/// no context (`C = ()`), the process backend's workers each own a child
/// process. Tasks are closures `FnOnce(&mut C) -> T`; each submit returns a
/// [`TaskFuture`].
///
/// Cloning a scheduler makes another handle to the same workers. Workers
/// stay until [`shutdown`](Scheduler::shutdown); dropping handles does not
/// stop them (the backends' executors shut down on drop).
///
/// # Shutdown, step by step
///
/// 1. `shutdown` stores the closed status (SeqCst) and wakes every sleeper.
/// 2. A submit checks the status, pushes, issues a SeqCst fence (inside the
///    wake-up check) and checks the status again. If it now sees the
///    scheduler closed, it tries to cancel its own task; winning hands the
///    closure back in the error, losing means a worker already runs it.
/// 3. A worker that sees the closed status issues a SeqCst fence and looks at
///    the queues once more before it leaves. By the fences, it sees every
///    task whose submitter saw the scheduler open at step 2, so an accepted
///    task is never stranded.
/// 4. With [`CancelFutures::Yes`], queued tasks are cancelled after step 1;
///    tasks already running finish.
/// 5. `join` waits for the live-thread count, decremented by a guard each
///    worker holds, to reach zero (or one, when called from a worker of this
///    scheduler, which cannot wait for itself).
///
/// # Examples
///
/// ```
/// use poolrt::{CancelFutures, Scheduler, SchedulerConfig};
///
/// let scheduler = Scheduler::new(SchedulerConfig::new(2, |_| Ok(()))).unwrap();
/// let future = scheduler.submit(|| 6 * 7).unwrap();
/// assert_eq!(future.result().unwrap(), 42);
/// scheduler.shutdown(CancelFutures::No);
/// assert!(scheduler.join(None));
/// ```
pub struct Scheduler<C: 'static> {
    registry: Arc<Registry<C>>,
}

impl<C: 'static> Clone for Scheduler<C> {
    fn clone(&self) -> Self {
        Scheduler {
            registry: Arc::clone(&self.registry),
        }
    }
}

impl<C: 'static> Scheduler<C> {
    /// Builds a scheduler. No thread starts until work arrives (or
    /// [`start_workers`](Scheduler::start_workers) is called).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidConfig`] when `max_workers` is zero or above
    /// 65,535.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{Scheduler, SchedulerConfig};
    ///
    /// let err = Scheduler::new(SchedulerConfig::new(0, |_| Ok(()))).unwrap_err();
    /// assert_eq!(err.to_string(), "invalid configuration: max_workers must be at least 1, got 0");
    /// ```
    pub fn new(config: SchedulerConfig<C>) -> Result<Scheduler<C>, Error> {
        let n = config.max_workers;
        if n == 0 || n > MAX_WORKERS {
            return Err(
                Error::from_kind(ErrorKind::InvalidConfig).with_detail(if n == 0 {
                    "max_workers must be at least 1, got 0".to_owned()
                } else {
                    format!("max_workers must be at most {MAX_WORKERS}, got {n}")
                }),
            );
        }
        unwind::install_hook();
        Ok(Scheduler {
            registry: Arc::new(Registry::new(config)),
        })
    }

    /// Queues `task` and returns its future.
    ///
    /// Called from one of this scheduler's workers, the task goes to that
    /// worker's own deque; otherwise to the shared injector.
    ///
    /// # Errors
    ///
    /// After shutdown, or once the scheduler is broken, the task is refused
    /// and handed back inside the error.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{CancelFutures, Scheduler, SchedulerConfig};
    ///
    /// let scheduler = Scheduler::new(SchedulerConfig::new(1, |_| Ok(()))).unwrap();
    /// assert_eq!(scheduler.submit(|| 2 + 2).unwrap().result().unwrap(), 4);
    /// scheduler.shutdown(CancelFutures::No);
    /// let err = scheduler.submit(|| 1).unwrap_err();
    /// assert!(err.is_shutdown());
    /// assert_eq!((err.into_inner())(), 1);
    /// ```
    pub fn submit<F, T>(&self, task: F) -> Result<TaskFuture<T>, SubmitError<F>>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.queue(Plain(task))
            .map_err(|e| e.map(|Plain(task)| task))
    }

    /// Queues `task`, which runs with the worker's context (a process
    /// pool's link to its child, for instance), and returns its future.
    ///
    /// # Errors
    ///
    /// As [`submit`](Scheduler::submit).
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{Scheduler, SchedulerConfig};
    ///
    /// let scheduler = Scheduler::new(SchedulerConfig::new(1, |info| Ok(info.index() + 100))).unwrap();
    /// let f = scheduler.submit_with(|ctx: &mut usize| *ctx).unwrap();
    /// assert_eq!(f.result().unwrap(), 100);
    /// # scheduler.shutdown(poolrt::CancelFutures::No);
    /// ```
    pub fn submit_with<F, T>(&self, task: F) -> Result<TaskFuture<T>, SubmitError<F>>
    where
        F: FnOnce(&mut C) -> T + Send + 'static,
        T: Send + 'static,
    {
        self.queue(WithContext(task))
            .map_err(|e| e.map(|WithContext(task)| task))
    }

    /// Queues `task`, which runs with the worker's context and may fail
    /// without panicking: its error becomes the future's outcome (a process
    /// task whose worker died, a result that could not be decoded).
    ///
    /// # Errors
    ///
    /// As [`submit`](Scheduler::submit).
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{Error, ErrorKind, Scheduler, SchedulerConfig};
    ///
    /// let scheduler = Scheduler::new(SchedulerConfig::new(1, |_| Ok(()))).unwrap();
    /// let f = scheduler
    ///     .submit_fallible_with(|_: &mut ()| -> Result<u8, Error> { Err(Error::from_kind(ErrorKind::WorkerLost)) })
    ///     .unwrap();
    /// assert!(f.result().unwrap_err().is_worker_lost());
    /// # scheduler.shutdown(poolrt::CancelFutures::No);
    /// ```
    pub fn submit_fallible_with<F, T>(&self, task: F) -> Result<TaskFuture<T>, SubmitError<F>>
    where
        F: FnOnce(&mut C) -> Result<T, Error> + Send + 'static,
        T: Send + 'static,
    {
        self.queue(Fallible(task))
            .map_err(|e| e.map(|Fallible(task)| task))
    }

    fn queue<F, T>(&self, task: F) -> Result<TaskFuture<T>, SubmitError<F>>
    where
        F: Call<C, T> + 'static,
        T: Send + 'static,
    {
        let _submit = trace::submit();
        if let Some(reason) = self.registry.refusal() {
            return Err(SubmitError::new(task, reason));
        }
        let cell = Arc::new(TaskCell::new(task, ()));
        self.registry.push(cell.clone());
        if self.registry.is_closed() {
            if self.registry.is_broken() {
                // The pool broke while we queued: the breaker's drain may
                // have missed the task, so settle it here. Its future
                // reports the broken pool.
                Job::<C>::abort(&*cell, Some(self.registry.broken_error()));
            } else if let Some(task) = cell.reclaim() {
                // Shutdown step 2: we raced with shutdown. Take the task
                // back unless a worker already claimed it.
                return Err(SubmitError::new(
                    task,
                    Error::from_kind(ErrorKind::Shutdown),
                ));
            }
        }
        Ok(TaskFuture::from_task(cell))
    }

    /// Why submits are refused, if they are.
    pub(crate) fn refusal(&self) -> Option<Error> {
        self.registry.refusal()
    }

    /// Queues an already built job (scopes use this for tasks that borrow
    /// data). False if the scheduler closed meanwhile; the caller must then
    /// abort the job (shutdown step 2).
    pub(crate) fn push_job(&self, job: Arc<dyn Job<C>>) -> bool {
        self.registry.push(job);
        !self.registry.is_closed()
    }

    /// Starts workers now, up to `n` (at most `max_workers`), instead of on
    /// demand.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{CancelFutures, Scheduler, SchedulerConfig};
    ///
    /// let scheduler = Scheduler::new(SchedulerConfig::new(2, |_| Ok(()))).unwrap();
    /// scheduler.start_workers(2);
    /// assert_eq!(scheduler.metrics().workers, 2);
    /// scheduler.shutdown(CancelFutures::No);
    /// ```
    pub fn start_workers(&self, n: usize) {
        self.registry.start_workers(n);
    }

    /// Stops accepting tasks. Queued tasks run, or are cancelled with
    /// [`CancelFutures::Yes`]; returns how many were cancelled. Does not wait:
    /// see [`join`](Scheduler::join).
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{CancelFutures, Scheduler, SchedulerConfig};
    ///
    /// let scheduler = Scheduler::new(SchedulerConfig::new(1, |_| Ok(()))).unwrap();
    /// assert_eq!(scheduler.shutdown(CancelFutures::Yes), 0);
    /// assert!(scheduler.is_shutdown());
    /// ```
    pub fn shutdown(&self, cancel: CancelFutures) -> usize {
        let closed = self.registry.close();
        let cancelled = match cancel {
            CancelFutures::No => 0,
            CancelFutures::Yes => self.registry.cancel_queued(),
        };
        if closed || cancelled > 0 {
            crate::__event!(INFO, "poolrt.shutdown", cancelled = cancelled);
        }
        cancelled
    }

    /// Waits for the worker threads to exit, after a shutdown; true when
    /// they have. Called from one of this scheduler's own workers, it waits
    /// for all the others.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use poolrt::{CancelFutures, Scheduler, SchedulerConfig};
    ///
    /// let scheduler = Scheduler::new(SchedulerConfig::new(1, |_| Ok(()))).unwrap();
    /// scheduler.submit(|| ()).unwrap().wait();
    /// assert!(!scheduler.join(Some(Duration::from_millis(10))), "still running");
    /// scheduler.shutdown(CancelFutures::No);
    /// assert!(scheduler.join(None));
    /// ```
    pub fn join(&self, timeout: Option<Duration>) -> bool {
        let allowed = usize::from(self.on_worker_thread());
        let deadline = timeout.and_then(crate::deadline::after);
        self.registry.wait_threads(allowed, deadline)
    }

    /// Marks the scheduler broken by `cause`: queued tasks fail, new submits
    /// are refused and workers exit.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{Error, ErrorKind, Scheduler, SchedulerConfig};
    ///
    /// let scheduler = Scheduler::new(SchedulerConfig::new(1, |_| Ok(()))).unwrap();
    /// scheduler.break_with(Error::from_kind(ErrorKind::WorkerLost));
    /// assert!(scheduler.submit(|| ()).unwrap_err().is_broken());
    /// ```
    pub fn break_with(&self, cause: Error) {
        self.registry.break_with(cause);
    }

    /// True after [`shutdown`](Scheduler::shutdown) or once broken.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{CancelFutures, Scheduler, SchedulerConfig};
    ///
    /// let scheduler = Scheduler::new(SchedulerConfig::new(1, |_| Ok(()))).unwrap();
    /// assert!(!scheduler.is_shutdown());
    /// scheduler.shutdown(CancelFutures::No);
    /// assert!(scheduler.is_shutdown());
    /// ```
    pub fn is_shutdown(&self) -> bool {
        self.registry.is_closed()
    }

    /// The error that broke the scheduler, if it is broken.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{Error, ErrorKind, Scheduler, SchedulerConfig};
    ///
    /// // A start-up function that fails breaks the scheduler.
    /// let config = SchedulerConfig::new(1, |_| Err::<(), _>(Error::new(ErrorKind::Initializer, "no db")));
    /// let scheduler = Scheduler::new(config).unwrap();
    /// assert!(scheduler.broken().is_none());
    /// let err = scheduler.submit(|| ()).unwrap().result().unwrap_err();
    /// assert!(err.is_broken());
    /// assert!(scheduler.broken().unwrap().is_broken());
    /// ```
    pub fn broken(&self) -> Option<Error> {
        self.registry
            .is_broken()
            .then(|| self.registry.broken_error())
    }

    /// True when the calling thread is one of this scheduler's workers.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{Scheduler, SchedulerConfig};
    ///
    /// let scheduler = Scheduler::new(SchedulerConfig::new(1, |_| Ok(()))).unwrap();
    /// assert!(!scheduler.on_worker_thread());
    /// let handle = scheduler.clone();
    /// let inside = scheduler.submit(move || handle.on_worker_thread()).unwrap();
    /// assert!(inside.result().unwrap());
    /// # scheduler.shutdown(poolrt::CancelFutures::No);
    /// ```
    pub fn on_worker_thread(&self) -> bool {
        on_worker_of(&self.registry)
    }

    /// The most workers that may run at once.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{Scheduler, SchedulerConfig};
    ///
    /// let scheduler = Scheduler::new(SchedulerConfig::new(3, |_| Ok(()))).unwrap();
    /// assert_eq!(scheduler.max_workers(), 3);
    /// // Workers start on demand: none yet.
    /// assert_eq!(scheduler.metrics().workers, 0);
    /// ```
    pub fn max_workers(&self) -> usize {
        self.registry.config.max_workers
    }

    /// A snapshot of workers and counters.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{CancelFutures, Scheduler, SchedulerConfig};
    ///
    /// let scheduler = Scheduler::new(SchedulerConfig::new(2, |_| Ok(()))).unwrap();
    /// assert_eq!(scheduler.metrics().completed, 0);
    /// let f = scheduler.submit(|| panic!("boom")).unwrap();
    /// assert!(f.result().unwrap_err().is_panic());
    /// let m = scheduler.metrics();
    /// assert_eq!((m.completed, m.panicked), (1, 1));
    /// scheduler.shutdown(CancelFutures::No);
    /// ```
    pub fn metrics(&self) -> Metrics {
        self.registry.metrics()
    }
}

impl<C: 'static> fmt::Debug for Scheduler<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scheduler")
            .field("max_workers", &self.max_workers())
            .field("shutdown", &self.is_shutdown())
            .field("metrics", &self.metrics())
            .finish()
    }
}
