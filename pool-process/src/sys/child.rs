//! One child process this program spawned, held by a pidfd: the only way
//! the crate signals, waits for and reaps its children.
//!
//! A pid is just a number: once its process is reaped the kernel may give
//! it to an unrelated process, so a `kill(pid)` racing with a `waitpid`
//! can hit a stranger. A pidfd names one process for as long as the
//! descriptor is open, reaped or not. So:
//!
//! - [`ChildHandle::signal`] goes through the pidfd: after the child is
//!   gone (even reaped) it fails with `ESRCH` and signals nobody;
//! - waiting sleeps in `poll` on the pidfd, which becomes readable when the
//!   child exits, then reaps it with `waitid(P_PIDFD)`: no polling loop;
//! - the status is decoded once and kept, so every waiter sees it.
//!
//! The only constructor is [`super::spawn::spawn`], which opens the pidfd
//! right after `posix_spawn`: the child is ours and unreaped until a
//! handle waits for it, so the pid cannot have been reused in between.

use std::fmt;
use std::io;
use std::os::fd::OwnedFd;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use rustix::event::{PollFd, PollFlags, poll};
use rustix::process::{
    Pid, PidfdFlags, WaitId, WaitIdOptions, WaitIdStatus, pidfd_open, pidfd_send_signal, waitid,
};

/// How a child ended: the `status` of a [`WorkerExit`](crate::WorkerExit),
/// the cause of a task whose worker died.
///
/// # Examples
///
/// ```
/// use poolrt::process::{ExitReason, Pool, WorkerExit};
///
/// fn quits(code: i32) -> u8 {
///     std::process::exit(code)
/// }
///
/// let pool = Pool::new(1).unwrap();
/// let err = pool.apply(quits, 7).unwrap_err();
/// assert!(err.is_worker_lost());
/// let exit = std::error::Error::source(&err)
///     .and_then(|cause| cause.downcast_ref::<WorkerExit>())
///     .unwrap();
/// assert_eq!(exit.status, ExitReason::Code(7));
/// assert_eq!(exit.status.to_string(), "exited with code 7");
/// assert_eq!(
///     ExitReason::Signal(9).to_string(),
///     "was killed by signal 9 (SIGKILL)"
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitReason {
    /// It exited with this code.
    Code(i32),
    /// A signal killed it.
    Signal(i32),
    /// The status could not be read.
    Unknown,
}

impl ExitReason {
    fn decode(status: &WaitIdStatus) -> ExitReason {
        if let Some(code) = status.exit_status() {
            ExitReason::Code(code)
        } else if let Some(signal) = status.terminating_signal() {
            ExitReason::Signal(signal)
        } else {
            ExitReason::Unknown
        }
    }
}

impl fmt::Display for ExitReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExitReason::Code(code) => write!(f, "exited with code {code}"),
            ExitReason::Signal(sig) => match signal_name(*sig) {
                Some(name) => write!(f, "was killed by signal {sig} ({name})"),
                None => write!(f, "was killed by signal {sig}"),
            },
            ExitReason::Unknown => f.write_str("ended with an unknown status"),
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

/// The signals the crate sends its children.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Signal {
    /// `SIGTERM`: Python's `terminate`.
    Terminate,
    /// `SIGKILL`: Python's `kill`, and the last resort of a reap.
    Kill,
    /// `SIGINT`: Python's `interrupt`.
    Interrupt,
}

impl Signal {
    fn raw(self) -> rustix::process::Signal {
        match self {
            Signal::Terminate => rustix::process::Signal::TERM,
            Signal::Kill => rustix::process::Signal::KILL,
            Signal::Interrupt => rustix::process::Signal::INT,
        }
    }
}

/// A spawned child, named by a pidfd. Shared by reference between the
/// thread that waits for it and those that may signal it.
pub(crate) struct ChildHandle {
    pid: Pid,
    pidfd: OwnedFd,
    /// The status, once reaped. The lock also makes reaping one step: of
    /// two threads that see the pidfd readable, one reaps, the other reads
    /// the status it stored.
    status: Mutex<Option<ExitReason>>,
}

impl ChildHandle {
    /// Opens a handle on `pid`, which must be a child of this process that
    /// nothing has waited for yet (the caller just spawned it), so `pid`
    /// still names it. On failure the child is killed and reaped by pid,
    /// which is still safe for the same reason, so no child is orphaned.
    pub(super) fn open(pid: i32) -> io::Result<ChildHandle> {
        let pid = Pid::from_raw(pid).ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidData, "a spawned child has no pid")
        })?;
        match pidfd_open(pid, PidfdFlags::empty()) {
            Ok(pidfd) => Ok(ChildHandle {
                pid,
                pidfd,
                status: Mutex::new(None),
            }),
            Err(e) => {
                let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
                let _ = rustix::process::waitpid(Some(pid), rustix::process::WaitOptions::empty());
                Err(e.into())
            }
        }
    }

    /// The child's process id (for messages and `Process::pid`; never used
    /// to signal or wait).
    pub(crate) fn pid(&self) -> u32 {
        self.pid.as_raw_nonzero().get() as u32
    }

    /// A second descriptor on the child's pidfd, which becomes readable
    /// when the child exits (for `Process::sentinel`).
    pub(crate) fn pidfd_copy(&self) -> io::Result<OwnedFd> {
        self.pidfd.try_clone()
    }

    /// Sends `signal` to the child. Once the child has exited this fails
    /// with `ESRCH` (and after it was reaped, too): it never reaches
    /// another process, whatever became of the pid.
    pub(crate) fn signal(&self, signal: Signal) -> io::Result<()> {
        Ok(pidfd_send_signal(&self.pidfd, signal.raw())?)
    }

    /// The status, reaping the child if it has exited; `None` while it
    /// runs. A child that cannot be waited for (someone else reaped it,
    /// or `SIGCHLD` is ignored) reads as [`ExitReason::Unknown`].
    pub(crate) fn try_wait(&self) -> Option<ExitReason> {
        let mut status = self.status.lock();
        if status.is_none() {
            *status = match waitid(
                WaitId::PidFd(std::os::fd::AsFd::as_fd(&self.pidfd)),
                WaitIdOptions::EXITED | WaitIdOptions::NOHANG,
            ) {
                Ok(Some(raw)) => Some(ExitReason::decode(&raw)),
                Ok(None) => None,
                Err(rustix::io::Errno::INTR) => None,
                Err(_) => Some(ExitReason::Unknown),
            };
        }
        *status
    }

    /// Waits up to `timeout` for the child to exit and reaps it; `None` if
    /// it still runs then. Sleeps in `poll` on the pidfd, so the wake-up
    /// is the exit itself.
    pub(crate) fn wait_timeout(&self, timeout: Duration) -> Option<ExitReason> {
        self.wait_until(Instant::now().checked_add(timeout))
    }

    /// Waits for the child to exit and reaps it.
    pub(crate) fn wait(&self) -> ExitReason {
        self.wait_until(None).unwrap_or(ExitReason::Unknown)
    }

    /// Waits up to `grace` for the child to exit, then kills it; reaps it
    /// either way.
    pub(crate) fn reap(&self, grace: Duration) -> ExitReason {
        if let Some(status) = self.wait_timeout(grace) {
            return status;
        }
        let _ = self.signal(Signal::Kill);
        self.wait()
    }

    /// Kills the child and reaps it.
    pub(crate) fn kill_and_reap(&self) -> ExitReason {
        let _ = self.signal(Signal::Kill);
        self.wait()
    }

    fn wait_until(&self, deadline: Option<Instant>) -> Option<ExitReason> {
        loop {
            if let Some(status) = self.try_wait() {
                return Some(status);
            }
            let timeout = match deadline {
                None => None,
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return None;
                    }
                    Some(super::futex::timespec(left))
                }
            };
            let mut fds = [PollFd::new(&self.pidfd, PollFlags::IN)];
            match poll(&mut fds, timeout.as_ref()) {
                Ok(_) | Err(rustix::io::Errno::INTR) => {}
                // Cannot sleep on it: settle for what waitid says.
                Err(_) => return self.try_wait(),
            }
        }
    }
}

impl fmt::Debug for ChildHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildHandle")
            .field("pid", &self.pid())
            .field("status", &*self.status.lock())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::{Command, Stdio};

    /// A handle on a child spawned by `command` (std does not reap a
    /// `Child` it drops, so the handle is the only one to).
    fn spawn(command: &mut Command) -> (ChildHandle, std::process::Child) {
        let child = command.spawn().unwrap();
        (ChildHandle::open(child.id() as i32).unwrap(), child)
    }

    fn cat() -> (ChildHandle, std::process::Child) {
        spawn(
            Command::new("cat")
                .stdin(Stdio::piped())
                .stdout(Stdio::null()),
        )
    }

    #[test]
    fn wait_timeout_is_none_while_alive_and_the_status_after_exit() {
        let (handle, mut child) = cat();
        assert_eq!(handle.try_wait(), None);
        assert_eq!(handle.wait_timeout(Duration::from_millis(20)), None);
        // The event: end of input makes `cat` exit 0.
        drop(child.stdin.take());
        assert_eq!(
            handle.wait_timeout(Duration::from_secs(10)),
            Some(ExitReason::Code(0))
        );
        assert_eq!(handle.try_wait(), Some(ExitReason::Code(0)));
        assert_eq!(handle.wait(), ExitReason::Code(0));
    }

    #[test]
    fn exit_codes_and_signals_are_decoded() {
        let (handle, _child) = spawn(Command::new("sh").args(["-c", "exit 3"]));
        assert_eq!(handle.wait(), ExitReason::Code(3));

        let (handle, _child) = cat();
        handle.signal(Signal::Terminate).unwrap();
        assert_eq!(handle.wait(), ExitReason::Signal(15));

        let (handle, _child) = cat();
        assert_eq!(handle.kill_and_reap(), ExitReason::Signal(9));
        assert_eq!(
            ExitReason::Signal(9).to_string(),
            "was killed by signal 9 (SIGKILL)"
        );
        assert_eq!(ExitReason::Code(3).to_string(), "exited with code 3");
    }

    #[test]
    fn signal_after_reap_hits_nobody() {
        let (handle, _child) = spawn(Command::new("true").stdout(Stdio::null()));
        assert_eq!(handle.wait(), ExitReason::Code(0));
        // A bystander that would die of the signal, were it delivered by
        // pid to whoever holds the number now.
        let (bystander, mut stdin) = cat();
        let error = handle.signal(Signal::Kill).unwrap_err();
        assert_eq!(error.raw_os_error(), Some(libc::ESRCH));
        assert_eq!(bystander.try_wait(), None);
        drop(stdin.stdin.take());
        assert_eq!(bystander.wait(), ExitReason::Code(0));
    }

    #[test]
    fn reap_kills_a_child_that_outlives_its_grace() {
        let (handle, _child) = cat();
        assert_eq!(handle.reap(Duration::ZERO), ExitReason::Signal(9));
    }

    #[test]
    fn concurrent_waiters_all_see_the_status() {
        let (handle, mut child) = cat();
        std::thread::scope(|s| {
            let waiters: Vec<_> = (0..3).map(|_| s.spawn(|| handle.wait())).collect();
            drop(child.stdin.take());
            for waiter in waiters {
                assert_eq!(waiter.join().unwrap(), ExitReason::Code(0));
            }
        });
    }
}
