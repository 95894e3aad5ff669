//! How a child ended and what its failure reports mean. Reaping is the
//! child handle's business (`sys/child.rs`).

use std::fmt;

use pool_core::{Error, ErrorKind, Panic};

pub use crate::sys::child::ExitReason;
use crate::wire::message::Failure;

/// The cause of a [`ErrorKind::WorkerLost`] error: which process (a pool's
/// worker or a `Process`) died, and how.
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
