//! What a backend tells the scheduler when it builds one.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::error::Error;

/// Facts a worker's start-up function receives.
///
/// # Examples
///
/// ```
/// use poolrt::{Scheduler, SchedulerConfig};
///
/// let config = SchedulerConfig::new(2, |info| Ok(info.index()));
/// let scheduler = Scheduler::new(config).unwrap();
/// let index = scheduler.submit_with(|index: &mut usize| *index).unwrap().result().unwrap();
/// assert!(index < 2);
/// # scheduler.shutdown(poolrt::CancelFutures::No);
/// ```
#[derive(Clone, Debug)]
pub struct WorkerInfo {
    pub(crate) index: usize,
    pub(crate) core: Option<usize>,
}

impl WorkerInfo {
    /// The worker's slot, in `0..max_workers`. A slot is reused by the
    /// next worker after its previous occupant exits.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{Scheduler, SchedulerConfig};
    ///
    /// // One worker slot: its index is always 0.
    /// let scheduler = Scheduler::new(SchedulerConfig::new(1, |info| Ok(info.index()))).unwrap();
    /// let index = scheduler.submit_with(|index: &mut usize| *index).unwrap().result().unwrap();
    /// assert_eq!(index, 0);
    /// # scheduler.shutdown(poolrt::CancelFutures::No);
    /// ```
    pub fn index(&self) -> usize {
        self.index
    }

    /// The core the worker was pinned to, when pinning was asked for and
    /// succeeded.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{Scheduler, SchedulerConfig};
    ///
    /// // Pinning was not asked for, so no worker reports a core.
    /// let scheduler = Scheduler::new(SchedulerConfig::new(1, |info| Ok(info.core()))).unwrap();
    /// let core = scheduler.submit_with(|core: &mut Option<usize>| *core).unwrap().result().unwrap();
    /// assert_eq!(core, None);
    /// # scheduler.shutdown(poolrt::CancelFutures::No);
    /// ```
    pub fn core(&self) -> Option<usize> {
        self.core
    }
}

pub(crate) type StartFn<C> = dyn Fn(&WorkerInfo) -> Result<C, Error> + Send + Sync;
pub(crate) type NameFn = dyn Fn(usize) -> String + Send + Sync;

/// How a [`Scheduler`](crate::Scheduler) runs its workers.
///
/// Each worker thread starts by calling the start-up function, which builds
/// the worker's context `C` (a thread pool's initializer, a process pool's
/// child process). If it fails, the scheduler is *broken*: queued tasks
/// fail with that error and new submits are refused.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use poolrt::SchedulerConfig;
///
/// let config = SchedulerConfig::new(4, |_| Ok(()))
///     .thread_name(|i| format!("io-{i}"))
///     .keep_alive(Some(Duration::from_secs(30)))
///     .pin_cores(false);
/// assert_eq!(config.max_workers(), 4);
/// ```
pub struct SchedulerConfig<C> {
    pub(crate) max_workers: usize,
    pub(crate) start: Arc<StartFn<C>>,
    pub(crate) thread_name: Arc<NameFn>,
    pub(crate) stack_size: Option<usize>,
    pub(crate) pin_cores: bool,
    pub(crate) keep_alive: Option<Duration>,
}

impl<C> SchedulerConfig<C> {
    /// Up to `max_workers` workers, each starting with `start`.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{Scheduler, SchedulerConfig};
    ///
    /// // Every worker's context is the string its start-up function built.
    /// let config = SchedulerConfig::new(2, |info| Ok(format!("worker {}", info.index())));
    /// let scheduler = Scheduler::new(config).unwrap();
    /// let f = scheduler.submit_with(|ctx: &mut String| ctx.clone()).unwrap();
    /// assert!(f.result().unwrap().starts_with("worker "));
    /// # scheduler.shutdown(poolrt::CancelFutures::No);
    /// ```
    pub fn new(
        max_workers: usize,
        start: impl Fn(&WorkerInfo) -> Result<C, Error> + Send + Sync + 'static,
    ) -> SchedulerConfig<C> {
        SchedulerConfig {
            max_workers,
            start: Arc::new(start),
            thread_name: Arc::new(|i| format!("poolrt-worker-{i}")),
            stack_size: None,
            pin_cores: false,
            keep_alive: None,
        }
    }

    /// The most workers that may run at once.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{Scheduler, SchedulerConfig};
    ///
    /// let config = SchedulerConfig::new(3, |_| Ok(()));
    /// assert_eq!(config.max_workers(), 3);
    /// assert_eq!(Scheduler::new(config).unwrap().max_workers(), 3);
    /// ```
    pub fn max_workers(&self) -> usize {
        self.max_workers
    }

    /// Names worker threads; receives a number that counts every worker
    /// started by this scheduler from zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{Scheduler, SchedulerConfig};
    ///
    /// let config = SchedulerConfig::new(1, |_| Ok(())).thread_name(|i| format!("io-{i}"));
    /// let scheduler = Scheduler::new(config).unwrap();
    /// let name = scheduler.submit(|| std::thread::current().name().map(String::from));
    /// assert_eq!(name.unwrap().result().unwrap().as_deref(), Some("io-0"));
    /// # scheduler.shutdown(poolrt::CancelFutures::No);
    /// ```
    #[must_use]
    pub fn thread_name(mut self, name: impl Fn(usize) -> String + Send + Sync + 'static) -> Self {
        self.thread_name = Arc::new(name);
        self
    }

    /// The stack size of worker threads, in bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{Scheduler, SchedulerConfig};
    ///
    /// let config = SchedulerConfig::new(1, |_| Ok(())).stack_size(Some(16 << 20));
    /// let scheduler = Scheduler::new(config).unwrap();
    /// // 4 MiB on the stack would overflow a default 2 MiB thread; 16 MiB is enough.
    /// let f = scheduler.submit(|| {
    ///     let buf = std::hint::black_box([1u8; 4 << 20]);
    ///     buf.iter().map(|&b| usize::from(b)).sum::<usize>()
    /// });
    /// assert_eq!(f.unwrap().result().unwrap(), 4 << 20);
    /// # scheduler.shutdown(poolrt::CancelFutures::No);
    /// ```
    #[must_use]
    pub fn stack_size(mut self, bytes: Option<usize>) -> Self {
        self.stack_size = bytes;
        self
    }

    /// Pins worker `i` to the `i`-th core this process may run on (modulo
    /// their number). Best effort: a refused pin leaves the worker unpinned.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{Scheduler, SchedulerConfig};
    ///
    /// let config = SchedulerConfig::new(1, |info| Ok(info.core())).pin_cores(true);
    /// let scheduler = Scheduler::new(config).unwrap();
    /// let core = scheduler.submit_with(|core: &mut Option<usize>| *core).unwrap().result().unwrap();
    /// // Best effort: when the pin succeeded, worker 0 is on the first allowed core.
    /// if let Some(core) = core {
    ///     assert_eq!(core, pool_core::allowed_cores()[0]);
    /// }
    /// # scheduler.shutdown(poolrt::CancelFutures::No);
    /// ```
    #[must_use]
    pub fn pin_cores(mut self, pin: bool) -> Self {
        self.pin_cores = pin;
        self
    }

    /// How long an idle worker waits for work before it exits; `None`, the
    /// default, keeps idle workers until shutdown. Workers start again on
    /// demand.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use poolrt::{Scheduler, SchedulerConfig};
    ///
    /// let config = SchedulerConfig::new(1, |_| Ok(())).keep_alive(Some(Duration::from_millis(10)));
    /// let scheduler = Scheduler::new(config).unwrap();
    /// scheduler.submit(|| ()).unwrap().result().unwrap();
    /// // The idle worker exits after 10 ms...
    /// let give_up = std::time::Instant::now() + Duration::from_secs(60);
    /// while scheduler.metrics().workers != 0 {
    ///     assert!(std::time::Instant::now() < give_up, "the idle worker never exited");
    ///     std::thread::yield_now();
    /// }
    /// // ...and a new one starts for the next task.
    /// assert_eq!(scheduler.submit(|| 7).unwrap().result().unwrap(), 7);
    /// # scheduler.shutdown(poolrt::CancelFutures::No);
    /// ```
    #[must_use]
    pub fn keep_alive(mut self, keep_alive: Option<Duration>) -> Self {
        self.keep_alive = keep_alive;
        self
    }
}

impl<C> fmt::Debug for SchedulerConfig<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SchedulerConfig")
            .field("max_workers", &self.max_workers)
            .field("stack_size", &self.stack_size)
            .field("pin_cores", &self.pin_cores)
            .field("keep_alive", &self.keep_alive)
            .finish_non_exhaustive()
    }
}
