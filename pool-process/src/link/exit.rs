//! How a child ended and what its failure reports mean. Reaping is the
//! child handle's business (`sys/child.rs`).

use std::fmt;

use pool_core::{Error, ErrorKind, Panic};

use super::ReplyBody;
pub use crate::sys::child::ExitReason;
use crate::wire::message::Failure;

/// The cause of a [`ErrorKind::WorkerLost`] error: which process (a pool's
/// worker or a `Process`) died, and how.
///
/// # Examples
///
/// ```
/// use poolrt::process::{ExitReason, Pool, WorkerExit};
///
/// fn killed(_: ()) -> u8 {
///     // SIGKILL from within: the worker dies holding the task.
///     std::process::Command::new("kill")
///         .args(["-9", &std::process::id().to_string()])
///         .status()
///         .unwrap();
///     unreachable!("killed")
/// }
///
/// let pool = Pool::new(1).unwrap();
/// let worker = pool.pids()[0];
/// let err = pool.apply(killed, ()).unwrap_err();
/// assert!(err.is_worker_lost());
/// let exit = std::error::Error::source(&err)
///     .and_then(|cause| cause.downcast_ref::<WorkerExit>())
///     .unwrap();
/// assert_eq!(exit.pid, worker);
/// assert_eq!(exit.status, ExitReason::Signal(9));
/// assert_eq!(exit.to_string(), format!("process {worker} was killed by signal 9 (SIGKILL)"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkerExit {
    /// The worker's process id.
    pub pid: u32,
    /// How it ended.
    pub status: ExitReason,
}

impl fmt::Display for WorkerExit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "process {} {}", self.pid, self.status)
    }
}

impl std::error::Error for WorkerExit {}

/// Emits `poolrt.process.death` (README "Logging") for the child of worker
/// `slot` that ended with `status`; `cause` says how: `died` (holding a
/// task), `died_idle`, `died_starting`, `timed_out`, `over_memory`,
/// `stopped`, or `terminated` (by the pool's `terminate`).
#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
pub(crate) fn log_death(slot: usize, pid: u32, status: ExitReason, cause: &'static str) {
    let (code, signal) = match status {
        ExitReason::Code(code) => (Some(code), None),
        ExitReason::Signal(signal) => (None, Some(signal)),
        ExitReason::Unknown => (None, None),
    };
    pool_core::__event!(
        WARN,
        "poolrt.process.death",
        worker = slot,
        pid = pid,
        code = code,
        signal = signal,
        cause = cause,
        status = %status,
    );
}

/// Which worker process answered, as errors name it: `process 123` for a
/// child of this process, or what a remote worker calls itself (the MPI
/// backend's `rank 2 (pid 123) on host node7`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Who {
    Local(u32),
    Remote(std::sync::Arc<str>),
}

impl From<u32> for Who {
    fn from(pid: u32) -> Who {
        Who::Local(pid)
    }
}

impl fmt::Display for Who {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Who::Local(pid) => write!(f, "process {pid}"),
            Who::Remote(name) => f.write_str(name),
        }
    }
}

/// Turns a worker's failure report into the task's error.
pub(crate) fn failure_error(body: &[u8], who: impl Into<Who>) -> Error {
    let who = who.into();
    match postcard::from_bytes::<Failure>(body) {
        Ok(failure) => failure_to_error(failure, who),
        Err(e) => Error::from_kind(ErrorKind::Deserialize)
            .with_detail(format!("an unreadable failure report from {who}: {e}")),
    }
}

/// [`failure_error`] for a reply as its reader gets it.
pub(crate) fn failure_reply(body: ReplyBody<'_>, who: impl Into<Who>) -> Error {
    let who = who.into();
    match body.bytes() {
        Ok(bytes) => failure_error(&bytes, who),
        Err(message) => Error::from_kind(ErrorKind::Deserialize)
            .with_detail(format!("a failure report from {who}: {message}")),
    }
}

pub(crate) fn failure_to_error(failure: Failure, who: impl Into<Who>) -> Error {
    let who = who.into();
    match failure {
        Failure::Panic { message, location } => {
            Error::panicked(Panic::new(message, location, Some(who.to_string())))
        }
        Failure::Decode { what, message } => {
            Error::new(ErrorKind::Deserialize, message).with_detail(format!("{what} in {who}"))
        }
        Failure::Encode { what, message } => {
            Error::new(ErrorKind::Serialize, message).with_detail(format!("{what} in {who}"))
        }
        Failure::UnknownEntry { offset } => Error::from_kind(ErrorKind::UnknownFunction)
            .with_detail(format!(
                "{who} has none at offset {offset:#x}; it runs a different build"
            )),
        Failure::Init { message } => Error::new(ErrorKind::Initializer, message),
        Failure::Returned { message } => {
            Error::from_kind(ErrorKind::Failed).with_detail(format!("{message} (in {who})"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_entry_is_an_unknown_function_not_a_spawn_failure() {
        let error = failure_to_error(Failure::UnknownEntry { offset: 0x40 }, 17);
        assert_eq!(error.kind(), ErrorKind::UnknownFunction);
        assert!(error.is_unknown_function());
        assert_eq!(
            error.to_string(),
            "the process does not have this function: \
             process 17 has none at offset 0x40; it runs a different build"
        );
    }

    #[test]
    fn failure_reports_name_a_process_not_a_worker() {
        let failures = [
            failure_to_error(
                Failure::Decode {
                    what: "argument".into(),
                    message: "bad".into(),
                },
                3,
            ),
            failure_to_error(
                Failure::Encode {
                    what: "result".into(),
                    message: "bad".into(),
                },
                3,
            ),
            failure_error(b"\xff\xff", 3),
        ];
        for error in failures {
            let text = error.to_string();
            assert!(text.contains("process 3"), "{text}");
            assert!(!text.contains("worker"), "{text}");
        }
    }
}
