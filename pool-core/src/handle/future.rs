//! `TaskFuture<T>`: the handle to a task's eventual value.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use super::core::{Core, WaitOutcome, run_late_callback};
use crate::error::Error;

/// What the scheduler and promises share with a [`TaskFuture`]: the task state,
/// and a way to cancel that also drops the task's closure.
pub(crate) trait Task<T>: Send + Sync {
    fn core(&self) -> &Core<T>;

    fn cancel(&self) -> bool {
        self.core().cancel()
    }

    /// Called by an untimed blocking wait before it waits: a task made by
    /// [`promise_with_help`](crate::promise_with_help) may run its work on
    /// the waiting thread. Nothing by default.
    fn help(&self) {}
}

/// The handle to the eventual result of a task: Python's
/// `concurrent.futures.Future`. (Named `TaskFuture` so that a glob import
/// of poolrt does not shadow `std::future::Future`; search the docs for
/// `Future` and you land here.)
///
/// A future is *pending* until a worker starts it, *running* while it runs,
/// then *finished* (with a value or an error) or *cancelled*. Every blocking
/// method has a timeout variant. A future is also a
/// [`std::future::Future`], so async code can `.await` it from any runtime.
///
/// The value is moved out by the first successful [`result`](TaskFuture::result);
/// later calls report [`ErrorKind::Retrieved`](crate::ErrorKind::Retrieved).
/// Errors can be read any number of times.
///
/// # Examples
///
/// Every executor's `submit` returns one:
///
/// ```
/// use std::time::Duration;
/// use poolrt::thread::ThreadPoolExecutor;
///
/// let executor = ThreadPoolExecutor::new(2).unwrap();
/// let future = executor.submit(|| 6 * 7).unwrap();
/// assert_eq!(future.result_timeout(Duration::from_secs(10)).unwrap(), 42);
/// assert!(future.done());
///
/// // A panic is the future's error, as Python's `future.result()` raises.
/// let failed = executor.submit(|| -> u8 { panic!("no luck") }).unwrap();
/// assert_eq!(failed.result().unwrap_err().panic().unwrap().message(), "no luck");
/// ```
///
/// A [`promise`](crate::promise()) makes one for work done elsewhere:
///
/// ```
/// let (promise, future) = poolrt::promise();
/// assert!(!future.done());
/// promise.set_result(42).unwrap();
/// assert!(future.done());
/// assert_eq!(future.result().unwrap(), 42);
/// ```
#[doc(alias = "Future")]
#[doc(alias = "concurrent.futures.Future")]
pub struct TaskFuture<T> {
    task: Arc<dyn Task<T>>,
}

impl<T> TaskFuture<T> {
    pub(crate) fn from_task(task: Arc<dyn Task<T>>) -> TaskFuture<T> {
        TaskFuture { task }
    }

    pub(crate) fn core(&self) -> &Core<T> {
        self.task.core()
    }

    /// Blocks until the task is done, then moves its value out.
    ///
    /// # Errors
    ///
    /// The task's failure (a panic, cancellation, a broken executor, …), or
    /// [`ErrorKind::Retrieved`](crate::ErrorKind::Retrieved) when the value
    /// was already taken.
    ///
    /// # Examples
    ///
    /// ```
    /// let (promise, future) = poolrt::promise::<u8>();
    /// promise.set_result(7);
    /// assert_eq!(future.result().unwrap(), 7);
    /// assert!(future.result().unwrap_err().kind() == poolrt::ErrorKind::Retrieved);
    /// ```
    pub fn result(&self) -> Result<T, Error> {
        self.task.help();
        self.core().take(None)
    }

    /// Like [`result`](TaskFuture::result), but gives up after `timeout` with an
    /// error for which [`Error::is_timeout`] is true. The task goes on.
    ///
    /// # Errors
    ///
    /// As [`result`](TaskFuture::result), plus the timeout.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let (_promise, future) = poolrt::promise::<u8>();
    /// let err = future.result_timeout(Duration::from_millis(10)).unwrap_err();
    /// assert!(err.is_timeout());
    /// ```
    pub fn result_timeout(&self, timeout: Duration) -> Result<T, Error> {
        self.core().take(deadline(timeout))
    }

    /// Blocks until the task is done and returns its error, or `None` if it
    /// succeeded. A cancelled task returns the cancellation error.
    ///
    /// # Examples
    ///
    /// ```
    /// let (promise, future) = poolrt::promise::<u8>();
    /// promise.set_error(poolrt::Error::from_kind(poolrt::ErrorKind::Broken));
    /// assert!(future.exception().unwrap().is_broken());
    /// ```
    pub fn exception(&self) -> Option<Error> {
        self.core().wait(None);
        self.core().error()
    }

    /// Like [`exception`](TaskFuture::exception), but gives up after `timeout`.
    ///
    /// # Errors
    ///
    /// A timeout error when the task is not done in time.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let (promise, future) = poolrt::promise::<u8>();
    /// assert!(future.exception_timeout(Duration::ZERO).unwrap_err().is_timeout());
    /// promise.set_result(1).unwrap();
    /// assert!(future.exception_timeout(Duration::ZERO).unwrap().is_none());
    /// ```
    pub fn exception_timeout(&self, timeout: Duration) -> Result<Option<Error>, Error> {
        match self.core().wait(deadline(timeout)) {
            WaitOutcome::Ready => Ok(self.core().error()),
            WaitOutcome::TimedOut => Err(Error::timeout(1, 1)),
        }
    }

    /// Blocks until the task is done, without taking its value.
    ///
    /// # Examples
    ///
    /// ```
    /// let (promise, future) = poolrt::promise();
    /// promise.set_result("done");
    /// future.wait();
    /// assert!(future.done());
    /// ```
    pub fn wait(&self) {
        self.task.help();
        self.core().wait(None);
    }

    /// Blocks until the task is done or `timeout` passes; true if done.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let (_promise, future) = poolrt::promise::<()>();
    /// assert!(!future.wait_timeout(Duration::from_millis(1)));
    /// ```
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        self.core().wait(deadline(timeout)) == WaitOutcome::Ready
    }

    /// Busy-waits up to `budget` for the task to be done, without parking;
    /// true if it is. For callers that expect a short task (a process
    /// pool's round trip takes ~10 µs) and would rather spend a little CPU
    /// than the futex round trip of a parked wait.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let (promise, future) = poolrt::promise();
    /// assert!(!future.spin_wait(Duration::from_micros(10)));
    /// promise.set_result(1).unwrap();
    /// assert!(future.spin_wait(Duration::from_micros(10)));
    /// ```
    pub fn spin_wait(&self, budget: Duration) -> bool {
        self.core().spin_wait(budget)
    }

    /// True when the task finished or was cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// let (promise, future) = poolrt::promise();
    /// assert!(!future.done());
    /// promise.set_result(());
    /// assert!(future.done());
    /// ```
    pub fn done(&self) -> bool {
        self.core().is_done()
    }

    /// True once the task finished, failed or was cancelled: Python's [`done`](Self::done), under the name a Rust
    /// programmer looks for first.
    ///
    /// # Examples
    ///
    /// ```
    /// let (promise, future) = poolrt::promise::<u8>();
    /// assert!(!future.is_done());
    /// promise.set_result(1).unwrap();
    /// assert!(future.is_done());
    /// ```
    #[doc(alias = "done")]
    pub fn is_done(&self) -> bool {
        self.done()
    }

    /// True while a worker is running the task.
    ///
    /// # Examples
    ///
    /// ```
    /// let (promise, future) = poolrt::promise::<()>();
    /// assert!(!future.running());
    /// assert!(promise.set_running());
    /// assert!(future.running());
    /// ```
    pub fn running(&self) -> bool {
        self.core().is_running()
    }

    /// True while the task runs: Python's [`running`](Self::running), under the name a Rust
    /// programmer looks for first.
    ///
    /// # Examples
    ///
    /// ```
    /// let (promise, future) = poolrt::promise::<u8>();
    /// assert!(!future.is_running());
    /// assert!(promise.set_running());
    /// assert!(future.is_running());
    /// promise.set_result(1).unwrap();
    /// ```
    #[doc(alias = "running")]
    pub fn is_running(&self) -> bool {
        self.running()
    }

    /// True when the task was cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// let (_promise, future) = poolrt::promise::<()>();
    /// future.cancel();
    /// assert!(future.cancelled());
    /// ```
    pub fn cancelled(&self) -> bool {
        self.core().is_cancelled()
    }

    /// True when the task was cancelled before it ran: Python's [`cancelled`](Self::cancelled), under the name a Rust
    /// programmer looks for first.
    ///
    /// # Examples
    ///
    /// ```
    /// let (promise, future) = poolrt::promise::<u8>();
    /// assert!(future.cancel());
    /// assert!(future.is_cancelled());
    /// drop(promise);
    /// ```
    #[doc(alias = "cancelled")]
    pub fn is_cancelled(&self) -> bool {
        self.cancelled()
    }

    /// Cancels the task if it has not started. True when it is cancelled
    /// (now or before); false when it is running or finished, as in Python.
    ///
    /// Cancelling drops the task's closure at once and runs the
    /// done-callbacks with the cancellation error.
    ///
    /// # Examples
    ///
    /// ```
    /// let (promise, future) = poolrt::promise::<()>();
    /// assert!(future.cancel());
    /// assert!(future.result().unwrap_err().is_cancelled());
    /// assert!(!promise.set_running());
    /// ```
    pub fn cancel(&self) -> bool {
        self.task.cancel() || self.cancelled()
    }
}

impl<T: Send + Sync + 'static> TaskFuture<T> {
    /// Calls `callback` with the outcome once the task is done, like
    /// Python's `add_done_callback`.
    ///
    /// The callback sees the value by reference (or the error). It runs on
    /// the thread that completes the task, in the order callbacks were
    /// added; if the task is already done it runs at once on the calling
    /// thread. A callback that panics is reported through the
    /// [report hook](crate::set_report_hook) and does not disturb the pool.
    ///
    /// A task whose value was already moved out by [`result`](TaskFuture::result)
    /// gives late callbacks an [`ErrorKind::Retrieved`](crate::ErrorKind::Retrieved) error.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::mpsc;
    ///
    /// let (promise, future) = poolrt::promise();
    /// let (tx, rx) = mpsc::channel();
    /// future.add_done_callback(move |outcome| tx.send(*outcome.unwrap()).unwrap());
    /// promise.set_result(5);
    /// assert_eq!(rx.recv().unwrap(), 5);
    /// ```
    pub fn add_done_callback(&self, callback: impl FnOnce(Result<&T, &Error>) + Send + 'static) {
        if let Some(callback) = self.core().register_callback(Box::new(callback)) {
            run_late_callback(self.core(), callback);
        }
    }
}

impl<T> fmt::Debug for TaskFuture<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.cancelled() {
            "cancelled"
        } else if self.done() {
            if self.core().is_failed() {
                "finished (failed)"
            } else {
                "finished"
            }
        } else if self.running() {
            "running"
        } else {
            "pending"
        };
        f.debug_struct("TaskFuture").field("state", &state).finish()
    }
}

impl<T> TaskFuture<T> {
    /// The poll of both `Future` impls: the value once done, else the
    /// waker is registered.
    fn poll_result(&self, cx: &mut Context<'_>) -> Poll<Result<T, Error>> {
        let core = self.core();
        loop {
            if core.is_done()
                && let Some(result) = core.try_take()
            {
                return Poll::Ready(result);
            }
            if core.register_waker(cx.waker()) {
                return Poll::Pending;
            }
        }
    }
}

impl<T> std::future::Future for TaskFuture<T> {
    type Output = Result<T, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.poll_result(cx)
    }
}

/// Awaiting a borrowed future moves the value out as
/// [`result`](TaskFuture::result) does, so the handle stays usable
/// afterwards (for [`exception`](TaskFuture::exception), say). Only one
/// task should await a given future at a time: the last to poll is the one
/// woken.
///
/// # Examples
///
/// ```
/// let (promise, future) = poolrt::promise();
/// promise.set_result(3);
/// assert_eq!(pool_test_support::block_on(&future).unwrap(), 3);
/// assert!(future.done() && future.exception().is_none());
/// ```
impl<T> std::future::Future for &TaskFuture<T> {
    type Output = Result<T, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.poll_result(cx)
    }
}

/// A timeout too large to represent (`Duration::MAX`) waits forever.
fn deadline(timeout: Duration) -> Option<Instant> {
    crate::deadline::after(timeout)
}
