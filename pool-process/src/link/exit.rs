//! How a child ended, what its failure reports mean, and reaping it.

use std::fmt;
use std::time::{Duration, Instant};

use pool_core::{Error, ErrorKind, Panic};
use rustix::process::{Pid, Signal, WaitOptions, kill_process, waitpid};

use crate::wire::message::Failure;

/// How a child ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// It exited with this code.
    Code(i32),
    /// A signal killed it.
    Signal(i32),
    /// The status could not be read.
    Unknown,
}

impl fmt::Display for ExitStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExitStatus::Code(code) => write!(f, "exited with code {code}"),
            ExitStatus::Signal(sig) => match signal_name(*sig) {
                Some(name) => write!(f, "was killed by signal {sig} ({name})"),
                None => write!(f, "was killed by signal {sig}"),
            },
            ExitStatus::Unknown => f.write_str("ended with an unknown status"),
        }
    }
}

fn signal_name(sig: i32) -> Option<&'static str> {
    Some(match sig {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        15 => "SIGTERM",
        _ => return None,
    })
}

/// The cause of a [`ErrorKind::WorkerLost`] error: which process (a pool's
/// worker or a `Process`) died, and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkerExit {
    /// The worker's process id.
    pub pid: u32,
    /// How it ended.
    pub status: ExitStatus,
}

impl fmt::Display for WorkerExit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "process {} {}", self.pid, self.status)
    }
}

impl std::error::Error for WorkerExit {}

/// Turns a worker's failure report into the task's error.
pub(crate) fn failure_error(body: &[u8], pid: u32) -> Error {
    match postcard::from_bytes::<Failure>(body) {
        Ok(failure) => failure_to_error(failure, pid),
        Err(e) => Error::from_kind(ErrorKind::Deserialize).with_detail(format!(
            "an unreadable failure report from process {pid}: {e}"
        )),
    }
}

pub(crate) fn failure_to_error(failure: Failure, pid: u32) -> Error {
    match failure {
        Failure::Panic { message, location } => Error::panicked(Panic::new(
            message,
            location,
            Some(format!("process {pid}")),
        )),
        Failure::Decode { what, message } => Error::new(ErrorKind::Deserialize, message)
            .with_detail(format!("{what} in process {pid}")),
        Failure::Encode { what, message } => Error::new(ErrorKind::Serialize, message)
            .with_detail(format!("{what} in process {pid}")),
        Failure::UnknownEntry { offset } => Error::from_kind(ErrorKind::UnknownFunction)
            .with_detail(format!(
                "process {pid} has none at offset {offset:#x}; it runs a different build"
            )),
        Failure::Init { message } => Error::new(ErrorKind::Initializer, message),
        Failure::Returned { message } => {
            Error::from_kind(ErrorKind::Failed).with_detail(format!("{message} (in process {pid})"))
        }
    }
}

/// Waits for `pid` to exit, killing it if it takes longer than `grace`.
pub(crate) fn reap(pid: i32, grace: Duration) -> ExitStatus {
    let Some(raw) = Pid::from_raw(pid) else {
        return ExitStatus::Unknown;
    };
    let deadline = Instant::now() + grace;
    loop {
        match waitpid(Some(raw), WaitOptions::NOHANG) {
            Ok(Some((_, status))) => return decode_status(status),
            Ok(None) => {}
            Err(_) => return ExitStatus::Unknown,
        }
        if Instant::now() >= deadline {
            let _ = kill_process(raw, Signal::KILL);
            return match waitpid(Some(raw), WaitOptions::empty()) {
                Ok(Some((_, status))) => decode_status(status),
                _ => ExitStatus::Unknown,
            };
        }
        std::thread::sleep(Duration::from_micros(50));
    }
}

/// Reaps `pid` if it has exited; true if it is gone (or no longer ours to
/// wait for).
pub(super) fn has_exited(pid: i32) -> bool {
    let Some(raw) = Pid::from_raw(pid) else {
        return true;
    };
    !matches!(waitpid(Some(raw), WaitOptions::NOHANG), Ok(None))
}

pub(super) fn kill_and_reap(pid: i32) {
    if let Some(raw) = Pid::from_raw(pid) {
        let _ = kill_process(raw, Signal::KILL);
    }
    reap(pid, Duration::from_secs(5));
}

pub(crate) fn decode_status(status: rustix::process::WaitStatus) -> ExitStatus {
    if let Some(code) = status.exit_status() {
        ExitStatus::Code(code)
    } else if let Some(sig) = status.terminating_signal() {
        ExitStatus::Signal(sig)
    } else {
        ExitStatus::Unknown
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
