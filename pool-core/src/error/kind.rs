//! The class of a failure, and the short sentence that names it.

/// The broad class of an [`Error`](crate::Error).
///
/// Each kind of failure has its own variant, so a program can tell them
/// apart without reading messages. New variants may be added: match with a
/// wildcard arm.
///
/// The `Display` of an error starts with its kind's short description, in
/// the words of whoever called: a process that died is a process, not a
/// "worker", unless it was a pool's worker.
///
/// # Examples
///
/// ```
/// use poolrt::{Error, ErrorKind};
///
/// assert_eq!(Error::cancelled().kind(), ErrorKind::Cancelled);
/// assert_eq!(Error::from_kind(ErrorKind::IndexOutOfRange).to_string(), "index out of range");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The task panicked; the [`Panic`](crate::Panic) report is the source.
    Panicked,
    /// The task was cancelled before it started (Python's `CancelledError`).
    Cancelled,
    /// A wait ran out of time (Python's `TimeoutError`). The task goes on.
    Timeout,
    /// The value was already moved out by an earlier `result()`.
    Retrieved,
    /// The pool or executor is broken, for example because a worker's
    /// initializer failed (Python's `BrokenExecutor`): the `Display` names
    /// the cause ("pool is broken: worker initializer failed"), whose own
    /// cause is the source (see [`Error::broken`](crate::Error::broken)). A
    /// broken queue or connection end names itself in the detail instead.
    Broken,
    /// The executor shut down before the task could run.
    Shutdown,
    /// The process that ran the work died: a pool's worker process holding
    /// the task, or a `Process` that ended abnormally. The exit (pid and
    /// exit code or signal) is the source.
    WorkerLost,
    /// A value could not be serialized (process backend).
    Serialize,
    /// A value could not be deserialized (process backend).
    Deserialize,
    /// The producer of the value went away without setting it.
    Abandoned,
    /// A thread or process could not be started; the OS error is the
    /// source.
    Spawn,
    /// A pool was configured with values it cannot run with.
    InvalidConfig,
    /// A worker's initializer failed or panicked; the cause is the source.
    Initializer,
    /// The operation is not valid in the object's current state (Python's
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
    /// Reading or writing a channel failed for a reason other than the
    /// other end closing it (Python's `OSError`); the OS error is the
    /// source.
    Io,
    /// Shared memory (for a lock, a queue, a shared value) could not be
    /// created; the OS error is the source.
    SharedMemory,
    /// The process asked to run a function it does not have: it runs a
    /// different build of the program than the one that sent the task.
    UnknownFunction,
    /// An index was outside a sequence (Python's `IndexError`), including
    /// a pop from an empty list.
    IndexOutOfRange,
    /// The task ran past its hard time limit (a per-task timeout): the
    /// process running it was stopped and replaced. Unlike
    /// [`Timeout`](ErrorKind::Timeout), the task does not go on; the
    /// detail names the pid and the limit.
    TaskTimedOut,
    /// The task was stopped while it ran, on request (its handle's
    /// `stop`): the process running it was stopped and replaced.
    Stopped,
    /// The process running the task passed the memory limit the pool
    /// set (`max_memory_per_child`) by its hard margin while it ran:
    /// poolrt stopped it and replaced it. The detail names the pid, the
    /// memory seen and the limit.
    MemoryLimit,
}

impl ErrorKind {
    /// The short description an error of this kind starts its `Display`
    /// with.
    pub(super) fn describe(self) -> &'static str {
        match self {
            ErrorKind::Panicked => "task panicked",
            ErrorKind::Cancelled => "task was cancelled",
            ErrorKind::Timeout => "timed out",
            ErrorKind::Retrieved => "result was already retrieved",
            ErrorKind::Broken => "pool is broken",
            ErrorKind::Shutdown => "executor has shut down",
            ErrorKind::WorkerLost => "the process running it died",
            ErrorKind::Serialize => "failed to serialize",
            ErrorKind::Deserialize => "failed to deserialize",
            ErrorKind::Abandoned => "task was abandoned before it produced a value",
            ErrorKind::Spawn => "could not start",
            ErrorKind::InvalidConfig => "invalid configuration",
            ErrorKind::Initializer => "worker initializer failed",
            ErrorKind::InvalidState => "invalid state",
            ErrorKind::NotReady => "result is not ready",
            ErrorKind::Failed => "returned an error",
            ErrorKind::Closed => "the other end was closed",
            ErrorKind::Io => "I/O failed",
            ErrorKind::SharedMemory => "could not create shared memory",
            ErrorKind::UnknownFunction => "the process does not have this function",
            ErrorKind::IndexOutOfRange => "index out of range",
            ErrorKind::TaskTimedOut => "task ran past its time limit",
            ErrorKind::Stopped => "task was stopped while it ran",
            ErrorKind::MemoryLimit => {
                "the process running it was stopped for using too much memory"
            }
        }
    }
}
