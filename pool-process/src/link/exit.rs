//! How a child ended and what its failure reports mean. Reaping is the
//! child handle's business (`sys/child.rs`).

use std::fmt;

use pool_core::{Error, ErrorKind, Panic};

pub use crate::sys::child::ExitStatus;
use crate::wire::message::Failure;

/// The cause of a [`ErrorKind::WorkerLost`] error: which worker process
/// died, and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkerExit {
    /// The worker's process id.
    pub pid: u32,
    /// How it ended.
    pub status: ExitStatus,
}

impl fmt::Display for WorkerExit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "worker process {} {}", self.pid, self.status)
    }
}

impl std::error::Error for WorkerExit {}

/// Turns a worker's failure report into the task's error.
pub(crate) fn failure_error(body: &[u8], pid: u32) -> Error {
    match postcard::from_bytes::<Failure>(body) {
        Ok(failure) => failure_to_error(failure, pid),
        Err(e) => Error::from_kind(ErrorKind::Deserialize).with_detail(format!(
            "an unreadable failure report from worker process {pid}: {e}"
        )),
    }
}

pub(crate) fn failure_to_error(failure: Failure, pid: u32) -> Error {
    match failure {
        Failure::Panic { message, location } => Error::panicked(Panic::new(
            message,
            location,
            Some(format!("poolrt worker process {pid}")),
        )),
        Failure::Decode { what, message } => Error::new(ErrorKind::Deserialize, message)
            .with_detail(format!("{what} in worker process {pid}")),
        Failure::Encode { what, message } => Error::new(ErrorKind::Serialize, message)
            .with_detail(format!("{what} in worker process {pid}")),
        Failure::UnknownEntry { offset } => {
            Error::from_kind(ErrorKind::Spawn).with_detail(format!(
                "worker process {pid} has no function at offset {offset:#x}: a different build"
            ))
        }
        Failure::Init { message } => Error::new(ErrorKind::Initializer, message),
        Failure::Returned { message } => {
            Error::from_kind(ErrorKind::Failed).with_detail(format!("{message} (in process {pid})"))
        }
    }
}
