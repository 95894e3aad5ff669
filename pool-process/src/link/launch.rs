//! Steps 1 and 2 of a child's lifecycle: spawn it and wait for its
//! greeting. Shared by the links of a pool and by a single `Process`.

use super::exit::WorkerExit;
use std::ffi::OsStr;
use std::os::fd::OwnedFd;
use std::sync::Arc;
use std::time::{Duration, Instant};

use pool_core::{Error, ErrorKind};

use crate::sys::child::ChildHandle;
use crate::sys::mailbox::{Mailbox, RecvError};
use crate::sys::spawn::spawn;
use crate::sys::zygote::{self, Forked};
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
    /// Whether the child is a daemon, for `current_process` there.
    pub(crate) daemon: bool,
    pub(crate) startup_timeout: Duration,
    /// How long to spin for the greeting before sleeping on the socket.
    pub(crate) reply_spin: Duration,
    /// How the child starts: forked by the fork server when it can be
    /// (`sys/zygote/`), or spawned.
    pub(crate) start_method: StartMethod,
}

/// How a pool starts its worker processes (Python's start methods,
/// `multiprocessing.set_start_method`).
///
/// # Examples
///
/// ```
/// use poolrt::process::{Pool, StartMethod};
///
/// // Every worker re-executes the program's binary, as before the fork
/// // server existed (for a program that changes its resource limits or
/// // umask after its first pool, which forked workers would not see).
/// let pool = Pool::builder()
///     .processes(1)
///     .start_method(StartMethod::Spawn)
///     .build()
///     .unwrap();
/// assert_eq!(pool.apply(|x: u8| x + 1, 1).unwrap(), 2);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[doc(alias = "set_start_method")]
pub enum StartMethod {
    /// `posix_spawn` of the program's binary: each worker is a fresh
    /// `execve` (Python's `spawn`).
    Spawn,
    /// Forked by the program's fork server: one re-executed,
    /// single-threaded copy of the program, started with the first pool
    /// and kept for the program's lifetime (Python's `forkserver`). A
    /// worker starts several times faster; it gets the environment,
    /// working directory, standard streams and CPU affinity of the moment
    /// it starts, as a spawned one does. Where the fork server cannot run
    /// (no `clone3` or `PR_GET_TID_ADDRESS`), workers are spawned. The
    /// default.
    #[default]
    ForkServer,
}

impl Launch<'_> {
    /// Spawns the child, lets `listed` record its handle (an error there
    /// kills the child and is returned), and waits for its greeting. On
    /// any error the child is reaped. Returns its handle and mailbox.
    pub(crate) fn start(
        &self,
        listed: impl FnOnce(&Arc<ChildHandle>) -> Result<(), Error>,
    ) -> Result<(Arc<ChildHandle>, Mailbox), Error> {
        self.spawn(listed)?.greeted()
    }

    /// Step 1 alone: spawns the child and lets `listed` record its handle
    /// (an error there kills the child and is returned). The thread that
    /// calls this must outlive the child: the kernel's parent-death
    /// signal follows the spawning thread. The greeting can then be
    /// awaited on any thread ([`Spawned::greeted`]).
    pub(crate) fn spawn(
        &self,
        listed: impl FnOnce(&Arc<ChildHandle>) -> Result<(), Error>,
    ) -> Result<Spawned, Error> {
        let spawn_error =
            |e: std::io::Error| Error::new(ErrorKind::Spawn, e).with_detail(self.name.to_owned());
        let (mut mailbox, mut ends) = Mailbox::parent().map_err(spawn_error)?;
        let settings = Settings {
            parent: crate::sys::current::pid(),
            core: self.core,
            spin: self.child_spin,
            inherited: self.inherited.len(),
            name: self.name.to_owned(),
            daemon: self.daemon,
            parent_name: crate::process::current_process().name().to_owned(),
        };
        let rendered = settings.render();
        let forked = match self.start_method {
            StartMethod::ForkServer => zygote::spawn(
                MARKER,
                rendered.as_ref(),
                &ends.socket,
                &ends.region,
                self.inherited,
            )
            .map_err(spawn_error)?,
            StartMethod::Spawn => Forked::Unavailable,
        };
        let child = match forked {
            Forked::Child(child) => child,
            unforked => {
                if matches!(unforked, Forked::Tainted) {
                    // A worker the fork server may have forked holds the
                    // ends sent: the spawned one gets a mailbox of its own.
                    (mailbox, ends) = Mailbox::parent().map_err(spawn_error)?;
                }
                spawn(
                    self.program,
                    self.argv0,
                    (MARKER, rendered.as_ref()),
                    &ends.socket,
                    &ends.region,
                    self.inherited,
                )
                .map_err(spawn_error)?
            }
        };
        let child = Arc::new(child);
        drop(ends);
        if let Err(error) = listed(&child) {
            child.kill_and_reap();
            return Err(error);
        }
        Ok(Spawned {
            child,
            mailbox,
            startup_timeout: self.startup_timeout,
            reply_spin: self.reply_spin,
        })
    }
}

/// A child spawned and listed, whose greeting is still to come.
pub(crate) struct Spawned {
    child: Arc<ChildHandle>,
    mailbox: Mailbox,
    startup_timeout: Duration,
    reply_spin: Duration,
}

impl Spawned {
    /// Step 2: waits for the greeting; on an error the child is reaped.
    pub(crate) fn greeted(mut self) -> Result<(Arc<ChildHandle>, Mailbox), Error> {
        self.greeting()?;
        Ok((self.child, self.mailbox))
    }

    /// Step 2: waits (bounded by the start-up timeout) for the child's
    /// greeting and checks it names this build.
    fn greeting(&mut self) -> Result<(), Error> {
        let (child, mailbox) = (&self.child, &mut self.mailbox);
        let pid = child.pid();
        // A timeout too large for a deadline (`Duration::MAX`) means none.
        let deadline = Instant::now().checked_add(self.startup_timeout);
        let hello = match mailbox.recv(self.reply_spin, deadline) {
            Ok(bytes) => postcard::from_bytes::<Hello>(bytes).ok(),
            Err(RecvError::TimedOut) => {
                child.kill_and_reap();
                return Err(Error::from_kind(ErrorKind::Spawn).with_detail(format!(
                    "process {pid} did not start within {:?}",
                    self.startup_timeout
                )));
            }
            Err(_) => {
                let status = child.reap(Duration::from_secs(5));
                return Err(Error::new(
                    ErrorKind::Spawn,
                    WorkerExit { pid, status },
                )
                .with_detail("the process ended during start-up; is this a Linux binary that links pool-process?"));
            }
        };
        match hello {
            Some(hello) if hello.protocol == PROTOCOL && hello.fingerprint == fingerprint() => {
                Ok(())
            }
            other => {
                child.kill_and_reap();
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
