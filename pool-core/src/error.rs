//! The error a task handle reports, and the panic report it may carry.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

/// Why a task did not produce its value.
///
/// Cheap to clone (one reference count), so the same failure can be read any
/// number of times from a [`TaskFuture`](crate::TaskFuture), like Python's
/// `TaskFuture.exception()`.
///
/// `Display` is one short sentence; the cause, when there is one (the panic,
/// the initializer's error, the serialization error), is in
/// [`source()`](StdError::source), never printed twice.
///
/// # Examples
///
/// ```
/// use pool_core::{Error, ErrorKind};
///
/// let err = Error::new(ErrorKind::Broken, "initializer failed: no database");
/// assert!(err.is_broken());
/// assert_eq!(err.to_string(), "executor is broken");
/// assert_eq!(
///     std::error::Error::source(&err).unwrap().to_string(),
///     "initializer failed: no database"
/// );
/// ```
#[derive(Clone)]
pub struct Error {
    inner: Arc<Inner>,
}

struct Inner {
    kind: ErrorKind,
    detail: Option<String>,
    source: Option<Arc<dyn StdError + Send + Sync>>,
}

/// The broad class of an [`Error`].
///
/// # Examples
///
/// ```
/// use pool_core::{Error, ErrorKind};
///
/// assert_eq!(Error::cancelled().kind(), ErrorKind::Cancelled);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The task panicked; the [`Panic`] report is the source.
    Panicked,
    /// The task was cancelled before it started (Python's `CancelledError`).
    Cancelled,
    /// A wait ran out of time (Python's `TimeoutError`). The task goes on.
    Timeout,
    /// The value was already moved out by an earlier `result()`.
    Retrieved,
    /// The executor is broken, for example because a worker's initializer
    /// failed (Python's `BrokenExecutor`); the cause is the source.
    Broken,
    /// The executor shut down before the task could run.
    Shutdown,
    /// The worker that held the task died (process backend).
    WorkerLost,
    /// A value could not be serialized (process backend).
    Serialize,
    /// A value could not be deserialized (process backend).
    Deserialize,
    /// The producer of the value went away without setting it.
    Abandoned,
    /// A worker could not be started; the OS error is the source.
    Spawn,
    /// A pool was configured with values it cannot run with.
    InvalidConfig,
    /// A worker's initializer failed or panicked; the cause is the source.
    Initializer,
    /// The operation is not valid in the pool's current state (Python's
    /// `ValueError` for `join()` before `close()`).
    InvalidState,
    /// The result was asked for before it was ready.
    NotReady,
    /// The work ran and returned an error of its own (a process target's
    /// `Err`); the detail carries its message.
    Failed,
    /// The other end of a channel was closed (Python's `EOFError` and
    /// `BrokenPipeError`).
    Closed,
}

impl ErrorKind {
    fn describe(self) -> &'static str {
        match self {
            ErrorKind::Panicked => "task panicked",
            ErrorKind::Cancelled => "task was cancelled",
            ErrorKind::Timeout => "timed out",
            ErrorKind::Retrieved => "result was already retrieved",
            ErrorKind::Broken => "executor is broken",
            ErrorKind::Shutdown => "executor has shut down",
            ErrorKind::WorkerLost => "worker was lost",
            ErrorKind::Serialize => "failed to serialize",
            ErrorKind::Deserialize => "failed to deserialize",
            ErrorKind::Abandoned => "task was abandoned before it produced a value",
            ErrorKind::Spawn => "could not start a worker",
            ErrorKind::InvalidConfig => "invalid configuration",
            ErrorKind::Initializer => "worker initializer failed",
            ErrorKind::InvalidState => "invalid state",
            ErrorKind::NotReady => "result is not ready",
            ErrorKind::Failed => "returned an error",
            ErrorKind::Closed => "the other end was closed",
        }
    }
}

impl Error {
    /// An error of `kind` caused by `source`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pool_core::{Error, ErrorKind};
    ///
    /// let io = std::io::Error::other("pipe closed");
    /// let err = Error::new(ErrorKind::WorkerLost, io);
    /// assert!(err.is_worker_lost());
    /// ```
    pub fn new(kind: ErrorKind, source: impl Into<Box<dyn StdError + Send + Sync>>) -> Error {
        Error::build(kind, None, Some(Arc::from(source.into())))
    }

    /// An error of `kind` with no further cause.
    ///
    /// # Examples
    ///
    /// ```
    /// use pool_core::{Error, ErrorKind};
    ///
    /// let err = Error::from_kind(ErrorKind::Shutdown);
    /// assert_eq!(err.to_string(), "executor has shut down");
    /// ```
    pub fn from_kind(kind: ErrorKind) -> Error {
        Error::build(kind, None, None)
    }

    /// Adds a short detail to the message, such as which value failed to
    /// serialize: the `Display` becomes `"{kind}: {detail}"`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pool_core::{Error, ErrorKind};
    ///
    /// let err = Error::from_kind(ErrorKind::Serialize).with_detail("argument 2 of map");
    /// assert_eq!(err.to_string(), "failed to serialize: argument 2 of map");
    /// ```
    #[must_use]
    pub fn with_detail(self, detail: impl Into<String>) -> Error {
        Error::build(
            self.inner.kind,
            Some(detail.into()),
            self.inner.source.clone(),
        )
    }

    fn build(
        kind: ErrorKind,
        detail: Option<String>,
        source: Option<Arc<dyn StdError + Send + Sync>>,
    ) -> Error {
        Error {
            inner: Arc::new(Inner {
                kind,
                detail,
                source,
            }),
        }
    }

    /// The error a cancelled future reports.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(pool_core::Error::cancelled().is_cancelled());
    /// ```
    pub fn cancelled() -> Error {
        Error::from_kind(ErrorKind::Cancelled)
    }

    /// A timeout that says how many of how many awaited futures were still
    /// unfinished, in Python's words: `"3 (of 10) futures unfinished"`.
    ///
    /// # Examples
    ///
    /// ```
    /// let err = pool_core::Error::timeout(3, 10);
    /// assert_eq!(err.to_string(), "timed out: 3 (of 10) futures unfinished");
    /// ```
    pub fn timeout(unfinished: usize, total: usize) -> Error {
        Error::build(
            ErrorKind::Timeout,
            Some(format!("{unfinished} (of {total}) futures unfinished")),
            None,
        )
    }

    /// A task panic, carrying the [`Panic`] report as its source.
    ///
    /// # Examples
    ///
    /// ```
    /// use pool_core::{Error, Panic};
    ///
    /// let err = Error::panicked(Panic::new("boom", Some("src/main.rs:3:5".into()), None));
    /// assert_eq!(err.panic().unwrap().message(), "boom");
    /// ```
    pub fn panicked(panic: Panic) -> Error {
        Error::build(ErrorKind::Panicked, None, Some(Arc::new(panic)))
    }

    /// The broad class of this error.
    ///
    /// # Examples
    ///
    /// ```
    /// use pool_core::{Error, ErrorKind};
    ///
    /// assert_eq!(Error::timeout(1, 2).kind(), ErrorKind::Timeout);
    /// assert_eq!(Error::from_kind(ErrorKind::Spawn).kind(), ErrorKind::Spawn);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The detail added with [`with_detail`](Error::with_detail), if any.
    ///
    /// # Examples
    ///
    /// ```
    /// use pool_core::{Error, ErrorKind};
    ///
    /// let err = Error::from_kind(ErrorKind::Deserialize).with_detail("result of task 7");
    /// assert_eq!(err.detail(), Some("result of task 7"));
    /// assert_eq!(Error::cancelled().detail(), None);
    /// ```
    pub fn detail(&self) -> Option<&str> {
        self.inner.detail.as_deref()
    }

    /// The panic report, when the task panicked.
    ///
    /// # Examples
    ///
    /// ```
    /// use pool_core::{Error, Panic};
    ///
    /// let err = Error::panicked(Panic::new("index out of bounds", None, None));
    /// assert_eq!(err.panic().map(Panic::message), Some("index out of bounds"));
    /// assert!(Error::cancelled().panic().is_none());
    /// ```
    pub fn panic(&self) -> Option<&Panic> {
        self.inner.source.as_ref()?.downcast_ref::<Panic>()
    }

    /// True when the task panicked.
    ///
    /// # Examples
    ///
    /// ```
    /// use pool_core::{Error, Panic};
    ///
    /// assert!(Error::panicked(Panic::new("boom", None, None)).is_panic());
    /// assert!(!Error::cancelled().is_panic());
    /// ```
    pub fn is_panic(&self) -> bool {
        self.kind() == ErrorKind::Panicked
    }

    /// True when the future was cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// use pool_core::{Error, ErrorKind};
    ///
    /// assert!(Error::cancelled().is_cancelled());
    /// assert!(!Error::from_kind(ErrorKind::Shutdown).is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        self.kind() == ErrorKind::Cancelled
    }

    /// True when a wait ran out of time.
    ///
    /// # Examples
    ///
    /// ```
    /// use pool_core::Error;
    ///
    /// assert!(Error::timeout(2, 5).is_timeout());
    /// assert!(!Error::cancelled().is_timeout());
    /// ```
    pub fn is_timeout(&self) -> bool {
        self.kind() == ErrorKind::Timeout
    }

    /// True when the executor is broken.
    ///
    /// # Examples
    ///
    /// ```
    /// use pool_core::{Error, ErrorKind};
    ///
    /// let err = Error::new(ErrorKind::Broken, "initializer failed");
    /// assert!(err.is_broken());
    /// assert!(!Error::from_kind(ErrorKind::Shutdown).is_broken());
    /// ```
    pub fn is_broken(&self) -> bool {
        self.kind() == ErrorKind::Broken
    }

    /// True when the worker holding the task died.
    ///
    /// # Examples
    ///
    /// ```
    /// use pool_core::{Error, ErrorKind};
    ///
    /// assert!(Error::from_kind(ErrorKind::WorkerLost).is_worker_lost());
    /// assert!(!Error::from_kind(ErrorKind::Broken).is_worker_lost());
    /// ```
    pub fn is_worker_lost(&self) -> bool {
        self.kind() == ErrorKind::WorkerLost
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.inner.kind.describe())?;
        if let Some(detail) = &self.inner.detail {
            write!(f, ": {detail}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.inner.kind);
        if let Some(detail) = &self.inner.detail {
            d.field("detail", detail);
        }
        if let Some(source) = &self.inner.source {
            d.field("source", source);
        }
        d.finish()
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|s| s as &(dyn StdError + 'static))
    }
}

/// What a panicking task left behind: its message, where it panicked and on
/// which thread.
///
/// Its `Display` reads like Rust's own panic line:
/// `thread 'worker-1' panicked at src/lib.rs:10:5: boom`.
///
/// # Examples
///
/// ```
/// use pool_core::Panic;
///
/// let p = Panic::new("boom", Some("src/lib.rs:10:5".into()), Some("worker-1".into()));
/// assert_eq!(p.to_string(), "thread 'worker-1' panicked at src/lib.rs:10:5: boom");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Panic {
    message: String,
    location: Option<String>,
    thread: Option<String>,
}

impl Panic {
    /// A panic report from its parts; `location` is `file:line:column`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pool_core::Panic;
    ///
    /// let p = Panic::new("boom", Some("src/lib.rs:10:5".into()), None);
    /// assert_eq!(p.location(), Some("src/lib.rs:10:5"));
    /// assert_eq!(p.thread_name(), None);
    /// assert_eq!(p.to_string(), "panicked at src/lib.rs:10:5: boom");
    /// ```
    pub fn new(
        message: impl Into<String>,
        location: Option<String>,
        thread: Option<String>,
    ) -> Panic {
        Panic {
            message: message.into(),
            location,
            thread,
        }
    }

    /// The panic message (`"Box<dyn Any>"` when the payload was not a string).
    ///
    /// # Examples
    ///
    /// ```
    /// use pool_core::Panic;
    ///
    /// assert_eq!(Panic::new("boom", None, None).message(), "boom");
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Where the panic happened, as `file:line:column`, when known.
    ///
    /// # Examples
    ///
    /// ```
    /// use pool_core::Panic;
    ///
    /// let p = Panic::new("boom", Some("src/main.rs:3:5".into()), None);
    /// assert_eq!(p.location(), Some("src/main.rs:3:5"));
    /// assert_eq!(Panic::new("boom", None, None).location(), None);
    /// ```
    pub fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }

    /// The name of the thread that panicked, when it had one.
    ///
    /// # Examples
    ///
    /// ```
    /// use pool_core::Panic;
    ///
    /// let p = Panic::new("boom", None, Some("worker-1".into()));
    /// assert_eq!(p.thread_name(), Some("worker-1"));
    /// assert_eq!(Panic::new("boom", None, None).thread_name(), None);
    /// ```
    pub fn thread_name(&self) -> Option<&str> {
        self.thread.as_deref()
    }
}

impl fmt::Display for Panic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.thread {
            Some(name) => write!(f, "thread '{name}' panicked")?,
            None => f.write_str("panicked")?,
        }
        if let Some(location) = &self.location {
            write!(f, " at {location}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl StdError for Panic {}

/// A task the executor refused, handed back with the reason.
///
/// `Display` says why ("executor has shut down", "executor is broken"); the
/// broken executor's cause is the `source()`. The refused task is returned
/// by [`into_inner`](SubmitError::into_inner), never dropped behind the
/// caller's back.
///
/// # Examples
///
/// ```
/// use pool_core::{Error, ErrorKind, SubmitError};
///
/// let err = SubmitError::new(|| 1, Error::from_kind(ErrorKind::Shutdown));
/// assert!(err.is_shutdown());
/// assert_eq!(err.to_string(), "executor has shut down");
/// assert_eq!((err.into_inner())(), 1);
/// ```
pub struct SubmitError<F> {
    task: F,
    reason: Error,
}

impl<F> SubmitError<F> {
    /// A refusal of `task` for `reason`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pool_core::{Error, SubmitError};
    ///
    /// let err = SubmitError::new("task", Error::cancelled());
    /// assert!(err.reason().is_cancelled());
    /// assert_eq!(err.into_inner(), "task");
    /// ```
    pub fn new(task: F, reason: Error) -> SubmitError<F> {
        SubmitError { task, reason }
    }

    /// The refused task.
    ///
    /// # Examples
    ///
    /// ```
    /// use pool_core::{Error, ErrorKind, SubmitError};
    ///
    /// let err = SubmitError::new(vec![1, 2, 3], Error::from_kind(ErrorKind::Shutdown));
    /// assert_eq!(err.into_inner(), vec![1, 2, 3]);
    /// ```
    pub fn into_inner(self) -> F {
        self.task
    }

    /// Why the task was refused.
    ///
    /// # Examples
    ///
    /// ```
    /// use pool_core::{Error, ErrorKind, SubmitError};
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
    /// use pool_core::{Error, ErrorKind, SubmitError};
    ///
    /// let err = SubmitError::new(|| 20, Error::from_kind(ErrorKind::Shutdown));
    /// let mapped = err.map(|task| move || task() + 1);
    /// assert!(mapped.is_shutdown());
    /// assert_eq!((mapped.into_inner())(), 21);
    /// ```
    pub fn map<G>(self, f: impl FnOnce(F) -> G) -> SubmitError<G> {
        SubmitError {
            task: f(self.task),
            reason: self.reason,
        }
    }

    /// True when the executor had shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// use pool_core::{Error, ErrorKind, SubmitError};
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
    /// use pool_core::{Error, ErrorKind, SubmitError};
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
