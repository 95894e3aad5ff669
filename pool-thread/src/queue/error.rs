//! The queue family's errors: [`PutError`] and [`GetError`] (pool-core's,
//! shared with the process backend), [`TaskDoneError`], and the old
//! [`ShutDown`] and [`Empty`].
//!
//! Errors of a put hand the item back (`into_inner`), so a refused item is
//! never dropped behind the caller's back.

use std::error::Error as StdError;
use std::fmt;

pub use pool_core::{GetError, PutError};

/// The queue was shut down (Python's `queue.ShutDown`): the error of the
/// calls that wait without a deadline, [`put`](crate::Queue::put) (which
/// hands the item back) and [`get`](crate::Queue::get).
///
/// # Examples
///
/// ```
/// use poolrt::thread::{Immediate, Queue};
///
/// let q = Queue::new(0).unwrap();
/// q.shutdown(Immediate::No);
/// let err = q.put("late").unwrap_err();
/// assert_eq!(err.to_string(), "queue is shut down");
/// assert_eq!(err.into_inner(), "late");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Default)]
#[doc(alias = "queue.ShutDown")]
#[deprecated(note = "`put` and `get` return PutError and GetError, as in the process backend")]
pub struct ShutDown<T = ()>(pub T);

#[allow(deprecated)]
impl<T> ShutDown<T> {
    /// The item that was not put (`()` for a get).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(poolrt::thread::ShutDown(5).into_inner(), 5);
    /// ```
    pub fn into_inner(self) -> T {
        self.0
    }
}

#[allow(deprecated)]
impl<T> fmt::Debug for ShutDown<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ShutDown(..)")
    }
}

#[allow(deprecated)]
impl<T> fmt::Display for ShutDown<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("queue is shut down")
    }
}

#[allow(deprecated)]
impl<T> StdError for ShutDown<T> {}

#[allow(deprecated)]
impl<T> From<ShutDown<T>> for PutError<T> {
    fn from(err: ShutDown<T>) -> PutError<T> {
        PutError::ShutDown(err.0)
    }
}

#[allow(deprecated)]
impl From<ShutDown> for GetError {
    fn from(_: ShutDown) -> GetError {
        GetError::ShutDown
    }
}

/// A get from a [`SimpleQueue`](crate::SimpleQueue) that found nothing
/// (Python's `queue.Empty`).
///
/// # Examples
///
/// ```
/// let q: poolrt::thread::SimpleQueue<u8> = poolrt::thread::SimpleQueue::new().unwrap();
/// assert!(q.get_nowait().unwrap_err().is_empty());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[doc(alias = "queue.Empty")]
#[deprecated(note = "SimpleQueue's gets return GetError, as in the process backend")]
pub struct Empty;

#[allow(deprecated)]
impl fmt::Display for Empty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("queue is empty")
    }
}

#[allow(deprecated)]
impl StdError for Empty {}

#[allow(deprecated)]
impl From<Empty> for GetError {
    fn from(_: Empty) -> GetError {
        GetError::Empty
    }
}

/// `task_done` was called more times than items were taken (Python's
/// `ValueError`). Nothing changed.
///
/// # Examples
///
/// ```
/// let q: poolrt::thread::Queue<u8> = poolrt::thread::Queue::new(0).unwrap();
/// let err = q.task_done().unwrap_err();
/// assert_eq!(err.to_string(), "task_done() called too many times");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct TaskDoneError;

impl fmt::Display for TaskDoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("task_done() called too many times")
    }
}

impl StdError for TaskDoneError {}
