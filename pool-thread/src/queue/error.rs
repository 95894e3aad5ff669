//! The queue family's errors: [`PutError`], [`GetError`], [`ShutDown`],
//! [`Empty`] and [`TaskDoneError`].
//!
//! Errors of a put hand the item back (`into_inner`), so a refused item is
//! never dropped behind the caller's back.

use std::error::Error as StdError;
use std::fmt;

/// A put that did not happen; the item is handed back.
///
/// Python raises `queue.Full` or `queue.ShutDown` for these.
///
/// # Examples
///
/// ```
/// use pool_thread::{PutError, Queue};
///
/// let q = Queue::new(1);
/// q.put_nowait("a").unwrap();
/// match q.put_nowait("b") {
///     Err(PutError::Full(item)) => assert_eq!(item, "b"),
///     other => panic!("{other:?}"),
/// }
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum PutError<T> {
    /// The queue stayed full until the deadline (Python's `queue.Full`).
    #[doc(alias = "queue.Full")]
    Full(T),
    /// The queue was shut down (Python's `queue.ShutDown`).
    #[doc(alias = "queue.ShutDown")]
    ShutDown(T),
}

impl<T> PutError<T> {
    /// The item that was not put.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_thread::Queue::new(1);
    /// q.put(1).unwrap();
    /// assert_eq!(q.put_nowait(2).unwrap_err().into_inner(), 2);
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            PutError::Full(item) | PutError::ShutDown(item) => item,
        }
    }

    /// True when the queue was full.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_thread::Queue::new(1);
    /// q.put(1).unwrap();
    /// assert!(q.put_nowait(2).unwrap_err().is_full());
    /// ```
    pub fn is_full(&self) -> bool {
        matches!(self, PutError::Full(_))
    }

    /// True when the queue was shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// use pool_thread::{Immediate, Queue};
    ///
    /// let q = Queue::new(0);
    /// q.shutdown(Immediate::No);
    /// assert!(q.put_nowait(1).unwrap_err().is_shutdown());
    /// ```
    pub fn is_shutdown(&self) -> bool {
        matches!(self, PutError::ShutDown(_))
    }
}

impl<T> From<ShutDown<T>> for PutError<T> {
    fn from(err: ShutDown<T>) -> PutError<T> {
        PutError::ShutDown(err.0)
    }
}

impl<T> fmt::Debug for PutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PutError::Full(_) => "Full(..)",
            PutError::ShutDown(_) => "ShutDown(..)",
        })
    }
}

impl<T> fmt::Display for PutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PutError::Full(_) => "queue is full",
            PutError::ShutDown(_) => "queue is shut down",
        })
    }
}

impl<T> StdError for PutError<T> {}

/// A get that found nothing.
///
/// # Examples
///
/// ```
/// use pool_thread::{GetError, Queue};
///
/// let q: Queue<u8> = Queue::new(0);
/// assert_eq!(q.get_nowait(), Err(GetError::Empty));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GetError {
    /// The queue stayed empty until the deadline (Python's `queue.Empty`).
    #[doc(alias = "queue.Empty")]
    Empty,
    /// The queue was shut down and holds nothing more (Python's
    /// `queue.ShutDown`).
    #[doc(alias = "queue.ShutDown")]
    ShutDown,
}

impl GetError {
    /// True when the queue was empty.
    ///
    /// # Examples
    ///
    /// ```
    /// let q: pool_thread::LifoQueue<u8> = pool_thread::LifoQueue::new(0);
    /// assert!(q.get_nowait().unwrap_err().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        *self == GetError::Empty
    }

    /// True when the queue was shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// use pool_thread::{Immediate, Queue};
    ///
    /// let q: Queue<u8> = Queue::new(0);
    /// q.shutdown(Immediate::No);
    /// assert!(q.get_nowait().unwrap_err().is_shutdown());
    /// ```
    pub fn is_shutdown(&self) -> bool {
        *self == GetError::ShutDown
    }
}

impl From<ShutDown> for GetError {
    fn from(_: ShutDown) -> GetError {
        GetError::ShutDown
    }
}

impl From<Empty> for GetError {
    fn from(_: Empty) -> GetError {
        GetError::Empty
    }
}

impl fmt::Display for GetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GetError::Empty => "queue is empty",
            GetError::ShutDown => "queue is shut down",
        })
    }
}

impl StdError for GetError {}

/// The queue was shut down (Python's `queue.ShutDown`): the error of the
/// calls that wait without a deadline, [`put`](crate::Queue::put) (which
/// hands the item back) and [`get`](crate::Queue::get).
///
/// # Examples
///
/// ```
/// use pool_thread::{Immediate, Queue};
///
/// let q = Queue::new(0);
/// q.shutdown(Immediate::No);
/// let err = q.put("late").unwrap_err();
/// assert_eq!(err.to_string(), "queue is shut down");
/// assert_eq!(err.into_inner(), "late");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Default)]
#[doc(alias = "queue.ShutDown")]
pub struct ShutDown<T = ()>(pub T);

impl<T> ShutDown<T> {
    /// The item that was not put (`()` for a get).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(pool_thread::ShutDown(5).into_inner(), 5);
    /// ```
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for ShutDown<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ShutDown(..)")
    }
}

impl<T> fmt::Display for ShutDown<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("queue is shut down")
    }
}

impl<T> StdError for ShutDown<T> {}

/// A get from a [`SimpleQueue`](crate::SimpleQueue) that found nothing
/// (Python's `queue.Empty`).
///
/// # Examples
///
/// ```
/// let q: pool_thread::SimpleQueue<u8> = pool_thread::SimpleQueue::new();
/// assert_eq!(q.get_nowait(), Err(pool_thread::Empty));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[doc(alias = "queue.Empty")]
pub struct Empty;

impl fmt::Display for Empty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("queue is empty")
    }
}

impl StdError for Empty {}

/// `task_done` was called more times than items were taken (Python's
/// `ValueError`). Nothing changed.
///
/// # Examples
///
/// ```
/// let q: pool_thread::Queue<u8> = pool_thread::Queue::new(0);
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
