//! `ThreadPoolExecutor`: Python's `concurrent.futures.ThreadPoolExecutor`.

use std::fmt;
use std::sync::Arc;

use pool_core::{CancelFutures, Error, Metrics, Scheduler, Scope, SubmitError, TaskFuture, Wait};

use crate::builder::ThreadPoolBuilder;
use crate::map::Map;

/// A pool of threads for IO-bound work, with Python's
/// `ThreadPoolExecutor` semantics.
///
/// - Threads start on demand, up to `max_workers`: a submit wakes an idle
///   thread if there is one and starts a new thread only when none is idle.
/// - [`submit`](ThreadPoolExecutor::submit) returns a [`TaskFuture`];
///   [`map`](ThreadPoolExecutor::map) returns results in order with bounded
///   look-ahead.
/// - [`shutdown`](ThreadPoolExecutor::shutdown) waits for queued tasks;
///   [`shutdown_with`](ThreadPoolExecutor::shutdown_with) gives Python's
///   `wait=False` and `cancel_futures=True`. Dropping the executor shuts it
///   down and waits, like leaving a `with` block; in async code, await
///   [`shutdown_async`](ThreadPoolExecutor::shutdown_async) first, so the
///   drop does not block the runtime's thread.
/// - A task that waits on another future blocks only its own thread: a
///   waiting thread never runs unrelated tasks (the trap that deadlocks
///   work-stealing pools that "help" while they wait).
///
/// To submit from inside tasks, share the executor with an `Arc`.
///
/// # Examples
///
/// ```
/// use poolrt::thread::ThreadPoolExecutor;
///
/// let executor = ThreadPoolExecutor::new(4).unwrap();
/// let futures: Vec<_> = (0..8).map(|i| executor.submit(move || i * 10).unwrap()).collect();
/// let results: Vec<i32> = futures.iter().map(|f| f.result().unwrap()).collect();
/// assert_eq!(results, [0, 10, 20, 30, 40, 50, 60, 70]);
/// ```
#[doc(alias = "concurrent.futures.ThreadPoolExecutor")]
pub struct ThreadPoolExecutor {
    scheduler: Scheduler<()>,
}

impl ThreadPoolExecutor {
    /// An executor with up to `max_workers` threads and default settings.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidConfig`](pool_core::ErrorKind::InvalidConfig)
    /// when `max_workers` is zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::thread::ThreadPoolExecutor;
    ///
    /// assert!(ThreadPoolExecutor::new(0).is_err());
    /// let executor = ThreadPoolExecutor::new(2).unwrap();
    /// assert_eq!(executor.max_workers(), 2);
    /// ```
    pub fn new(max_workers: usize) -> Result<ThreadPoolExecutor, Error> {
        ThreadPoolBuilder::default()
            .max_workers(max_workers)
            .build()
    }

    /// A [`ThreadPoolBuilder`] for the other settings: thread names, initializer,
    /// stack size, pinning, idle keep-alive.
    ///
    /// # Examples
    ///
    /// ```
    /// let executor = poolrt::thread::ThreadPoolExecutor::builder().max_workers(3).build().unwrap();
    /// assert_eq!(executor.max_workers(), 3);
    /// ```
    pub fn builder() -> ThreadPoolBuilder {
        ThreadPoolBuilder::default()
    }

    pub(crate) fn from_scheduler(scheduler: Scheduler<()>) -> ThreadPoolExecutor {
        ThreadPoolExecutor { scheduler }
    }

    /// Schedules `task` and returns its [`TaskFuture`].
    ///
    /// # Errors
    ///
    /// After shutdown, or when the executor is broken (its initializer
    /// failed), the task is handed back inside the error.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::thread::ThreadPoolExecutor;
    ///
    /// let executor = ThreadPoolExecutor::new(2).unwrap();
    /// let future = executor.submit(|| "hello".len()).unwrap();
    /// assert_eq!(future.result().unwrap(), 5);
    /// ```
    pub fn submit<F, T>(&self, task: F) -> Result<TaskFuture<T>, SubmitError<F>>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.scheduler.submit(task)
    }

    /// Applies `f` to every item on the pool and yields the results in
    /// order, each as a `Result`. At most `2 × max_workers` items are in
    /// flight ahead of the consumer, so an endless iterator works; dropping
    /// the iterator cancels the tasks not yet started.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::thread::ThreadPoolExecutor;
    ///
    /// let executor = ThreadPoolExecutor::new(4).unwrap();
    /// let squares: Vec<u64> = executor
    ///     .map(|x: u64| x * x, 1..)
    ///     .take(5)
    ///     .map(Result::unwrap)
    ///     .collect();
    /// assert_eq!(squares, [1, 4, 9, 16, 25]);
    /// ```
    pub fn map<F, I, T>(&self, f: F, items: I) -> Map<I::IntoIter, F, T>
    where
        F: Fn(I::Item) -> T + Send + Sync + 'static,
        I: IntoIterator,
        I::Item: Send + 'static,
        T: Send + 'static,
    {
        self.map_buffered(f, items, 2 * self.max_workers())
    }

    /// Like [`map`](ThreadPoolExecutor::map), with at most `buffersize`
    /// tasks submitted ahead of the consumer (Python 3.14's `buffersize`;
    /// at least 1).
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::thread::ThreadPoolExecutor;
    ///
    /// let executor = ThreadPoolExecutor::new(2).unwrap();
    /// let lens: Vec<usize> = executor
    ///     .map_buffered(|s: &str| s.len(), ["a", "bb", "ccc"], 1)
    ///     .collect::<Result<_, _>>()
    ///     .unwrap();
    /// assert_eq!(lens, [1, 2, 3]);
    /// ```
    pub fn map_buffered<F, I, T>(&self, f: F, items: I, buffersize: usize) -> Map<I::IntoIter, F, T>
    where
        F: Fn(I::Item) -> T + Send + Sync + 'static,
        I: IntoIterator,
        I::Item: Send + 'static,
        T: Send + 'static,
    {
        Map::new(
            self.scheduler.clone(),
            Arc::new(f),
            items.into_iter(),
            buffersize.max(1),
        )
    }

    /// Runs `body` with a scope whose tasks may borrow local data; returns
    /// once they have all finished. See [`Scheduler::scope`].
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::thread::ThreadPoolExecutor;
    ///
    /// let executor = ThreadPoolExecutor::new(4).unwrap();
    /// let lines = vec!["a b", "c d e", "f"];
    /// let words: usize = executor.scope(|s| {
    ///     let futures: Vec<_> = lines
    ///         .iter()
    ///         .map(|line| s.submit(move || line.split(' ').count()).unwrap())
    ///         .collect();
    ///     futures.iter().map(|f| f.result().unwrap()).sum()
    /// });
    /// assert_eq!(words, 6);
    /// ```
    ///
    /// The scope's [`map`](Scope::map) is the executor's
    /// [`map`](ThreadPoolExecutor::map) for borrowed data: ordered,
    /// bounded, lazy, with no `'static` copies.
    ///
    /// ```
    /// use poolrt::thread::ThreadPoolExecutor;
    ///
    /// let executor = ThreadPoolExecutor::new(4).unwrap();
    /// let words = vec!["apple".to_owned(), "kiwi".to_owned()];
    /// let lens: Vec<usize> = executor.scope(|s| {
    ///     s.map(|w: &String| w.len(), &words).map(Result::unwrap).collect()
    /// });
    /// assert_eq!(lens, [5, 4]);
    /// ```
    pub fn scope<'env, F, R>(&self, body: F) -> R
    where
        F: for<'scope> FnOnce(&'scope Scope<'scope, 'env>) -> R,
    {
        self.scheduler.scope(body)
    }

    /// Stops accepting tasks, lets the queued ones run, and waits for every
    /// thread to exit: Python's `shutdown(wait=True)`. Called from one of
    /// the executor's own tasks, it waits for all the other threads.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::thread::ThreadPoolExecutor;
    ///
    /// let executor = ThreadPoolExecutor::new(2).unwrap();
    /// let future = executor.submit(|| 1).unwrap();
    /// executor.shutdown();
    /// assert!(future.done());
    /// assert!(executor.submit(|| 2).unwrap_err().is_shutdown());
    /// ```
    pub fn shutdown(&self) {
        self.shutdown_with(Wait::Yes, CancelFutures::No);
    }

    /// Python's `shutdown(wait, cancel_futures)`: with [`Wait::No`] it
    /// returns at once while threads finish in the background; with
    /// [`CancelFutures::Yes`] queued tasks are cancelled (running ones
    /// finish). Returns how many tasks were cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{CancelFutures, Wait};
    /// use poolrt::thread::ThreadPoolExecutor;
    ///
    /// let executor = ThreadPoolExecutor::new(1).unwrap();
    /// let cancelled = executor.shutdown_with(Wait::No, CancelFutures::Yes);
    /// assert_eq!(cancelled, 0);
    /// ```
    pub fn shutdown_with(&self, wait: Wait, cancel: CancelFutures) -> usize {
        let cancelled = self.scheduler.shutdown(cancel);
        if wait == Wait::Yes {
            self.scheduler.join(None);
        }
        cancelled
    }

    /// [`shutdown`](ThreadPoolExecutor::shutdown) for async code: stops
    /// accepting tasks now and returns at once a future that completes
    /// once the queued tasks have run and every thread has exited. A helper
    /// thread does the waiting, so the thread polling the future is never
    /// blocked and other tasks of the runtime go on.
    ///
    /// Dropping an executor shuts it down and waits for its threads, which
    /// inside an async fn blocks the runtime's thread for as long as the
    /// tasks take: in async code, await `shutdown_async` first; the drop
    /// then returns at once. The future is a [`TaskFuture`], so blocking
    /// code can also wait on it with a timeout
    /// ([`TaskFuture::wait_timeout`]). A task of this executor must not
    /// block on the future: it waits for that task's own thread.
    ///
    /// # Errors
    ///
    /// The future yields [`ErrorKind::Spawn`](pool_core::ErrorKind::Spawn)
    /// when the helper thread could not start.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::thread::ThreadPoolExecutor;
    ///
    /// let executor = ThreadPoolExecutor::new(2).unwrap();
    /// let queued = executor.submit(|| 1).unwrap();
    /// // Any executor: `executor.shutdown_async().await` in tokio.
    /// pool_test_support::block_on(executor.shutdown_async()).unwrap();
    /// assert!(queued.done());
    /// assert_eq!(executor.metrics().workers, 0, "every thread has exited");
    /// assert!(executor.submit(|| 2).unwrap_err().is_shutdown());
    /// ```
    #[must_use = "the executor is shut down once the returned future completes"]
    pub fn shutdown_async(&self) -> TaskFuture<()> {
        self.scheduler.shutdown(CancelFutures::No);
        let (promise, joined) = pool_core::promise();
        let scheduler = self.scheduler.clone();
        let spawned = std::thread::Builder::new()
            .name("poolrt-shutdown".into())
            .spawn(move || {
                scheduler.join(None);
                let _ = promise.set_result(());
            });
        match spawned {
            Ok(_) => joined,
            Err(e) => {
                let (promise, failed) = pool_core::promise();
                promise.set_error(
                    Error::new(pool_core::ErrorKind::Spawn, e)
                        .with_detail("the thread that waits for the shutdown"),
                );
                failed
            }
        }
    }

    /// [`shutdown_with`](ThreadPoolExecutor::shutdown_with)`(Wait::Yes,
    /// cancel)` that waits at most `timeout`; returns how many queued
    /// tasks were cancelled. Past the timeout the threads go on (a thread
    /// cannot be stopped); a later `shutdown` waits again.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Timeout`](pool_core::ErrorKind::Timeout) when tasks
    /// still run after `timeout`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use std::time::Duration;
    /// use poolrt::CancelFutures;
    /// use poolrt::thread::ThreadPoolExecutor;
    ///
    /// let executor = ThreadPoolExecutor::new(1).unwrap();
    /// let (release, gate) = mpsc::channel::<()>();
    /// let (started, running) = mpsc::channel::<()>();
    /// executor.submit(move || { started.send(()).unwrap(); gate.recv().ok(); }).unwrap();
    /// running.recv().unwrap();
    /// let err = executor.shutdown_timeout(CancelFutures::No, Duration::from_millis(20)).unwrap_err();
    /// assert!(err.is_timeout());
    /// release.send(()).unwrap();
    /// assert_eq!(executor.shutdown_timeout(CancelFutures::No, Duration::from_secs(30)).unwrap(), 0);
    /// ```
    pub fn shutdown_timeout(
        &self,
        cancel: CancelFutures,
        timeout: std::time::Duration,
    ) -> Result<usize, Error> {
        let cancelled = self.scheduler.shutdown(cancel);
        if self.scheduler.join(Some(timeout)) {
            Ok(cancelled)
        } else {
            Err(Error::from_kind(pool_core::ErrorKind::Timeout)
                .with_detail(format!("after {timeout:?} tasks still run")))
        }
    }

    /// The most threads this executor may run.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::thread::ThreadPoolExecutor;
    ///
    /// assert_eq!(ThreadPoolExecutor::new(3).unwrap().max_workers(), 3);
    /// let default = ThreadPoolExecutor::builder().build().unwrap();
    /// assert_eq!(default.max_workers(), poolrt::thread::default_max_workers());
    /// ```
    pub fn max_workers(&self) -> usize {
        self.scheduler.max_workers()
    }

    /// A snapshot of threads, queue and counters.
    ///
    /// # Examples
    ///
    /// ```
    /// let executor = poolrt::thread::ThreadPoolExecutor::new(2).unwrap();
    /// assert_eq!(executor.metrics().workers, 0, "threads start lazily");
    /// ```
    pub fn metrics(&self) -> Metrics {
        self.scheduler.metrics()
    }

    /// The underlying scheduler.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::thread::ThreadPoolExecutor;
    ///
    /// let executor = ThreadPoolExecutor::new(2).unwrap();
    /// assert_eq!(executor.submit(|| 1).unwrap().result().unwrap(), 1);
    /// let scheduler = executor.scheduler();
    /// assert_eq!(scheduler.max_workers(), 2);
    /// assert_eq!(scheduler.metrics().completed, 1);
    /// assert!(!scheduler.on_worker_thread());
    /// ```
    pub fn scheduler(&self) -> &Scheduler<()> {
        &self.scheduler
    }
}

impl Drop for ThreadPoolExecutor {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl fmt::Debug for ThreadPoolExecutor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadPoolExecutor")
            .field("scheduler", &self.scheduler)
            .finish()
    }
}
