//! Why a put or a get on a shared queue failed.

use std::fmt;

use pool_core::Error;

/// Why a put failed. The item is handed back either way.
///
/// # Examples
///
/// ```
/// use pool_process::{PutError, Queue};
///
/// let q = Queue::new(1).unwrap();
/// q.put(1u32).unwrap();
/// let refused = q.put_nowait(2).unwrap_err();
/// assert!(refused.is_full());
/// assert_eq!(refused.into_inner(), 2);
/// ```
pub enum PutError<T> {
    /// The queue is full (Python's `queue.Full`).
    #[doc(alias = "queue.Full")]
    Full(T),
    /// The item could not be serialized, or does not fit the queue's
    /// buffer; the error says which.
    Failed(T, Error),
}

impl<T> PutError<T> {
    /// The item that was not put.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_process::Queue::new(1).unwrap();
    /// q.put("a".to_owned()).unwrap();
    /// assert_eq!(q.put_nowait("b".to_owned()).unwrap_err().into_inner(), "b");
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            PutError::Full(item) | PutError::Failed(item, _) => item,
        }
    }

    /// Whether the queue was full.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_process::Queue::new(1).unwrap();
    /// q.put(1u8).unwrap();
    /// assert!(q.put_nowait(2).unwrap_err().is_full());
    /// ```
    pub fn is_full(&self) -> bool {
        matches!(self, PutError::Full(_))
    }
}

impl<T> fmt::Debug for PutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PutError::Full(_) => f.write_str("Full(..)"),
            PutError::Failed(_, error) => write!(f, "Failed(.., {error:?})"),
        }
    }
}

impl<T> fmt::Display for PutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PutError::Full(_) => f.write_str("queue is full"),
            PutError::Failed(_, error) => write!(f, "cannot put the item: {error}"),
        }
    }
}

impl<T> std::error::Error for PutError<T> {}

/// Why a get failed.
///
/// # Examples
///
/// ```
/// use pool_process::{GetError, Queue};
///
/// let q: Queue<u32> = Queue::new(0).unwrap();
/// assert!(matches!(q.get_nowait(), Err(GetError::Empty)));
/// ```
#[derive(Debug)]
pub enum GetError {
    /// No item came in time (Python's `queue.Empty`).
    #[doc(alias = "queue.Empty")]
    Empty,
    /// The item was taken but could not be deserialized.
    Failed(Error),
}

impl GetError {
    /// Whether the queue was empty.
    ///
    /// # Examples
    ///
    /// ```
    /// let q: pool_process::Queue<u32> = pool_process::Queue::new(0).unwrap();
    /// assert!(q.get_nowait().unwrap_err().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        matches!(self, GetError::Empty)
    }
}

impl fmt::Display for GetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GetError::Empty => f.write_str("queue is empty"),
            GetError::Failed(error) => write!(f, "cannot get the item: {error}"),
        }
    }
}

impl std::error::Error for GetError {}
