//! `Promise<T>`: the producing side of a [`TaskFuture`] completed by hand.

use std::fmt;
use std::sync::Arc;

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

/// Work behind a [`promise_with_help`] future that a waiter may do on its
/// own thread.
pub trait Help: Send + Sync {
    /// Called by each untimed blocking wait on the future
    /// ([`result`](TaskFuture::result), [`wait`](TaskFuture::wait)) before
    /// it waits, while the future is not done. It may settle the promise
    /// there (a process pool runs the task's round trip on the waiter's
    /// thread when a worker is idle), or do nothing. It must not wait for
    /// anything the future's producer could be waiting for.
    fn help(&self);

    /// Called once the future's [`cancel`](TaskFuture::cancel) succeeds
    /// (to drop the queued work behind it).
    fn cancelled(&self) {}
}

/// A promise's future with a [`Help`].
struct Helped<T> {
    core: Arc<Core<T>>,
    helper: Arc<dyn Help>,
}

impl<T: Send> Task<T> for Helped<T> {
    fn core(&self) -> &Core<T> {
        &self.core
    }

    fn help(&self) {
        if !self.core.is_done() {
            self.helper.help();
        }
    }

    fn cancel(&self) -> bool {
        let cancelled = self.core.cancel();
        if cancelled {
            self.helper.cancelled();
        }
        cancelled
    }
}

/// Like [`promise`], with a `helper` whose work an untimed wait on the
/// future may do first, on the waiting thread ([`Help`]).
///
/// # Examples
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use poolrt::{Help, Promise};
///
/// /// Work anyone may do: the first to take the promise.
/// struct Answer(Mutex<Option<Promise<u32>>>);
///
/// impl Help for Answer {
///     fn help(&self) {
///         if let Some(promise) = self.0.lock().unwrap().take() {
///             let _ = promise.set_result(6 * 7);
///         }
///     }
/// }
///
/// let answer = Arc::new(Answer(Mutex::new(None)));
/// let (promise, future) = poolrt::promise_with_help(answer.clone());
/// *answer.0.lock().unwrap() = Some(promise);
/// // Done on this thread, by the wait.
/// assert_eq!(future.result().unwrap(), 42);
/// ```
pub fn promise_with_help<T: Send + 'static>(helper: Arc<dyn Help>) -> (Promise<T>, TaskFuture<T>) {
    let core = Arc::new(Core::new());
    let future = TaskFuture::from_task(Arc::new(Helped {
        core: core.clone(),
        helper,
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
