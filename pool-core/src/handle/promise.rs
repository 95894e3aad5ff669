//! `Promise<T>`: the producing side of a [`TaskFuture`] completed by hand.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use super::core::Core;
use super::future::{Task, TaskFuture};
use crate::error::{Error, ErrorKind};

impl<T: Send> Task<T> for Core<T> {
    fn core(&self) -> &Core<T> {
        self
    }
}

/// The side of a future that sets its outcome, for work that does not run as
/// a closure on a pool (a reply from another process, a callback-based API).
///
/// Made in a pair with its [`TaskFuture`] by [`promise`]. Dropping a promise
/// without setting an outcome fails the future with
/// [`ErrorKind::Abandoned`], so a waiter never hangs on a producer that went
/// away.
///
/// # Examples
///
/// ```
/// let (promise, future) = poolrt::promise();
/// std::thread::spawn(move || promise.set_result("hello"));
/// assert_eq!(future.result().unwrap(), "hello");
/// ```
pub struct Promise<T: Send + 'static> {
    core: Arc<Core<T>>,
}

/// Makes a connected [`Promise`] and [`TaskFuture`] pair.
///
/// # Examples
///
/// ```
/// let (promise, future) = poolrt::promise::<u32>();
/// drop(promise);
/// assert_eq!(future.result().unwrap_err().kind(), poolrt::ErrorKind::Abandoned);
/// ```
pub fn promise<T: Send + 'static>() -> (Promise<T>, TaskFuture<T>) {
    let core = Arc::new(Core::new());
    let future = TaskFuture::from_task(core.clone());
    (Promise { core }, future)
}

/// A promise's future with work that a waiter may run itself
/// ([`promise_with_help`]).
struct Helped<T> {
    core: Arc<Core<T>>,
    help: Hook,
    on_cancel: Hook,
}

/// A closure called at most once.
type Hook = Mutex<Option<Box<dyn FnOnce() + Send>>>;

fn call_once(hook: &Hook) {
    let hook = hook.lock().unwrap_or_else(PoisonError::into_inner).take();
    if let Some(hook) = hook {
        hook();
    }
}

impl<T: Send> Task<T> for Helped<T> {
    fn core(&self) -> &Core<T> {
        &self.core
    }

    fn help(&self) {
        if !self.core.is_done() {
            call_once(&self.help);
        }
    }

    fn cancel(&self) -> bool {
        let cancelled = self.core.cancel();
        if cancelled {
            call_once(&self.on_cancel);
        }
        cancelled
    }
}

/// Like [`promise`], with `help`: the first untimed blocking wait on the
/// future ([`result`](TaskFuture::result), [`wait`](TaskFuture::wait))
/// calls it on the waiting thread before it waits, at most once. The
/// producer of the outcome may then settle the promise on the waiter's
/// thread instead of waking it (a process pool runs the task's round trip
/// there when a worker is idle). `help` must not wait for anything the
/// future's producer could be waiting for. `on_cancel` is called once
/// the future's [`cancel`](TaskFuture::cancel) succeeds (to drop the
/// queued work behind it).
///
/// # Examples
///
/// ```
/// use std::sync::{Arc, Mutex};
///
/// let slot = Arc::new(Mutex::new(None));
/// let for_help = slot.clone();
/// let (promise, future) = poolrt::promise_with_help(
///     move || {
///         // Runs the work on the waiter's thread, if nobody took it yet.
///         if let Some(promise) = for_help.lock().unwrap().take() {
///             let _ = poolrt::Promise::set_result(promise, 6 * 7);
///         }
///     },
///     || {},
/// );
/// *slot.lock().unwrap() = Some(promise);
/// assert_eq!(future.result().unwrap(), 42);
/// ```
pub fn promise_with_help<T: Send + 'static>(
    help: impl FnOnce() + Send + 'static,
    on_cancel: impl FnOnce() + Send + 'static,
) -> (Promise<T>, TaskFuture<T>) {
    let core = Arc::new(Core::new());
    let future = TaskFuture::from_task(Arc::new(Helped {
        core: core.clone(),
        help: Mutex::new(Some(Box::new(help))),
        on_cancel: Mutex::new(Some(Box::new(on_cancel))),
    }));
    (Promise { core }, future)
}

impl<T: Send + 'static> Promise<T> {
    /// Cancels the future if it has not started running (its work will
    /// never run). False if it was running or done.
    ///
    /// # Examples
    ///
    /// ```
    /// let (promise, future) = poolrt::promise::<u8>();
    /// assert!(promise.cancel());
    /// assert!(future.cancelled());
    /// ```
    pub fn cancel(self) -> bool {
        self.core.cancel()
    }

    /// Marks the future running, like Python's
    /// `set_running_or_notify_cancel`. False if it was cancelled first; the
    /// work should then be skipped.
    ///
    /// # Examples
    ///
    /// ```
    /// let (promise, future) = poolrt::promise::<()>();
    /// assert!(promise.set_running());
    /// assert!(!future.cancel());
    /// ```
    #[doc(alias = "set_running_or_notify_cancel")]
    pub fn set_running(&self) -> bool {
        self.core.start() || self.core.is_running()
    }

    /// Completes the future with `value`. Returns the value back if the
    /// future was cancelled before it started running.
    ///
    /// # Errors
    ///
    /// The value itself, when the future had been cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// let (promise, future) = poolrt::promise();
    /// promise.set_result(3).unwrap();
    /// assert_eq!(future.result().unwrap(), 3);
    /// ```
    pub fn set_result(self, value: T) -> Result<(), T> {
        if self.claim() {
            self.core.complete(Ok(value));
            Ok(())
        } else {
            Err(value)
        }
    }

    /// Fails the future with `error`. False if the future had been
    /// cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{Error, ErrorKind};
    ///
    /// let (promise, future) = poolrt::promise::<()>();
    /// assert!(promise.set_error(Error::from_kind(ErrorKind::WorkerLost)));
    /// assert!(future.result().unwrap_err().is_worker_lost());
    /// ```
    pub fn set_error(self, error: Error) -> bool {
        if self.claim() {
            self.core.complete(Err(error));
            true
        } else {
            false
        }
    }

    /// Claims the right to complete: true when running (now or already) and
    /// not yet done.
    fn claim(&self) -> bool {
        self.core.start() || (self.core.is_running())
    }
}

impl<T: Send + 'static> Drop for Promise<T> {
    fn drop(&mut self) {
        if !self.core.is_done() && self.claim() {
            self.core
                .complete(Err(Error::from_kind(ErrorKind::Abandoned)));
        }
    }
}

impl<T: Send + 'static> fmt::Debug for Promise<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Promise")
            .field("done", &self.core.is_done())
            .finish()
    }
}
