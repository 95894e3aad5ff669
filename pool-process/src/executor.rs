//! `ProcessPoolExecutor`: Python's `concurrent.futures.ProcessPoolExecutor`.

use std::fmt;

use pool_core::{CancelFutures, Error, TaskFuture, Wait};

use crate::builder::Builder;
use crate::engine::Engine;
use crate::pool::{IMap, Order, TaskFn};
use crate::task::{Apply, Wire};

/// A process pool with the `concurrent.futures` interface: `submit`
/// returns the same [`TaskFuture`] the thread backend returns (awaitable from
/// any async runtime), plus `map` and `shutdown`.
///
/// # Examples
///
/// ```
/// use pool_process::ProcessPoolExecutor;
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
    engine: Engine,
}

impl ProcessPoolExecutor {
    /// An executor with `max_workers` worker processes, started now.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidConfig`](pool_core::ErrorKind::InvalidConfig)
    /// for zero workers.
    pub fn new(max_workers: usize) -> Result<ProcessPoolExecutor, Error> {
        Builder::default().processes(max_workers).build_executor()
    }

    /// A [`Builder`]; finish it with [`Builder::build_executor`].
    pub fn builder() -> Builder {
        Builder::default()
    }

    pub(crate) fn from_engine(engine: Engine) -> ProcessPoolExecutor {
        ProcessPoolExecutor { engine }
    }

    /// Schedules `f(arg)` in a worker process and returns its future.
    ///
    /// # Errors
    ///
    /// After shutdown, or when `arg` cannot be serialized.
    pub fn submit<F, A, R>(&self, f: F, arg: A) -> Result<TaskFuture<R>, Error>
    where
        F: TaskFn<A, R>,
        A: Wire,
        R: Wire,
    {
        let _ = f;
        self.engine
            .call::<Apply<F>, A, R>(arg, "the argument of submit")
    }

    /// Results of `f` over the items in order, lazily, with a bounded
    /// number of chunks in flight (chunks grow from 1 item when the input's
    /// length is unknown).
    pub fn map<F, A, R, I>(&self, f: F, items: I) -> IMap<'_, I::IntoIter, R>
    where
        F: TaskFn<A, R>,
        I: IntoIterator<Item = A>,
        A: Wire,
        R: Wire,
    {
        self.map_chunked_opt(f, items, None)
    }

    /// [`map`](ProcessPoolExecutor::map) with chunks of `chunksize` items
    /// (Python's `chunksize`).
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
        self.map_chunked_opt(f, items, Some(chunksize))
    }

    fn map_chunked_opt<F, A, R, I>(
        &self,
        f: F,
        items: I,
        chunksize: Option<usize>,
    ) -> IMap<'_, I::IntoIter, R>
    where
        F: TaskFn<A, R>,
        I: IntoIterator<Item = A>,
        A: Wire,
        R: Wire,
    {
        let _ = f;
        IMap::new(
            &self.engine,
            items.into_iter(),
            |engine, items, first| engine.chunk::<Apply<F>, A, R>(items, first),
            chunksize,
            Order::Input,
        )
    }

    /// Stops accepting tasks and waits for queued ones and the workers.
    pub fn shutdown(&self) {
        self.shutdown_with(Wait::Yes, CancelFutures::No);
    }

    /// Python's `shutdown(wait, cancel_futures)`; returns how many queued
    /// tasks were cancelled.
    pub fn shutdown_with(&self, wait: Wait, cancel: CancelFutures) -> usize {
        let cancelled = self.engine.close(cancel);
        if wait == Wait::Yes {
            self.engine.join();
        }
        cancelled
    }

    /// The pids of the worker processes alive now.
    pub fn pids(&self) -> Vec<u32> {
        self.engine.pids()
    }
}

impl Drop for ProcessPoolExecutor {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl fmt::Debug for ProcessPoolExecutor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProcessPoolExecutor")
            .field("max_workers", &self.engine.processes)
            .finish()
    }
}
