//! [`PutError`] and [`GetError`]: why a queue put or get failed.
//!
//! A put's error hands the item back (`into_inner`), so a refused item is
//! never dropped behind the caller's back.

use std::error::Error as StdError;
use std::fmt;

use crate::error::Error;

/// A put that did not happen; the item is handed back. Python raises
/// `queue.Full` or `queue.ShutDown` for these.
///
/// # Examples
///
/// ```
/// use poolrt::PutError;
///
/// let err = PutError::Full("b");
/// assert!(err.is_full());
/// assert_eq!(err.to_string(), "queue is full");
/// assert_eq!(err.into_inner(), "b");
/// ```
#[derive(Clone)]
pub enum PutError<T> {
    /// The queue stayed full until the deadline (Python's `queue.Full`).
    #[doc(alias = "queue.Full")]
    Full(T),
    /// The queue was shut down (Python's `queue.ShutDown`).
    #[doc(alias = "queue.ShutDown")]
    ShutDown(T),
    /// The item could not be sent: a process queue could not serialize it,
    /// or it does not fit the queue's buffer. The error, also the
    /// `source()`, says which.
    Failed(T, Error),
}

impl<T> PutError<T> {
    /// The item that was not put.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(poolrt::PutError::ShutDown(2).into_inner(), 2);
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            PutError::Full(item) | PutError::ShutDown(item) | PutError::Failed(item, _) => item,
        }
    }

    /// True when the queue was full.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(poolrt::PutError::Full(1).is_full());
    /// ```
    pub fn is_full(&self) -> bool {
        matches!(self, PutError::Full(_))
    }

    /// True when the queue was shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(poolrt::PutError::ShutDown(1).is_shutdown());
    /// ```
    pub fn is_shutdown(&self) -> bool {
        matches!(self, PutError::ShutDown(_))
    }

    /// True when the item could not be sent (serialization, size).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!poolrt::PutError::Full(1).is_failed());
    /// ```
    pub fn is_failed(&self) -> bool {
        matches!(self, PutError::Failed(..))
    }

    /// Why the item could not be sent, for [`PutError::Failed`].
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(poolrt::PutError::Full(1).error().is_none());
    /// ```
    pub fn error(&self) -> Option<&Error> {
        match self {
            PutError::Failed(_, error) => Some(error),
            _ => None,
        }
    }
}

impl<T> fmt::Debug for PutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PutError::Full(_) => f.write_str("Full(..)"),
            PutError::ShutDown(_) => f.write_str("ShutDown(..)"),
            PutError::Failed(_, error) => write!(f, "Failed(.., {error:?})"),
        }
    }
}

impl<T> fmt::Display for PutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PutError::Full(_) => "queue is full",
            PutError::ShutDown(_) => "queue is shut down",
            PutError::Failed(..) => "cannot put the item",
        })
    }
}

impl<T> StdError for PutError<T> {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.error().map(|e| e as &(dyn StdError + 'static))
    }
}

/// A get that returned no item.
///
/// # Examples
///
/// ```
/// use poolrt::GetError;
///
/// let err = GetError::Empty;
/// assert!(err.is_empty());
/// assert_eq!(err.to_string(), "queue is empty");
/// ```
#[derive(Clone, Debug)]
pub enum GetError {
    /// The queue stayed empty until the deadline (Python's `queue.Empty`).
    #[doc(alias = "queue.Empty")]
    Empty,
    /// The queue was shut down and holds nothing more (Python's
    /// `queue.ShutDown`).
    #[doc(alias = "queue.ShutDown")]
    ShutDown,
    /// An item was taken but could not be received (a process queue could
    /// not deserialize it); the error is also the `source()`.
    Failed(Error),
}

impl GetError {
    /// True when the queue was empty.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(poolrt::GetError::Empty.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        matches!(self, GetError::Empty)
    }

    /// True when the queue was shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(poolrt::GetError::ShutDown.is_shutdown());
    /// ```
    pub fn is_shutdown(&self) -> bool {
        matches!(self, GetError::ShutDown)
    }

    /// True when an item was taken but could not be received.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!poolrt::GetError::Empty.is_failed());
    /// ```
    pub fn is_failed(&self) -> bool {
        matches!(self, GetError::Failed(_))
    }

    /// Why the item could not be received, for [`GetError::Failed`].
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(poolrt::GetError::Empty.error().is_none());
    /// ```
    pub fn error(&self) -> Option<&Error> {
        match self {
            GetError::Failed(error) => Some(error),
            _ => None,
        }
    }
}

impl fmt::Display for GetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GetError::Empty => "queue is empty",
            GetError::ShutDown => "queue is shut down",
            GetError::Failed(_) => "cannot get the item",
        })
    }
}

impl StdError for GetError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.error().map(|e| e as &(dyn StdError + 'static))
    }
}
