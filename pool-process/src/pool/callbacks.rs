//! `Callbacks`: Python's `callback` and `error_callback` of
//! `apply_async` / `map_async`, with the per-call options.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use pool_core::Error;

use super::options::TaskOptions;
use crate::link::{Limits, StopFlag};

type OnResult<R> = Box<dyn FnOnce(&R) + Send>;
type OnError = Box<dyn FnOnce(&Error) + Send>;

/// Python's `callback` and `error_callback`: run in the parent, on the
/// pool's single result-handler thread, in the order tasks complete. A
/// callback that panics is reported through the report hook and the
/// handler goes on.
///
/// # Examples
///
/// ```
/// use std::sync::mpsc;
/// use poolrt::process::{Callbacks, Pool};
///
/// fn square(x: u64) -> u64 { x * x }
///
/// let pool = Pool::new(2).unwrap();
/// let (tx, rx) = mpsc::channel();
/// let result = pool
///     .apply_async_with(square, 7, Callbacks::new().on_result(move |v: &u64| tx.send(*v).unwrap()))
///     .unwrap();
/// assert_eq!(result.get().unwrap(), 49);
/// assert_eq!(rx.recv().unwrap(), 49, "the callback ran before get returned");
/// ```
#[must_use]
pub struct Callbacks<R> {
    pub(super) on_result: Option<OnResult<R>>,
    pub(super) on_error: Option<OnError>,
    options: TaskOptions,
}

impl<R> Default for Callbacks<R> {
    fn default() -> Self {
        Callbacks {
            on_result: None,
            on_error: None,
            options: TaskOptions::new(),
        }
    }
}

impl<R> Callbacks<R> {
    /// No callbacks yet.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::{Callbacks, Pool};
    ///
    /// let pool = Pool::new(1).unwrap();
    /// // No callbacks: the same as `apply_async`.
    /// let result = pool.apply_async_with(|x: u8| x * 2, 4, Callbacks::new()).unwrap();
    /// assert_eq!(result.get().unwrap(), 8);
    /// ```
    pub fn new() -> Self {
        Callbacks::default()
    }

    /// Called with the value when the task succeeds (Python's `callback`).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use poolrt::process::{Callbacks, Pool};
    ///
    /// let pool = Pool::new(1).unwrap();
    /// let (tx, rx) = mpsc::channel();
    /// let callbacks = Callbacks::new().on_result(move |s: &String| tx.send(s.clone()).unwrap());
    /// let result = pool.apply_async_with(|s: String| s.repeat(2), "ab".to_string(), callbacks).unwrap();
    /// result.wait();
    /// assert_eq!(rx.try_recv().unwrap(), "abab", "ready means the callback has run");
    /// ```
    #[doc(alias = "callback")]
    pub fn on_result(mut self, f: impl FnOnce(&R) + Send + 'static) -> Self {
        self.on_result = Some(Box::new(f));
        self
    }

    /// Called with the error when the task fails (Python's
    /// `error_callback`).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use poolrt::process::{Callbacks, Pool};
    ///
    /// fn fail(_: ()) -> u8 { panic!("nope") }
    ///
    /// let pool = Pool::new(1).unwrap();
    /// let (tx, rx) = mpsc::channel();
    /// let on_error = move |e: &poolrt::Error| tx.send(e.panic().unwrap().message().to_owned()).unwrap();
    /// let result = pool.apply_async_with(fail, (), Callbacks::new().on_error(on_error)).unwrap();
    /// assert!(result.get().unwrap_err().is_panic());
    /// assert_eq!(rx.try_recv().unwrap(), "nope");
    /// ```
    #[doc(alias = "error_callback")]
    pub fn on_error(mut self, f: impl FnOnce(&Error) + Send + 'static) -> Self {
        self.on_error = Some(Box::new(f));
        self
    }

    /// A hard time limit for the task (for a map: for each of its
    /// chunks), overriding the pool's
    /// [`task_timeout`](crate::PoolBuilder::task_timeout). When it
    /// passes, the worker running the task is stopped (`SIGTERM`, a short
    /// grace, `SIGKILL`) and replaced, and the task fails with
    /// [`ErrorKind::TaskTimedOut`](pool_core::ErrorKind::TaskTimedOut), naming the pid and the limit. Other
    /// tasks are not affected.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use poolrt::process::{Callbacks, Pool};
    ///
    /// fn spin(_: ()) -> u8 { loop { std::hint::spin_loop() } }
    ///
    /// let pool = Pool::new(1).unwrap();
    /// let limited = Callbacks::new().timeout(Duration::from_millis(100));
    /// let err = pool.apply_async_with(spin, (), limited).unwrap().get().unwrap_err();
    /// assert!(err.is_task_timed_out(), "{err}");
    /// assert_eq!(pool.apply(|x: u8| x + 1, 1).unwrap(), 2, "the pool carries on");
    /// ```
    pub fn timeout(mut self, limit: Duration) -> Self {
        self.options = self.options.timeout(limit);
        self
    }

    /// Resends the task (for a map: each chunk on its own) up to `n` more
    /// times when its worker was lost or it passed its time limit,
    /// overriding the pool's [`retries`](crate::PoolBuilder::retries);
    /// panics and returned errors are never retried. See
    /// [`TaskOptions::retries`].
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::{Callbacks, Pool};
    ///
    /// /// Kills its worker the first time (no marker file yet), then succeeds.
    /// fn flaky(marker: String) -> u32 {
    ///     if std::fs::File::create_new(&marker).is_ok() {
    ///         std::process::exit(3);
    ///     }
    ///     7
    /// }
    ///
    /// let marker = std::env::temp_dir().join(format!("poolrt-callbacks-doc-{}", std::process::id()));
    /// let pool = Pool::new(1).unwrap();
    /// let arg = marker.display().to_string();
    /// let result = pool.apply_async_with(flaky, arg, Callbacks::new().retries(1)).unwrap();
    /// assert_eq!(result.get().unwrap(), 7);
    /// std::fs::remove_file(marker).unwrap();
    /// ```
    pub fn retries(mut self, n: u32) -> Self {
        self.options = self.options.retries(n);
        self
    }

    /// The bounds of the task these callbacks go with: their options, and
    /// `stop`.
    pub(crate) fn limits(&self, stop: &Arc<StopFlag>) -> Limits {
        self.options.limits(Some(stop))
    }

    pub(super) fn is_empty(&self) -> bool {
        self.on_result.is_none() && self.on_error.is_none()
    }
}

impl<R> fmt::Debug for Callbacks<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Callbacks")
            .field("on_result", &self.on_result.is_some())
            .field("on_error", &self.on_error.is_some())
            .field("options", &self.options)
            .finish()
    }
}
