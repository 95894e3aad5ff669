//! `Pool`: Python's `multiprocessing.Pool`, and the machinery it shares
//! with [`ProcessPoolExecutor`](crate::ProcessPoolExecutor).
//!
//! | file | holds |
//! |------|-------|
//! | `mod.rs` | [`Pool`], [`TaskFn`], and [`PoolBuilder::build`] |
//! | `lifecycle.rs` | how a pool ends: `close`, `terminate`, `join`, `join_timeout`, `join_async` |
//! | `links.rs` | `LinkPool`: the scheduler of links, one task or chunk submitted at a time, the result handler, `close`/`join` |
//! | `helped.rs` | the executor's one task, whose future's first wait may run it on the direct lane (`link/lane.rs`) |
//! | `submit.rs` | the map family's one path, `LinkPool::map`, and its deliveries |
//! | `map.rs` | the Python-named map methods, thin wrappers of that path |
//! | `chunks.rs` | chunk sizes, the `Feed` that submits chunks, gathering their outcomes |
//! | `imap.rs` | [`IMap`], the lazy result iterator |
//! | `async_result.rs` | [`AsyncResult`] |
//! | `callbacks.rs` | [`Callbacks`] |
//! | `metrics.rs` | [`ProcessMetrics`], the snapshot `metrics()` returns |
//! | `options.rs` | [`TaskOptions`] (per-call time limit and retries) and which form takes them how; [`StopHandle`] |
//! | `retry.rs` | opt-in retries: which failures, where the task is resent |
//!
//! # Dependency order
//!
//! The front ends depend on the settings, the settings on nothing above
//! the links, so there is no cycle:
//!
//! ```text
//! executor ──> pool ──> builder ──> link, task, wire, sys
//!    │           │
//!    └───────────┴──> pool::links (LinkPool) ──> link, task, wire
//! ```
//!
//! - `builder.rs` defines [`PoolBuilder`] and turns its settings into the
//!   links' configuration (`PoolBuilder::into_config`); it knows neither
//!   `Pool` nor the executor.
//! - `pool/` starts a `LinkPool` from that configuration: here
//!   [`PoolBuilder::build`] lives, beside `Pool`.
//! - `executor.rs` does the same for
//!   [`build_executor`](PoolBuilder::build_executor), and uses `pool/`'s
//!   `LinkPool`, submission path and [`IMap`].

mod async_result;
mod callbacks;
mod chunks;
mod helped;
mod imap;
mod lifecycle;
pub(crate) mod links;
mod map;
mod metrics;
mod options;
mod retry;
pub(crate) mod submit;

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use pool_core::{Error, ErrorKind, TaskFuture};

pub use self::async_result::AsyncResult;
pub use self::callbacks::Callbacks;
pub use self::imap::IMap;
pub(crate) use self::imap::Order;
pub(crate) use self::metrics::snapshot;
pub use self::metrics::{ProcessMetrics, WorkerMetrics};
pub use self::options::{StopHandle, TaskOptions};
use crate::builder::PoolBuilder;
use crate::link::{Limits, StopFlag};
use crate::pool::links::LinkPool;
use crate::task::{Apply, Wire};

const RUNNING: u8 = 0;
const CLOSED: u8 = 1;
const TERMINATED: u8 = 2;

/// A process task: a fn item or a closure that captures nothing, taking
/// and returning serde types.
///
/// # Examples
///
/// ```
/// use poolrt::process::{Pool, TaskFn};
///
/// fn twice<F: TaskFn<u32, u32>>(pool: &Pool, f: F, x: u32) -> u32 {
///     pool.apply(f, pool.apply(f, x).unwrap()).unwrap()
/// }
/// fn inc(x: u32) -> u32 { x + 1 }
///
/// let pool = Pool::new(1).unwrap();
/// assert_eq!(twice(&pool, inc, 1), 3);
/// assert_eq!(twice(&pool, |x: u32| x * 10, 1), 100);
/// ```
pub trait TaskFn<A, R>: Fn(A) -> R + Copy + Send + Sync + 'static {}

impl<F, A, R> TaskFn<A, R> for F where F: Fn(A) -> R + Copy + Send + Sync + 'static {}

/// A pool of worker processes for CPU-bound work, with Python's
/// `multiprocessing.Pool` semantics.
///
/// - Workers are copies of this program, started by re-executing its own
///   binary (never by forking); each runs tasks until the pool closes.
/// - A task is a fn item or a closure that captures nothing (Python
///   cannot ship a lambda; poolrt can ship a non-capturing closure), with
///   serde argument and result types. An argument that cannot be
///   serialized is an error at the call; a result that cannot be is an
///   error of that task only.
/// - A panic in a worker reaches the caller with its message and location;
///   the worker survives it. A worker that dies fails only the task it
///   held, with its pid and exit status, and is replaced.
/// - Callbacks run in the parent on one result-handler thread.
/// - `close` then `join` waits for queued work; `terminate` kills the
///   workers. Dropping the pool closes and joins it; in async code,
///   close it and await [`join_async`](Pool::join_async) first, so the
///   drop does not block the runtime's thread.
///
/// # Examples
///
/// ```
/// use poolrt::process::Pool;
///
/// fn square(x: u64) -> u64 { x * x }
///
/// let pool = Pool::new(2).unwrap();
/// assert_eq!(pool.map(square, 0..10).unwrap(), [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]);
/// assert_eq!(pool.apply(|s: String| s.len(), "hello".to_string()).unwrap(), 5);
/// pool.close();
/// pool.join().unwrap();
/// ```
#[doc(alias = "multiprocessing.Pool")]
pub struct Pool {
    /// Shared with the helper thread of [`Pool::join_async`].
    links: Arc<LinkPool>,
    state: AtomicU8,
}

impl Pool {
    /// A pool of `processes` worker processes, started when it returns
    /// (`pids()` lists them); their handshake goes on in the background
    /// and the first tasks wait for it. See [`PoolBuilder::build`].
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidConfig`] for zero processes.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::Pool;
    ///
    /// let pool = Pool::new(2).unwrap();
    /// assert_eq!(pool.processes(), 2);
    /// assert_eq!(pool.pids().len(), 2);
    /// assert_eq!(pool.apply(|x: u64| x.pow(2), 12).unwrap(), 144);
    /// assert_eq!(Pool::new(0).unwrap_err().kind(), poolrt::ErrorKind::InvalidConfig);
    /// ```
    pub fn new(processes: usize) -> Result<Pool, Error> {
        PoolBuilder::default().processes(processes).build()
    }

    /// A [`PoolBuilder`] for the other settings: `initializer`,
    /// `maxtasksperchild`, `pin_cores`.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::Pool;
    ///
    /// fn pid(_: ()) -> u32 { std::process::id() }
    ///
    /// let pool = Pool::builder().processes(1).maxtasksperchild(1).build().unwrap();
    /// assert_eq!(pool.processes(), 1);
    /// assert_ne!(pool.apply(pid, ()).unwrap(), pool.apply(pid, ()).unwrap());
    /// ```
    pub fn builder() -> PoolBuilder {
        PoolBuilder::default()
    }

    /// The links behind the pool (`link/remote.rs` forwards to them).
    pub(crate) fn link_pool(&self) -> &LinkPool {
        &self.links
    }

    fn check_running(&self) -> Result<(), Error> {
        match self.state.load(Ordering::SeqCst) {
            RUNNING => Ok(()),
            _ => Err(Error::from_kind(ErrorKind::Shutdown).with_detail("the pool is not running")),
        }
    }

    /// Runs `f(arg)` in a worker and waits for the result (Python's
    /// `apply`).
    ///
    /// # Errors
    ///
    /// The task's failure; see [`AsyncResult::get`].
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::Pool;
    ///
    /// fn divide((a, b): (i32, i32)) -> i32 { a / b }
    ///
    /// let pool = Pool::new(1).unwrap();
    /// assert_eq!(pool.apply(divide, (7, 2)).unwrap(), 3);
    /// let err = pool.apply(divide, (1, 0)).unwrap_err();
    /// assert!(err.is_panic());
    /// assert!(err.panic().unwrap().message().contains("divide by zero"));
    /// ```
    pub fn apply<F, A, R>(&self, f: F, arg: A) -> Result<R, Error>
    where
        F: TaskFn<A, R>,
        A: Wire,
        R: Wire + Sync,
    {
        let _ = f;
        self.check_running()?;
        self.links
            .call_blocking::<Apply<F>, A, R>(arg, "the argument of apply", Limits::default())
    }

    /// Starts `f(arg)` in a worker and returns at once (Python's
    /// `apply_async`).
    ///
    /// # Errors
    ///
    /// The pool is closed, or `arg` cannot be serialized.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::Pool;
    ///
    /// fn square(x: u64) -> u64 { x * x }
    ///
    /// let pool = Pool::new(2).unwrap();
    /// let pending: Vec<_> = (1..=3).map(|x| pool.apply_async(square, x).unwrap()).collect();
    /// let values: Vec<u64> = pending.iter().map(|r| r.get().unwrap()).collect();
    /// assert_eq!(values, [1, 4, 9]);
    /// pool.close();
    /// let err = pool.apply_async(square, 4).unwrap_err();
    /// assert_eq!(err.to_string(), "executor has shut down: the pool is not running");
    /// ```
    pub fn apply_async<F, A, R>(&self, f: F, arg: A) -> Result<AsyncResult<R>, Error>
    where
        F: TaskFn<A, R>,
        A: Wire,
        R: Wire + Sync,
    {
        self.apply_async_with(f, arg, Callbacks::new())
    }

    /// [`apply_async`](Pool::apply_async) with `callback` and
    /// `error_callback`, which run in this process on the pool's
    /// result-handler thread.
    ///
    /// # Errors
    ///
    /// As [`apply_async`](Pool::apply_async).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use poolrt::process::{Callbacks, Pool};
    ///
    /// fn checked_sqrt(x: f64) -> f64 { assert!(x >= 0.0, "negative input"); x.sqrt() }
    ///
    /// let pool = Pool::new(1).unwrap();
    /// let (tx, rx) = mpsc::channel();
    /// let callbacks = Callbacks::new().on_error(move |e: &poolrt::Error| tx.send(e.is_panic()).unwrap());
    /// let result = pool.apply_async_with(checked_sqrt, -1.0, callbacks).unwrap();
    /// assert!(result.get().is_err());
    /// assert!(rx.recv().unwrap(), "the error callback saw the panic");
    /// ```
    pub fn apply_async_with<F, A, R>(
        &self,
        f: F,
        arg: A,
        callbacks: Callbacks<R>,
    ) -> Result<AsyncResult<R>, Error>
    where
        F: TaskFn<A, R>,
        A: Wire,
        R: Wire + Sync,
    {
        let _ = f;
        self.check_running()?;
        let stop = Arc::new(StopFlag::default());
        let future = self.links.call::<Apply<F>, A, R>(
            arg,
            "the argument of apply",
            callbacks.limits(&stop),
        )?;
        Ok(AsyncResult::new(&self.links, future, callbacks, stop))
    }

    /// The number of worker processes.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::Pool;
    ///
    /// assert_eq!(Pool::new(2).unwrap().processes(), 2);
    /// let pool = Pool::builder().processes(1).build().unwrap();
    /// assert_eq!(pool.processes(), 1);
    /// ```
    pub fn processes(&self) -> usize {
        self.links.processes
    }

    /// The pids of the worker processes alive now.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::Pool;
    ///
    /// fn pid(_: ()) -> u32 { std::process::id() }
    ///
    /// let pool = Pool::new(1).unwrap();
    /// let worker = pool.apply(pid, ()).unwrap();
    /// assert_ne!(worker, std::process::id());
    /// assert_eq!(pool.pids(), [worker]);
    /// pool.close();
    /// pool.join().unwrap();
    /// assert!(pool.pids().is_empty());
    /// ```
    pub fn pids(&self) -> Vec<u32> {
        self.links.pids()
    }

    /// A snapshot of the pool: the scheduler's view, the worker processes
    /// alive, busy and idle, tasks queued, completed, failed and retried,
    /// worker deaths and replacements, and each worker's pid, tasks and
    /// memory. See [`ProcessMetrics`].
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::Pool;
    ///
    /// fn fail(_: ()) -> u8 { panic!("expected") }
    ///
    /// let pool = Pool::new(1).unwrap();
    /// assert!(pool.apply(fail, ()).is_err());
    /// let m = pool.metrics();
    /// assert_eq!((m.completed, m.failed), (1, 1));
    /// assert_eq!((m.alive, m.queued, m.deaths), (1, 0, 0), "a panic does not kill the worker");
    /// ```
    pub fn metrics(&self) -> ProcessMetrics {
        snapshot(&self.links)
    }
}

impl PoolBuilder {
    /// Builds a [`Pool`] and starts its workers, in parallel: when it
    /// returns, every worker process has been started and
    /// [`pids`](Pool::pids) lists them, as Python's `Pool()` has started
    /// its processes. Their handshake and initializer go on in the
    /// background; the first task waits for them.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidConfig`] for zero processes or a zero
    /// `maxtasksperchild`; [`ErrorKind::Serialize`] if the initializer's
    /// argument cannot be serialized.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::Pool;
    ///
    /// let pool = Pool::builder().processes(2).build().unwrap();
    /// assert_eq!(pool.pids().len(), 2, "started by the time build returns");
    /// assert_eq!(pool.apply(|s: String| s.to_uppercase(), "hi".into()).unwrap(), "HI");
    ///
    /// let err = Pool::builder().processes(0).build().unwrap_err();
    /// assert_eq!(err.to_string(), "invalid configuration: processes must be at least 1, got 0");
    /// let err = Pool::builder().maxtasksperchild(0).build().unwrap_err();
    /// assert_eq!(err.to_string(), "invalid configuration: maxtasksperchild must be at least 1, got 0");
    /// ```
    pub fn build(self) -> Result<Pool, Error> {
        let (processes, config) = self.into_config()?;
        Ok(Pool {
            links: Arc::new(LinkPool::start(processes, config)?),
            state: AtomicU8::new(RUNNING),
        })
    }
}

/// Joins `links` on a helper thread: the returned future completes when
/// the join returns (the async shutdowns of `Pool` and the executor).
pub(crate) fn join_in_background(links: &Arc<LinkPool>) -> TaskFuture<()> {
    let (promise, joined) = pool_core::promise();
    let links = Arc::clone(links);
    let spawned = std::thread::Builder::new()
        .name("poolrt-join".into())
        .spawn(move || {
            links.join(None);
            let _ = promise.set_result(());
        });
    match spawned {
        Ok(_) => joined,
        Err(e) => failed(
            Error::new(ErrorKind::Spawn, e)
                .with_detail("the thread that waits for the workers to exit"),
        ),
    }
}

/// A future that has already failed with `error`.
fn failed(error: Error) -> TaskFuture<()> {
    let (promise, future) = pool_core::promise();
    promise.set_error(error);
    future
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.close();
        self.links.join_on_drop("a Pool");
    }
}

impl fmt::Debug for Pool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool")
            .field("processes", &self.links.processes)
            .field("pids", &self.pids())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The crate's own unit-test harness binary serves as a worker too:
    /// its `.init_array` hook takes the re-executed copy over before the
    /// harness's `main`.
    #[test]
    fn the_unit_test_binary_runs_tasks_in_workers() {
        let pool = Pool::new(1).unwrap();
        let (pid, doubled) = pool
            .apply(|x: u32| (std::process::id(), x * 2), 21)
            .unwrap();
        assert_eq!(doubled, 42);
        assert_ne!(pid, std::process::id(), "the task ran in another process");
        assert_eq!(pool.pids(), [pid]);
        assert_eq!(pool.map(|x: u8| x + 1, 0..4).unwrap(), [1, 2, 3, 4]);
        pool.close();
        pool.join().unwrap();
        assert!(pool.pids().is_empty());
    }
}
