//! Steps 1 and 2 of a child's lifecycle: spawn it and wait for its
//! greeting. Shared by the links of a pool and by a single `Process`.

use super::exit::{WorkerExit, kill_and_reap, reap};
use std::ffi::OsStr;
use std::os::fd::OwnedFd;
use std::time::{Duration, Instant};

use pool_core::{Error, ErrorKind};

use crate::sys::mailbox::{Mailbox, RecvError};
use crate::sys::spawn::spawn;
use crate::wire::message::{Hello, PROTOCOL};
use crate::worker::fingerprint::fingerprint;
use crate::worker::{MARKER, Settings};

/// How to start one child: steps 1 and 2, shared by the links of a pool
/// and by a single [`Process`](crate::Process).
pub(crate) struct Launch<'a> {
    pub(crate) program: &'a OsStr,
    pub(crate) argv0: &'a OsStr,
    pub(crate) core: Option<usize>,
    pub(crate) child_spin: Duration,
    /// Descriptors of shared objects the child inherits (a `Process`'s).
    pub(crate) inherited: &'a [OwnedFd],
    /// The child's name, for `current_process` there.
    pub(crate) name: &'a str,
    pub(crate) startup_timeout: Duration,
    /// How long to spin for the greeting before sleeping on the socket.
    pub(crate) reply_spin: Duration,
}

impl Launch<'_> {
    /// Spawns the child, lets `listed` record its pid (an error there
    /// kills the child and is returned), and waits for its greeting. On
    /// any error the child is reaped. Returns its pid and mailbox.
    pub(crate) fn start(
        &self,
        listed: impl FnOnce(i32) -> Result<(), Error>,
    ) -> Result<(i32, Mailbox), Error> {
        let spawn_error =
            |e: std::io::Error| Error::new(ErrorKind::Spawn, e).with_detail(self.name);
        let (mut mailbox, ends) = Mailbox::parent().map_err(spawn_error)?;
        let settings = Settings {
            parent: rustix::process::getpid().as_raw_nonzero().get(),
            core: self.core,
            spin: self.child_spin,
            inherited: self.inherited.len(),
            name: self.name.to_owned(),
        };
        let pid = spawn(
            self.program,
            self.argv0,
            (MARKER, settings.render().as_ref()),
            &ends.socket,
            &ends.region,
            self.inherited,
        )
        .map_err(spawn_error)?;
        drop(ends);
        if let Err(error) = listed(pid) {
            kill_and_reap(pid);
            return Err(error);
        }
        self.greeting(pid, &mut mailbox)?;
        Ok((pid, mailbox))
    }

    /// Step 2: waits (bounded by the start-up timeout) for the child's
    /// greeting and checks it names this build.
    fn greeting(&self, pid: i32, mailbox: &mut Mailbox) -> Result<(), Error> {
        // A timeout too large for a deadline (`Duration::MAX`) means none.
        let deadline = Instant::now().checked_add(self.startup_timeout);
        let hello = match mailbox.recv(self.reply_spin, deadline) {
            Ok(bytes) => postcard::from_bytes::<Hello>(bytes).ok(),
            Err(RecvError::TimedOut) => {
                kill_and_reap(pid);
                return Err(Error::from_kind(ErrorKind::Spawn).with_detail(format!(
                    "process {pid} did not start within {:?}",
                    self.startup_timeout
                )));
            }
            Err(_) => {
                let status = reap(pid, Duration::from_secs(5));
                return Err(Error::new(
                    ErrorKind::Spawn,
                    WorkerExit {
                        pid: pid as u32,
                        status,
                    },
                )
                .with_detail("the process ended during start-up; is this a Linux binary that links pool-process?"));
            }
        };
        match hello {
            Some(hello) if hello.protocol == PROTOCOL && hello.fingerprint == fingerprint() => {
                Ok(())
            }
            other => {
                kill_and_reap(pid);
                Err(Error::from_kind(ErrorKind::Spawn).with_detail(match other {
                    Some(hello) => format!(
                        "process {pid} runs a different build (protocol {} vs {PROTOCOL}, fingerprint {:#x} vs {:#x})",
                        hello.protocol,
                        hello.fingerprint,
                        fingerprint()
                    ),
                    None => format!("process {pid} sent an unreadable greeting"),
                }))
            }
        }
    }
}
