//! `ThreadPoolBuilder`: every knob of a [`ThreadPoolExecutor`].

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::Duration;

use pool_core::{Error, ErrorKind, Scheduler, SchedulerConfig};

use crate::executor::ThreadPoolExecutor;

type Initializer = dyn Fn() -> Result<(), Box<dyn StdError + Send + Sync>> + Send + Sync;

/// Numbers executors for their default thread names, as Python does.
static EXECUTORS: AtomicUsize = AtomicUsize::new(0);

/// Python's default `max_workers`: `min(32, cores + 4)`.
///
/// # Examples
///
/// ```
/// let n = poolrt::thread::default_max_workers();
/// assert!(n >= 5 && n <= 32);
/// ```
pub fn default_max_workers() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    (cores + 4).min(32)
}

/// Configures a [`ThreadPoolExecutor`], like the keyword arguments of
/// Python's constructor.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use poolrt::thread::ThreadPoolExecutor;
///
/// let executor = ThreadPoolExecutor::builder()
///     .max_workers(8)
///     .thread_name_prefix("fetch")
///     .keep_alive(Duration::from_secs(60))
///     .build()
///     .unwrap();
/// let name = executor
///     .submit(|| std::thread::current().name().unwrap().to_owned())
///     .unwrap()
///     .result()
///     .unwrap();
/// assert_eq!(name, "fetch_0");
/// ```
#[derive(Default)]
#[must_use]
pub struct ThreadPoolBuilder {
    max_workers: Option<usize>,
    thread_name_prefix: Option<String>,
    initializer: Option<Arc<Initializer>>,
    stack_size: Option<usize>,
    pin_cores: bool,
    keep_alive: Option<Duration>,
}

impl ThreadPoolBuilder {
    /// The most threads the executor may start; defaults to
    /// [`default_max_workers`]. Zero is an error at [`build`](ThreadPoolBuilder::build).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::{Arc, Barrier};
    /// use poolrt::thread::ThreadPoolExecutor;
    ///
    /// let executor = ThreadPoolExecutor::builder().max_workers(2).build().unwrap();
    /// assert_eq!(executor.max_workers(), 2);
    /// // Both tasks must run at once to pass the barrier: two threads do.
    /// let barrier = Arc::new(Barrier::new(2));
    /// let futures: Vec<_> = (0..2)
    ///     .map(|_| {
    ///         let barrier = Arc::clone(&barrier);
    ///         executor.submit(move || barrier.wait().is_leader()).unwrap()
    ///     })
    ///     .collect();
    /// let leaders = futures.iter().filter(|f| f.result().unwrap()).count();
    /// assert_eq!(leaders, 1);
    /// ```
    pub fn max_workers(mut self, n: usize) -> Self {
        self.max_workers = Some(n);
        self
    }

    /// Threads are named `{prefix}_{n}`; the default prefix is
    /// `ThreadPoolExecutor-{k}`, `k` counting executors, as in Python.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::thread::ThreadPoolExecutor;
    ///
    /// let executor = ThreadPoolExecutor::builder().thread_name_prefix("db").build().unwrap();
    /// let name = executor
    ///     .submit(|| std::thread::current().name().map(String::from))
    ///     .unwrap()
    ///     .result()
    ///     .unwrap();
    /// assert_eq!(name.as_deref(), Some("db_0"));
    /// ```
    pub fn thread_name_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.thread_name_prefix = Some(prefix.into());
        self
    }

    /// Runs `init` at the start of every worker thread. If it returns an
    /// error or panics, the executor is *broken*: pending tasks fail with
    /// an error whose source is the initializer's failure, and later
    /// submits are refused with it.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::thread::ThreadPoolExecutor;
    ///
    /// let executor = ThreadPoolExecutor::builder()
    ///     .initializer(|| Err("no database"))
    ///     .build()
    ///     .unwrap();
    /// let err = executor.submit(|| 1).unwrap().result().unwrap_err();
    /// assert!(err.is_broken());
    /// assert_eq!(err.to_string(), "pool is broken: worker initializer failed");
    /// let cause = std::error::Error::source(&err).unwrap();
    /// assert_eq!(cause.to_string(), "no database");
    /// ```
    pub fn initializer<E>(
        mut self,
        init: impl Fn() -> Result<(), E> + Send + Sync + 'static,
    ) -> Self
    where
        E: Into<Box<dyn StdError + Send + Sync>>,
    {
        self.initializer = Some(Arc::new(move || init().map_err(Into::into)));
        self
    }

    /// The stack size of worker threads, in bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::thread::ThreadPoolExecutor;
    ///
    /// let executor = ThreadPoolExecutor::builder().stack_size(16 << 20).build().unwrap();
    /// // 4 MiB on the stack would overflow a default 2 MiB thread; 16 MiB is enough.
    /// let f = executor.submit(|| {
    ///     let buf = std::hint::black_box([1u8; 4 << 20]);
    ///     buf.iter().map(|&b| usize::from(b)).sum::<usize>()
    /// });
    /// assert_eq!(f.unwrap().result().unwrap(), 4 << 20);
    /// ```
    pub fn stack_size(mut self, bytes: usize) -> Self {
        self.stack_size = Some(bytes);
        self
    }

    /// Pins each worker to its own core among those the process may use
    /// (best effort; more workers than cores share them in turn).
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::thread::ThreadPoolExecutor;
    ///
    /// let executor = ThreadPoolExecutor::builder().max_workers(1).pin_cores(true).build().unwrap();
    /// let allowed = pool_core::allowed_cores();
    /// // Seen from the pinned worker, exactly one core is allowed.
    /// let inside = executor.submit(pool_core::allowed_cores).unwrap().result().unwrap();
    /// assert_eq!(inside.len(), 1);
    /// assert!(allowed.contains(&inside[0]));
    /// ```
    pub fn pin_cores(mut self, pin: bool) -> Self {
        self.pin_cores = pin;
        self
    }

    /// Lets a thread that has been idle this long exit; threads start again
    /// on demand. Without it, threads live until shutdown, as in Python.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use poolrt::thread::ThreadPoolExecutor;
    ///
    /// let executor = ThreadPoolExecutor::builder().keep_alive(Duration::from_millis(10)).build().unwrap();
    /// executor.submit(|| ()).unwrap().result().unwrap();
    /// // The idle thread exits after 10 ms...
    /// let give_up = std::time::Instant::now() + Duration::from_secs(60);
    /// while executor.metrics().workers != 0 {
    ///     assert!(std::time::Instant::now() < give_up, "the idle worker never exited");
    ///     std::thread::yield_now();
    /// }
    /// // ...and a new one starts for the next task.
    /// assert_eq!(executor.submit(|| 7).unwrap().result().unwrap(), 7);
    /// ```
    pub fn keep_alive(mut self, idle: Duration) -> Self {
        self.keep_alive = Some(idle);
        self
    }

    /// Builds the executor. No thread starts before the first submit.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidConfig`] for `max_workers(0)` or more than
    /// 65,535 workers.
    ///
    /// # Examples
    ///
    /// ```
    /// let err = poolrt::thread::ThreadPoolExecutor::builder().max_workers(0).build().unwrap_err();
    /// assert_eq!(err.to_string(), "invalid configuration: max_workers must be at least 1, got 0");
    /// ```
    pub fn build(self) -> Result<ThreadPoolExecutor, Error> {
        let max_workers = self.max_workers.unwrap_or_else(default_max_workers);
        let prefix = self
            .thread_name_prefix
            .unwrap_or_else(|| format!("ThreadPoolExecutor-{}", EXECUTORS.fetch_add(1, Relaxed)));
        let initializer = self.initializer;
        let config = SchedulerConfig::new(max_workers, move |_| {
            crate::slack::sharpen_timers();
            match &initializer {
                None => Ok(()),
                Some(init) => match pool_core::catch_task_panic(|| init()) {
                    Ok(Ok(())) => Ok(()),
                    Ok(Err(cause)) => Err(Error::new(ErrorKind::Initializer, cause)),
                    Err(panic) => Err(Error::new(ErrorKind::Initializer, panic)),
                },
            }
        })
        .thread_name(move |n| format!("{prefix}_{n}"))
        .stack_size(self.stack_size)
        .pin_cores(self.pin_cores)
        .keep_alive(self.keep_alive);
        Ok(ThreadPoolExecutor::from_scheduler(Scheduler::new(config)?))
    }
}

/// The old name of [`ThreadPoolBuilder`].
///
/// # Examples
///
/// ```
/// #[allow(deprecated)]
/// let builder: poolrt::thread::Builder = poolrt::thread::ThreadPoolExecutor::builder();
/// assert_eq!(builder.max_workers(2).build().unwrap().max_workers(), 2);
/// ```
#[deprecated(note = "renamed to `ThreadPoolBuilder`, which says which builder it is")]
pub type Builder = ThreadPoolBuilder;

impl fmt::Debug for ThreadPoolBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadPoolBuilder")
            .field("max_workers", &self.max_workers)
            .field("thread_name_prefix", &self.thread_name_prefix)
            .field("initializer", &self.initializer.is_some())
            .field("stack_size", &self.stack_size)
            .field("pin_cores", &self.pin_cores)
            .field("keep_alive", &self.keep_alive)
            .finish()
    }
}
