//! [`TaskOptions`]: the per-call hard time limit and retries, and how
//! each submission form takes them.
//!
//! # One options type, one way in per form family
//!
//! Every map already goes through one path (`submit.rs`), which carries
//! the options to each chunk; the options only need a way in where a form
//! had no place for them, one per family:
//!
//! | form | how it takes options |
//! |------|----------------------|
//! | `apply_async_with`, `map_async_with`, `starmap_async_with` | [`Callbacks::timeout`](super::Callbacks::timeout), [`Callbacks::retries`](super::Callbacks::retries) |
//! | `apply`, `map`, `starmap` (and chunked) | their `*_async_with(..).get()`, which is exactly what they run |
//! | `imap`, `imap_unordered` (and chunked) | [`imap_with`](crate::Pool::imap_with), [`imap_unordered_with`](crate::Pool::imap_unordered_with) |
//! | the executor's `map` (and chunked) | [`map_with`](crate::ProcessPoolExecutor::map_with) |
//! | the executor's `submit` | [`submit_with`](crate::ProcessPoolExecutor::submit_with), which also returns a [`StopHandle`] |
//!
//! The lazy maps take the chunk size in the options too, so one `*_with`
//! replaces both a form and its `*_chunked` twin. Two designs were set
//! aside: a method on the returned [`IMap`](super::IMap) cannot work, as
//! the iterator submits its first chunks when it is created (as Python's
//! `imap` does); a borrowed view such as `pool.with(opts).imap(..)`
//! would have repeated every method of the map family.
//!
//! The executor's `submit` returns pool-core's [`TaskFuture`], shared
//! with the thread backend, which has no notion of a worker process to
//! stop; `submit_with` returns that same future beside a [`StopHandle`],
//! so the future still mixes with `pool_core::wait` and `as_completed`.
//!
//! [`TaskFuture`]: pool_core::TaskFuture

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::link::{Limits, StopFlag};

/// Per-call task options: a hard time limit and retries, overriding the
/// pool's [`task_timeout`](crate::PoolBuilder::task_timeout) and
/// [`retries`](crate::PoolBuilder::retries). For a map they apply to each
/// chunk.
///
/// | form | how it takes options |
/// |------|----------------------|
/// | `imap`, `imap_unordered` (and chunked) | [`Pool::imap_with`](crate::Pool::imap_with), [`Pool::imap_unordered_with`](crate::Pool::imap_unordered_with) |
/// | the executor's `map` (and chunked) | [`ProcessPoolExecutor::map_with`](crate::ProcessPoolExecutor::map_with) |
/// | the executor's `submit` | [`ProcessPoolExecutor::submit_with`](crate::ProcessPoolExecutor::submit_with), which also returns a [`StopHandle`] |
/// | `apply_async`, `map_async`, `starmap_async` | their `*_with` forms, through [`Callbacks::timeout`](crate::Callbacks::timeout) and [`Callbacks::retries`](crate::Callbacks::retries) |
/// | `apply`, `map`, `starmap` (and chunked) | `*_async_with(..).get()`, which is exactly what they run |
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use poolrt::process::{Pool, TaskOptions};
///
/// fn spin(x: u64) -> u64 { if x == 3 { loop { std::hint::spin_loop() } } x }
///
/// let pool = Pool::new(2).unwrap();
/// let options = TaskOptions::new().timeout(Duration::from_millis(200));
/// let results: Vec<_> = pool.imap_with(spin, 0..5, options.chunksize(1)).collect();
/// assert!(results[3].as_ref().unwrap_err().is_task_timed_out());
/// assert_eq!(*results[4].as_ref().unwrap(), 4, "only the runaway's chunk failed");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[must_use]
pub struct TaskOptions {
    timeout: Option<Duration>,
    retries: Option<u32>,
    chunksize: Option<usize>,
    buffersize: Option<usize>,
}

impl TaskOptions {
    /// The pool's defaults.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::TaskOptions;
    ///
    /// assert_eq!(TaskOptions::new(), TaskOptions::default());
    /// ```
    pub fn new() -> TaskOptions {
        TaskOptions::default()
    }

    /// A hard time limit for the task (for a map: for each chunk), from
    /// the moment it is sent to a worker. When it passes, the worker is
    /// stopped (`SIGTERM`, a short grace, `SIGKILL`) and replaced, and the
    /// task fails with [`ErrorKind::TaskTimedOut`](pool_core::ErrorKind::TaskTimedOut),
    /// naming the pid and the limit (unless [`retries`](TaskOptions::retries)
    /// resend it).
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
    /// assert!(future.result().unwrap_err().is_task_timed_out());
    /// ```
    pub fn timeout(mut self, limit: Duration) -> TaskOptions {
        self.timeout = Some(limit);
        self
    }

    /// Resends the task (for a map: each chunk on its own) up to `n` more
    /// times when its worker was lost or it passed its time limit; see
    /// [`PoolBuilder::retries`](crate::PoolBuilder::retries), which this
    /// overrides. Panics and returned errors are never retried.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::{Pool, TaskOptions};
    ///
    /// /// Kills its worker the first time (no marker file yet), then succeeds.
    /// fn flaky(marker: String) -> u32 {
    ///     if std::fs::File::create_new(&marker).is_ok() {
    ///         std::process::exit(3);
    ///     }
    ///     7
    /// }
    ///
    /// let marker = std::env::temp_dir().join(format!("poolrt-options-doc-{}", std::process::id()));
    /// let pool = Pool::new(1).unwrap();
    /// let once = TaskOptions::new().retries(1);
    /// let results: Vec<_> = pool.imap_with(flaky, [marker.display().to_string()], once).collect();
    /// assert_eq!(*results[0].as_ref().unwrap(), 7);
    /// std::fs::remove_file(marker).unwrap();
    /// ```
    pub fn retries(mut self, n: u32) -> TaskOptions {
        self.retries = Some(n);
        self
    }

    /// For the lazy maps ([`imap_with`](crate::Pool::imap_with),
    /// [`imap_unordered_with`](crate::Pool::imap_unordered_with), the
    /// executor's [`map_with`](crate::ProcessPoolExecutor::map_with)):
    /// chunks of `n` items, as the `*_chunked` forms take, instead of the
    /// default sizes. A one-task form (`submit_with`) has no chunks and
    /// ignores it.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::{Pool, TaskOptions};
    ///
    /// fn pid(_: u8) -> u32 { std::process::id() }
    ///
    /// let pool = Pool::new(2).unwrap();
    /// let pids: Vec<u32> = pool.imap_with(pid, 0..6, TaskOptions::new().chunksize(3)).map(Result::unwrap).collect();
    /// // Each chunk of three items ran in one worker.
    /// assert!(pids[..3].iter().all(|&p| p == pids[0]));
    /// assert!(pids[3..].iter().all(|&p| p == pids[3]));
    /// ```
    pub fn chunksize(mut self, n: usize) -> TaskOptions {
        self.chunksize = Some(n);
        self
    }

    /// For the lazy maps: at most `n` chunks submitted ahead of the
    /// results consumed (Python 3.14's `Executor.map(buffersize=…)`,
    /// which counts chunks too), instead of eight per worker (two for an
    /// input of unknown length, whose chunks grow).
    /// 0 is refused, as Python refuses it: the map's first item is an
    /// [`ErrorKind::InvalidConfig`](pool_core::ErrorKind::InvalidConfig)
    /// error.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::{ProcessPoolExecutor, TaskOptions};
    ///
    /// fn square(x: u64) -> u64 { x * x }
    ///
    /// let executor = ProcessPoolExecutor::new(2).unwrap();
    /// // One chunk of one item in flight at a time: an endless input is fine.
    /// let one_ahead = TaskOptions::new().buffersize(1).chunksize(1);
    /// let first: Vec<u64> = executor.map_with(square, 1.., one_ahead).take(3).map(Result::unwrap).collect();
    /// assert_eq!(first, [1, 4, 9]);
    /// ```
    pub fn buffersize(mut self, n: usize) -> TaskOptions {
        self.buffersize = Some(n);
        self
    }

    /// How many chunks a lazy map with these options keeps in flight, if
    /// set.
    pub(crate) fn buffer(&self) -> Option<usize> {
        self.buffersize
    }

    /// The chunk size a lazy map with these options uses, if set.
    pub(crate) fn chunks(&self) -> Option<usize> {
        self.chunksize
    }

    /// The bounds of a task with these options, stoppable through `stop`.
    pub(crate) fn limits(&self, stop: Option<&Arc<StopFlag>>) -> Limits {
        Limits {
            timeout: self.timeout,
            stop: stop.cloned(),
            retries: self.retries,
        }
    }
}

/// Stops one task submitted with
/// [`ProcessPoolExecutor::submit_with`](crate::ProcessPoolExecutor::submit_with),
/// as [`AsyncResult::stop`](crate::AsyncResult::stop) does.
///
/// # Examples
///
/// ```
/// use poolrt::process::{ProcessPoolExecutor, TaskOptions};
///
/// fn spin(_: ()) -> u8 { loop { std::hint::spin_loop() } }
///
/// let executor = ProcessPoolExecutor::new(1).unwrap();
/// let (runaway, stop) = executor.submit_with(spin, (), TaskOptions::new()).unwrap();
/// stop.stop();
/// assert!(runaway.result().unwrap_err().is_stopped());
/// assert_eq!(executor.submit(|x: u8| x + 1, 1).unwrap().result().unwrap(), 2);
/// ```
#[derive(Clone)]
pub struct StopHandle(pub(crate) Arc<StopFlag>);

impl StopHandle {
    /// Stops the task: a running one has its worker process stopped
    /// (`SIGTERM`, a short grace, `SIGKILL`) and replaced; a queued one is
    /// not started. The task then fails with
    /// [`ErrorKind::Stopped`](pool_core::ErrorKind::Stopped) and is never
    /// retried; a task that had finished keeps its outcome. Returns at
    /// once.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::{ProcessPoolExecutor, TaskOptions};
    ///
    /// let executor = ProcessPoolExecutor::new(1).unwrap();
    /// let (done, stop) = executor.submit_with(|x: u8| x * 2, 4, TaskOptions::new()).unwrap();
    /// assert_eq!(done.result().unwrap(), 8);
    /// stop.stop();
    /// assert_eq!(done.result().unwrap_err().kind(), poolrt::ErrorKind::Retrieved, "it kept its outcome");
    /// ```
    pub fn stop(&self) {
        self.0.request();
    }
}

impl fmt::Debug for StopHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StopHandle")
            .field("requested", &self.0.requested())
            .finish()
    }
}
