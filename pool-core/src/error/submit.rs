//! A task the executor refused, handed back with the reason.

use std::error::Error as StdError;
use std::fmt;
use std::sync::{Mutex, PoisonError};

use crate::error::{Error, ErrorKind};

/// A task the executor refused, handed back with the reason.
///
/// `Display` says why ("executor has shut down", "pool is broken: worker
/// initializer failed"); the broken pool's deeper cause is the `source()`. The refused task is returned
/// by [`into_inner`](SubmitError::into_inner), never dropped behind the
/// caller's back.
///
/// A `SubmitError` is `Send + Sync + 'static` whenever its task is `Send +
/// 'static`, as every task an executor accepts is, even when the task
/// itself is not `Sync` (a closure holding a `Cell` or an
/// `mpsc::Receiver`): `?` turns it into an `anyhow::Error` or a
/// `Box<dyn Error + Send + Sync>`. It also converts into the plain
/// [`Error`] (its [`reason`](SubmitError::reason)), dropping the task.
///
/// # Examples
///
/// ```
/// use poolrt::{Error, ErrorKind, SubmitError};
///
/// let err = SubmitError::new(|| 1, Error::from_kind(ErrorKind::Shutdown));
/// assert!(err.is_shutdown());
/// assert_eq!(err.to_string(), "executor has shut down");
/// assert_eq!((err.into_inner())(), 1);
///
/// // A task that is not `Sync` still gives an error `?` can box.
/// fn refuse() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
///     let cell = std::cell::Cell::new(1);
///     let task = move || cell.get();
///     Err(SubmitError::new(task, Error::from_kind(ErrorKind::Shutdown)))?
/// }
/// assert_eq!(refuse().unwrap_err().to_string(), "executor has shut down");
/// ```
pub struct SubmitError<F> {
    /// Only ever moved out, never borrowed: the mutex (never locked) makes
    /// the error `Sync` for a task that is merely `Send`.
    task: Mutex<F>,
    reason: Error,
}

impl<F> SubmitError<F> {
    /// A refusal of `task` for `reason`.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{Error, SubmitError};
    ///
    /// let err = SubmitError::new("task", Error::cancelled());
    /// assert!(err.reason().is_cancelled());
    /// assert_eq!(err.into_inner(), "task");
    /// ```
    pub fn new(task: F, reason: Error) -> SubmitError<F> {
        SubmitError {
            task: Mutex::new(task),
            reason,
        }
    }

    /// The refused task.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{Error, ErrorKind, SubmitError};
    ///
    /// let err = SubmitError::new(vec![1, 2, 3], Error::from_kind(ErrorKind::Shutdown));
    /// assert_eq!(err.into_inner(), vec![1, 2, 3]);
    /// ```
    pub fn into_inner(self) -> F {
        // Never locked, so never poisoned; a poison would not matter anyway.
        self.task
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Why the task was refused.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{Error, ErrorKind, SubmitError};
    ///
    /// let err = SubmitError::new((), Error::new(ErrorKind::Broken, "no database"));
    /// assert_eq!(err.reason().kind(), ErrorKind::Broken);
    /// assert_eq!(
    ///     std::error::Error::source(err.reason()).unwrap().to_string(),
    ///     "no database"
    /// );
    /// ```
    pub fn reason(&self) -> &Error {
        &self.reason
    }

    /// Changes the kind of task carried, keeping the reason (for wrappers
    /// that submit an adapted closure).
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{Error, ErrorKind, SubmitError};
    ///
    /// let err = SubmitError::new(|| 20, Error::from_kind(ErrorKind::Shutdown));
    /// let mapped = err.map(|task| move || task() + 1);
    /// assert!(mapped.is_shutdown());
    /// assert_eq!((mapped.into_inner())(), 21);
    /// ```
    pub fn map<G>(self, f: impl FnOnce(F) -> G) -> SubmitError<G> {
        let SubmitError { task, reason } = self;
        let task = task.into_inner().unwrap_or_else(PoisonError::into_inner);
        SubmitError::new(f(task), reason)
    }

    /// True when the executor had shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{Error, ErrorKind, SubmitError};
    ///
    /// assert!(SubmitError::new((), Error::from_kind(ErrorKind::Shutdown)).is_shutdown());
    /// assert!(!SubmitError::new((), Error::from_kind(ErrorKind::Broken)).is_shutdown());
    /// ```
    pub fn is_shutdown(&self) -> bool {
        self.reason.kind() == ErrorKind::Shutdown
    }

    /// True when the executor is broken.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{Error, ErrorKind, SubmitError};
    ///
    /// let err = SubmitError::new((), Error::new(ErrorKind::Broken, "initializer failed"));
    /// assert!(err.is_broken());
    /// assert!(!err.is_shutdown());
    /// ```
    pub fn is_broken(&self) -> bool {
        self.reason.is_broken()
    }
}

impl<F> fmt::Debug for SubmitError<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubmitError")
            .field("reason", &self.reason)
            .finish_non_exhaustive()
    }
}

impl<F> fmt::Display for SubmitError<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.reason, f)
    }
}

impl<F> StdError for SubmitError<F> {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.reason.source()
    }
}

/// Keeps the reason and drops the refused task, so that `?` works in a
/// function returning `Result<_, pool_core::Error>`.
///
/// # Examples
///
/// ```
/// use poolrt::{Error, ErrorKind, SubmitError};
///
/// fn submit() -> Result<(), Error> {
///     Err(SubmitError::new(|| (), Error::from_kind(ErrorKind::Shutdown)))?
/// }
/// assert_eq!(submit().unwrap_err().kind(), ErrorKind::Shutdown);
/// ```
impl<F> From<SubmitError<F>> for Error {
    fn from(err: SubmitError<F>) -> Error {
        err.reason
    }
}
