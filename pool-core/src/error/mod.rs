//! The error a task handle reports, and the panic report it may carry.
//!
//! | file | concept |
//! |------|---------|
//! | `mod.rs` | [`Error`]: kind, detail and cause of one failure |
//! | `kind.rs` | [`ErrorKind`]: the class of a failure, with its short description |
//! | `panic.rs` | [`Panic`]: what a panicking task left behind |
//! | `submit.rs` | [`SubmitError`]: a refused task, handed back with the reason |

mod kind;
mod panic;
mod submit;

pub use self::kind::ErrorKind;
pub use self::panic::Panic;
pub use self::submit::SubmitError;

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
/// use poolrt::{Error, ErrorKind};
///
/// let err = Error::new(ErrorKind::Serialize, "no serializer for this type");
/// assert_eq!(err.kind(), ErrorKind::Serialize);
/// assert_eq!(err.to_string(), "failed to serialize");
/// assert_eq!(
///     std::error::Error::source(&err).unwrap().to_string(),
///     "no serializer for this type"
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
impl Error {
    /// An error of `kind` caused by `source`.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{Error, ErrorKind};
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
    /// use poolrt::{Error, ErrorKind};
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
    /// use poolrt::{Error, ErrorKind};
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
    /// assert!(poolrt::Error::cancelled().is_cancelled());
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
    /// let err = poolrt::Error::timeout(3, 10);
    /// assert_eq!(err.to_string(), "timed out: 3 (of 10) futures unfinished");
    /// ```
    pub fn timeout(unfinished: usize, total: usize) -> Error {
        Error::build(
            ErrorKind::Timeout,
            Some(format!("{unfinished} (of {total}) futures unfinished")),
            None,
        )
    }

    /// The error of a pool (or executor) that `cause` broke: its `Display`
    /// says why in its first sentence, "pool is broken: " and the cause's
    /// own `Display`; the cause's source (the initializer's error, the
    /// panic, the OS error) is this error's source, so a report that
    /// prints the chain shows each part once. A cause that is itself a
    /// broken-pool error is returned unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{Error, ErrorKind};
    ///
    /// let cause = Error::new(ErrorKind::Initializer, "no database at db://nowhere");
    /// let err = Error::broken(cause);
    /// assert!(err.is_broken());
    /// assert_eq!(err.to_string(), "pool is broken: worker initializer failed");
    /// assert_eq!(
    ///     std::error::Error::source(&err).unwrap().to_string(),
    ///     "no database at db://nowhere"
    /// );
    /// assert_eq!(Error::broken(err.clone()).to_string(), err.to_string());
    /// ```
    pub fn broken(cause: Error) -> Error {
        if cause.is_broken() {
            return cause;
        }
        Error::build(
            ErrorKind::Broken,
            Some(format!("{}: {cause}", ErrorKind::Broken.describe())),
            cause.inner.source.clone(),
        )
    }

    /// A task panic, carrying the [`Panic`] report as its source.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{Error, Panic};
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
    /// use poolrt::{Error, ErrorKind};
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
    /// use poolrt::{Error, ErrorKind};
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
    /// use poolrt::{Error, Panic};
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
    /// use poolrt::{Error, Panic};
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
    /// use poolrt::{Error, ErrorKind};
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
    /// use poolrt::Error;
    ///
    /// assert!(Error::timeout(2, 5).is_timeout());
    /// assert!(!Error::cancelled().is_timeout());
    /// ```
    pub fn is_timeout(&self) -> bool {
        self.kind() == ErrorKind::Timeout
    }

    /// True when the task ran past its hard time limit and was stopped
    /// (a per-task timeout), unlike [`is_timeout`](Error::is_timeout),
    /// which only means a wait gave up.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{Error, ErrorKind};
    ///
    /// assert!(Error::from_kind(ErrorKind::TaskTimedOut).is_task_timed_out());
    /// assert!(!Error::timeout(1, 1).is_task_timed_out());
    /// ```
    pub fn is_task_timed_out(&self) -> bool {
        self.kind() == ErrorKind::TaskTimedOut
    }

    /// True when the task was stopped while it ran, on request.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{Error, ErrorKind};
    ///
    /// assert!(Error::from_kind(ErrorKind::Stopped).is_stopped());
    /// assert!(!Error::cancelled().is_stopped());
    /// ```
    pub fn is_stopped(&self) -> bool {
        self.kind() == ErrorKind::Stopped
    }

    /// True when the process running the task was stopped because it
    /// passed the pool's memory limit (`max_memory_per_child`).
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{Error, ErrorKind};
    ///
    /// assert!(Error::from_kind(ErrorKind::MemoryLimit).is_memory_limit());
    /// assert!(!Error::from_kind(ErrorKind::WorkerLost).is_memory_limit());
    /// ```
    pub fn is_memory_limit(&self) -> bool {
        self.kind() == ErrorKind::MemoryLimit
    }

    /// True when the executor is broken.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{Error, ErrorKind};
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
    /// use poolrt::{Error, ErrorKind};
    ///
    /// assert!(Error::from_kind(ErrorKind::WorkerLost).is_worker_lost());
    /// assert!(!Error::from_kind(ErrorKind::Broken).is_worker_lost());
    /// ```
    pub fn is_worker_lost(&self) -> bool {
        self.kind() == ErrorKind::WorkerLost
    }

    /// True when reading or writing a channel failed for a reason other
    /// than the other end closing it.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{Error, ErrorKind};
    ///
    /// let err = Error::new(ErrorKind::Io, std::io::Error::other("connection reset"));
    /// assert!(err.is_io());
    /// assert!(!Error::from_kind(ErrorKind::Closed).is_io());
    /// ```
    pub fn is_io(&self) -> bool {
        self.kind() == ErrorKind::Io
    }

    /// True when shared memory could not be created.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{Error, ErrorKind};
    ///
    /// let err = Error::new(ErrorKind::SharedMemory, std::io::Error::other("out of memory"));
    /// assert!(err.is_shared_memory());
    /// assert!(!Error::from_kind(ErrorKind::Spawn).is_shared_memory());
    /// ```
    pub fn is_shared_memory(&self) -> bool {
        self.kind() == ErrorKind::SharedMemory
    }

    /// True when a process was asked to run a function it does not have
    /// (it runs a different build of the program).
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{Error, ErrorKind};
    ///
    /// assert!(Error::from_kind(ErrorKind::UnknownFunction).is_unknown_function());
    /// assert!(!Error::from_kind(ErrorKind::Spawn).is_unknown_function());
    /// ```
    pub fn is_unknown_function(&self) -> bool {
        self.kind() == ErrorKind::UnknownFunction
    }

    /// True when an index was outside a sequence (Python's `IndexError`).
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{Error, ErrorKind};
    ///
    /// let err = Error::from_kind(ErrorKind::IndexOutOfRange).with_detail("index 3 of a list of 2");
    /// assert!(err.is_index_out_of_range());
    /// assert_eq!(err.to_string(), "index out of range: index 3 of a list of 2");
    /// assert!(!Error::from_kind(ErrorKind::InvalidState).is_index_out_of_range());
    /// ```
    pub fn is_index_out_of_range(&self) -> bool {
        self.kind() == ErrorKind::IndexOutOfRange
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.inner.detail, self.inner.kind) {
            // A broken object's detail names it ("the queue is broken: …",
            // "pool is broken: …"): the sentence is the detail alone.
            (Some(detail), ErrorKind::Broken) => f.write_str(detail),
            (Some(detail), kind) => write!(f, "{}: {detail}", kind.describe()),
            (None, kind) => f.write_str(kind.describe()),
        }
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
