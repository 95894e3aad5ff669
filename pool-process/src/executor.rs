//! `ProcessPoolExecutor`: Python's `concurrent.futures.ProcessPoolExecutor`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use pool_core::{CancelFutures, Error, TaskFuture, Wait};

use crate::builder::PoolBuilder;
use crate::link::{Limits, StopFlag};
use crate::pool::links::LinkPool;
use crate::pool::submit::Stream;
use crate::pool::{IMap, Order, ProcessMetrics, StopHandle, TaskFn, TaskOptions};
use crate::sys::child::Signal;
use crate::task::{Apply, Wire};

/// How long [`ProcessPoolExecutor::terminate_workers`] gives workers to
/// exit on `SIGTERM` before it kills them.
const TERMINATE_GRACE: Duration = Duration::from_secs(2);

/// A process pool with the `concurrent.futures` interface: `submit`
/// returns the same [`TaskFuture`] the thread backend returns (awaitable from
/// any async runtime), plus `map` and `shutdown`. Dropping the executor
/// shuts it down and waits for its workers; in async code, await
/// [`shutdown_async`](ProcessPoolExecutor::shutdown_async) first, so the
/// drop does not block the runtime's thread.
///
/// # Examples
///
/// ```
/// use poolrt::process::ProcessPoolExecutor;
///
/// fn is_prime(n: u64) -> bool { n > 1 && (2..n).take_while(|d| d * d <= n).all(|d| n % d != 0) }
///
/// let executor = ProcessPoolExecutor::new(2).unwrap();
/// let future = executor.submit(is_prime, 1_000_003).unwrap();
/// assert!(future.result().unwrap());
/// let primes: Vec<bool> = executor.map(is_prime, [2, 4, 7]).map(Result::unwrap).collect();
/// assert_eq!(primes, [true, false, true]);
/// ```
#[doc(alias = "concurrent.futures.ProcessPoolExecutor")]
pub struct ProcessPoolExecutor {
    /// Shared with the helper thread of
    /// [`shutdown_async`](ProcessPoolExecutor::shutdown_async).
    links: Arc<LinkPool>,
}

impl ProcessPoolExecutor {
    /// An executor of up to `max_workers` worker processes, each started
    /// when a task finds no idle one (as Python's, since 3.9).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidConfig`](pool_core::ErrorKind::InvalidConfig)
    /// for zero workers.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::ErrorKind;
    /// use poolrt::process::ProcessPoolExecutor;
    ///
    /// let executor = ProcessPoolExecutor::new(2).unwrap();
    /// assert_eq!(executor.submit(|x: u64| x * 3, 14).unwrap().result().unwrap(), 42);
    /// let err = ProcessPoolExecutor::new(0).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidConfig);
    /// ```
    pub fn new(max_workers: usize) -> Result<ProcessPoolExecutor, Error> {
        PoolBuilder::default()
            .processes(max_workers)
            .build_executor()
    }

    /// A [`PoolBuilder`]; finish it with
    /// [`build_executor`](PoolBuilder::build_executor).
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::ProcessPoolExecutor;
    ///
    /// fn pid(_: ()) -> u32 { std::process::id() }
    ///
    /// let executor = ProcessPoolExecutor::builder().processes(1).maxtasksperchild(1).build_executor().unwrap();
    /// let first = executor.submit(pid, ()).unwrap().result().unwrap();
    /// let second = executor.submit(pid, ()).unwrap().result().unwrap();
    /// assert_ne!(first, second, "the worker was replaced after one task");
    /// ```
    pub fn builder() -> PoolBuilder {
        PoolBuilder::default()
    }

    /// Schedules `f(arg)` in a worker process and returns its future.
    ///
    /// # Errors
    ///
    /// After shutdown, or when `arg` cannot be serialized.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::ProcessPoolExecutor;
    ///
    /// fn shout(s: String) -> String { s.to_uppercase() }
    ///
    /// let executor = ProcessPoolExecutor::new(2).unwrap();
    /// let future = executor.submit(shout, "hi".to_string()).unwrap();
    /// assert_eq!(future.result().unwrap(), "HI");
    /// executor.shutdown();
    /// assert!(executor.submit(shout, "late".to_string()).is_err());
    /// ```
    pub fn submit<F, A, R>(&self, f: F, arg: A) -> Result<TaskFuture<R>, Error>
    where
        F: TaskFn<A, R>,
        A: Wire,
        R: Wire,
    {
        let _ = f;
        self.links
            .call_helped::<Apply<F>, A, R>(arg, "the argument of submit", Limits::default())
    }

    /// [`submit`](ProcessPoolExecutor::submit) with options (a hard time
    /// limit, retries), returning the same future beside a [`StopHandle`]
    /// that stops the task.
    ///
    /// The future stays pool-core's [`TaskFuture`], shared with the thread
    /// backend (which has no process to stop), so it still mixes with
    /// `pool_core::wait` and `as_completed`; the stop is a handle of its
    /// own.
    ///
    /// # Errors
    ///
    /// As [`submit`](ProcessPoolExecutor::submit).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use poolrt::process::{ProcessPoolExecutor, TaskOptions};
    ///
    /// fn spin(_: ()) -> u8 { loop { std::hint::spin_loop() } }
    ///
    /// let executor = ProcessPoolExecutor::new(1).unwrap();
    /// let limited = TaskOptions::new().timeout(Duration::from_millis(100));
    /// let (future, _stop) = executor.submit_with(spin, (), limited).unwrap();
    /// let err = future.result().unwrap_err();
    /// assert!(err.is_task_timed_out(), "{err}");
    /// let (runaway, stop) = executor.submit_with(spin, (), TaskOptions::new()).unwrap();
    /// stop.stop();
    /// assert!(runaway.result().unwrap_err().is_stopped());
    /// ```
    pub fn submit_with<F, A, R>(
        &self,
        f: F,
        arg: A,
        options: TaskOptions,
    ) -> Result<(TaskFuture<R>, StopHandle), Error>
    where
        F: TaskFn<A, R>,
        A: Wire,
        R: Wire,
    {
        let _ = f;
        let stop = Arc::new(StopFlag::default());
        let future = self.links.call::<Apply<F>, A, R>(
            arg,
            "the argument of submit",
            options.limits(Some(&stop)),
        )?;
        Ok((future, StopHandle(stop)))
    }

    /// Results of `f` over the items in order, lazily, with a bounded
    /// number of chunks in flight (chunks grow from 1 item when the input's
    /// length is unknown).
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::ProcessPoolExecutor;
    ///
    /// fn cube(x: i64) -> i64 { x * x * x }
    ///
    /// let executor = ProcessPoolExecutor::new(2).unwrap();
    /// // Lazy: an endless input is fine, only what is consumed is computed.
    /// let cubes: Vec<i64> = executor.map(cube, 1..).take(4).map(Result::unwrap).collect();
    /// assert_eq!(cubes, [1, 8, 27, 64]);
    /// ```
    pub fn map<F, A, R, I>(&self, f: F, items: I) -> IMap<'_, I::IntoIter, R>
    where
        F: TaskFn<A, R>,
        I: IntoIterator<Item = A>,
        A: Wire,
        R: Wire,
    {
        let _ = f;
        self.links
            .map::<Apply<F>, _, _, _>(items, None, Stream(Order::Input, TaskOptions::new()))
    }

    /// [`map`](ProcessPoolExecutor::map) with chunks of `chunksize` items
    /// (Python's `chunksize`).
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::ProcessPoolExecutor;
    ///
    /// fn pid(_: u8) -> u32 { std::process::id() }
    ///
    /// let executor = ProcessPoolExecutor::new(2).unwrap();
    /// let pids: Vec<u32> = executor.map_chunked(pid, 0..6, 3).map(Result::unwrap).collect();
    /// // Each chunk of three items ran in one worker.
    /// assert!(pids[..3].iter().all(|&p| p == pids[0]));
    /// assert!(pids[3..].iter().all(|&p| p == pids[3]));
    /// ```
    pub fn map_chunked<F, A, R, I>(
        &self,
        f: F,
        items: I,
        chunksize: usize,
    ) -> IMap<'_, I::IntoIter, R>
    where
        F: TaskFn<A, R>,
        I: IntoIterator<Item = A>,
        A: Wire,
        R: Wire,
    {
        let _ = f;
        self.links.map::<Apply<F>, _, _, _>(
            items,
            Some(chunksize),
            Stream(Order::Input, TaskOptions::new()),
        )
    }

    /// [`map`](ProcessPoolExecutor::map) (or
    /// [`map_chunked`](ProcessPoolExecutor::map_chunked)) with options: a
    /// time limit and retries for each chunk, and the chunk size.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use poolrt::process::{ProcessPoolExecutor, TaskOptions};
    ///
    /// fn spin_on_one(x: u32) -> u32 { if x == 1 { loop { std::hint::spin_loop() } } x }
    ///
    /// let executor = ProcessPoolExecutor::new(2).unwrap();
    /// let options = TaskOptions::new().timeout(Duration::from_millis(200)).chunksize(1);
    /// let results: Vec<_> = executor.map_with(spin_on_one, 0..3, options).collect();
    /// assert!(results[1].as_ref().unwrap_err().is_task_timed_out());
    /// assert_eq!((*results[0].as_ref().unwrap(), *results[2].as_ref().unwrap()), (0, 2));
    /// ```
    pub fn map_with<F, A, R, I>(
        &self,
        f: F,
        items: I,
        options: TaskOptions,
    ) -> IMap<'_, I::IntoIter, R>
    where
        F: TaskFn<A, R>,
        I: IntoIterator<Item = A>,
        A: Wire,
        R: Wire,
    {
        let _ = f;
        self.links
            .map::<Apply<F>, _, _, _>(items, options.chunks(), Stream(Order::Input, options))
    }

    /// Stops accepting tasks and waits for queued ones and the workers.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::ProcessPoolExecutor;
    ///
    /// let executor = ProcessPoolExecutor::new(1).unwrap();
    /// let future = executor.submit(|x: u8| x + 1, 1).unwrap();
    /// executor.shutdown();
    /// assert!(future.done(), "shutdown waited for the queued task");
    /// assert_eq!(future.result().unwrap(), 2);
    /// assert!(executor.pids().is_empty());
    /// assert!(executor.submit(|x: u8| x, 0).is_err());
    /// ```
    pub fn shutdown(&self) {
        self.shutdown_with(Wait::Yes, CancelFutures::No);
    }

    /// Python's `shutdown(wait, cancel_futures)`; returns how many queued
    /// tasks were cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use std::net::TcpListener;
    /// use poolrt::{CancelFutures, Wait};
    /// use poolrt::process::ProcessPoolExecutor;
    /// # use std::io::Read;
    /// # use std::net::TcpStream;
    /// # /// Connects to the parent and returns the byte it sends.
    /// # fn gated(port: u16) -> u8 {
    /// #     let mut byte = [0];
    /// #     TcpStream::connect(("127.0.0.1", port)).unwrap().read_exact(&mut byte).unwrap();
    /// #     byte[0]
    /// # }
    ///
    /// // `gated(port)` (hidden) returns the byte the parent sends it.
    /// let executor = ProcessPoolExecutor::new(1).unwrap();
    /// let gate = TcpListener::bind("127.0.0.1:0").unwrap();
    /// let port = gate.local_addr().unwrap().port();
    /// let running = executor.submit(gated, port).unwrap();
    /// let (mut conn, _) = gate.accept().unwrap(); // the only worker is busy now
    /// let queued = executor.submit(gated, port).unwrap();
    /// assert_eq!(executor.shutdown_with(Wait::No, CancelFutures::Yes), 1);
    /// assert!(queued.result().unwrap_err().is_cancelled());
    /// conn.write_all(&[7]).unwrap();
    /// assert_eq!(running.result().unwrap(), 7, "the running task finished");
    /// ```
    pub fn shutdown_with(&self, wait: Wait, cancel: CancelFutures) -> usize {
        let cancelled = self.links.close(cancel);
        if wait == Wait::Yes {
            self.links.join(None);
        }
        cancelled
    }

    /// [`shutdown`](ProcessPoolExecutor::shutdown) for async code: refuses
    /// new tasks now and returns at once a future that completes once the
    /// queued tasks have run and the workers have exited. A helper thread
    /// does the waiting, so the thread polling the future is never blocked
    /// and other tasks of the runtime go on.
    ///
    /// Dropping an executor shuts it down and waits, which inside an async
    /// fn blocks the runtime's thread: in async code, await
    /// `shutdown_async` first; the drop then returns at once. The future is
    /// a [`TaskFuture`], so blocking code can also wait on it with a
    /// timeout ([`TaskFuture::wait_timeout`]).
    ///
    /// # Errors
    ///
    /// The future yields [`ErrorKind::Spawn`](pool_core::ErrorKind::Spawn)
    /// when the helper thread could not start.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::ProcessPoolExecutor;
    ///
    /// let executor = ProcessPoolExecutor::new(1).unwrap();
    /// let queued = executor.submit(|x: u8| x + 1, 1).unwrap();
    /// // Any executor: `executor.shutdown_async().await` in tokio.
    /// pool_test_support::block_on(executor.shutdown_async()).unwrap();
    /// assert!(executor.pids().is_empty());
    /// assert_eq!(queued.result().unwrap(), 2, "queued tasks still ran");
    /// assert!(executor.submit(|x: u8| x, 0).is_err());
    /// ```
    #[must_use = "the executor is shut down once the returned future completes"]
    pub fn shutdown_async(&self) -> TaskFuture<()> {
        self.links.close(CancelFutures::No);
        crate::pool::join_in_background(&self.links)
    }

    /// [`shutdown_with`](ProcessPoolExecutor::shutdown_with)`(Wait::Yes,
    /// cancel)` that waits at most `timeout`; returns how many queued tasks
    /// were cancelled. Past the timeout the workers go on; a later
    /// `shutdown` or [`terminate_workers`](ProcessPoolExecutor::terminate_workers)
    /// can follow.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Timeout`](pool_core::ErrorKind::Timeout) when the
    /// workers still run after `timeout`, naming their pids.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use poolrt::CancelFutures;
    /// use poolrt::process::ProcessPoolExecutor;
    ///
    /// fn spin(_: ()) -> u8 { loop { std::hint::spin_loop() } }
    ///
    /// let executor = ProcessPoolExecutor::new(1).unwrap();
    /// let runaway = executor.submit(spin, ()).unwrap();
    /// let err = executor.shutdown_timeout(CancelFutures::No, Duration::from_millis(50)).unwrap_err();
    /// assert!(err.is_timeout());
    /// executor.kill_workers();
    /// assert!(runaway.result().is_err());
    /// ```
    pub fn shutdown_timeout(
        &self,
        cancel: CancelFutures,
        timeout: Duration,
    ) -> Result<usize, Error> {
        let cancelled = self.links.close(cancel);
        if self.links.join(Some(timeout)) {
            Ok(cancelled)
        } else {
            Err(self.links.join_timed_out(timeout))
        }
    }

    /// Stops every worker process with `SIGTERM` at once, then shuts the
    /// executor down (Python 3.14's `terminate_workers`): queued tasks are
    /// cancelled, running ones fail with a shutdown error saying the pool
    /// was terminated. A worker that survives `SIGTERM` for
    /// 2 seconds is killed.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::ProcessPoolExecutor;
    ///
    /// fn spin(_: ()) -> u8 { loop { std::hint::spin_loop() } }
    ///
    /// let executor = ProcessPoolExecutor::new(1).unwrap();
    /// let runaway = executor.submit(spin, ()).unwrap();
    /// executor.terminate_workers();
    /// // Running, it failed ("the pool was terminated"); still queued, it was cancelled.
    /// let err = runaway.result().unwrap_err();
    /// assert!(err.is_cancelled() || err.to_string().contains("terminated"), "{err}");
    /// assert!(executor.pids().is_empty());
    /// assert!(executor.submit(spin, ()).is_err());
    /// ```
    pub fn terminate_workers(&self) {
        self.links.terminate_with(Signal::Terminate);
        if !self.links.join(Some(TERMINATE_GRACE)) {
            self.links.terminate_with(Signal::Kill);
            self.links.join(None);
        }
    }

    /// Like [`terminate_workers`](ProcessPoolExecutor::terminate_workers),
    /// with `SIGKILL` (Python 3.14's `kill_workers`).
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::ProcessPoolExecutor;
    ///
    /// fn spin(_: ()) -> u8 { loop { std::hint::spin_loop() } }
    ///
    /// let executor = ProcessPoolExecutor::new(2).unwrap();
    /// let runaway = executor.submit(spin, ()).unwrap();
    /// executor.kill_workers();
    /// // Running, it failed ("the pool was terminated"); still queued, it was cancelled.
    /// let err = runaway.result().unwrap_err();
    /// assert!(err.is_cancelled() || err.to_string().contains("terminated"), "{err}");
    /// assert!(executor.pids().is_empty());
    /// ```
    pub fn kill_workers(&self) {
        self.links.terminate_with(Signal::Kill);
        self.links.join(None);
    }

    /// The pids of the worker processes alive now.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::ProcessPoolExecutor;
    ///
    /// fn pid(_: ()) -> u32 { std::process::id() }
    ///
    /// let executor = ProcessPoolExecutor::new(1).unwrap();
    /// let worker = executor.submit(pid, ()).unwrap().result().unwrap();
    /// assert_ne!(worker, std::process::id());
    /// assert_eq!(executor.pids(), [worker]);
    /// executor.shutdown();
    /// assert!(executor.pids().is_empty());
    /// ```
    pub fn pids(&self) -> Vec<u32> {
        self.links.pids()
    }

    /// A snapshot of the executor: what
    /// `ThreadPoolExecutor::metrics` gives, plus the worker processes.
    /// See [`ProcessMetrics`].
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::ProcessPoolExecutor;
    ///
    /// let executor = ProcessPoolExecutor::new(2).unwrap();
    /// executor.submit(|x: u8| x, 1).unwrap().result().unwrap();
    /// let m = executor.metrics();
    /// assert_eq!((m.completed, m.failed, m.deaths), (1, 0, 0));
    /// assert_eq!(m.workers.len(), m.alive);
    /// ```
    pub fn metrics(&self) -> ProcessMetrics {
        crate::pool::snapshot(&self.links)
    }
}

impl PoolBuilder {
    /// Builds a [`ProcessPoolExecutor`] with these settings (`processes` is
    /// its `max_workers`).
    ///
    /// # Errors
    ///
    /// As [`build`](PoolBuilder::build).
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::ProcessPoolExecutor;
    ///
    /// let executor = ProcessPoolExecutor::builder().processes(2).build_executor().unwrap();
    /// assert_eq!(executor.submit(|x: i32| -x, 5).unwrap().result().unwrap(), -5);
    /// assert!(ProcessPoolExecutor::builder().processes(0).build_executor().is_err());
    /// ```
    pub fn build_executor(self) -> Result<ProcessPoolExecutor, Error> {
        let (processes, config) = self.into_config()?;
        Ok(ProcessPoolExecutor {
            // Workers start as tasks need them, as Python's executor's do.
            links: Arc::new(LinkPool::on_demand(processes, config)?),
        })
    }
}

impl Drop for ProcessPoolExecutor {
    fn drop(&mut self) {
        self.links.close(CancelFutures::No);
        self.links.join_on_drop("a ProcessPoolExecutor");
    }
}

impl fmt::Debug for ProcessPoolExecutor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProcessPoolExecutor")
            .field("max_workers", &self.links.processes)
            .finish()
    }
}
