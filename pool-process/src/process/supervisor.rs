//! Starting a `Process` and watching it to its end: steps 1 to 3 of
//! the lifecycle in `process/mod.rs`.

use std::sync::mpsc;
use std::time::Duration;

use pool_core::{Error, ErrorKind};

use crate::link::{ExitReason, Launch, StartMethod, failure_error};
use crate::sys::child::Signal;
use crate::sys::mailbox::Mailbox;
use crate::sys::spawn::{OWN_BINARY, own_argv0};
use crate::wire::message::{self, OK, Request};

use super::{Job, Phase, Process, children};

impl Process {
    /// Starts the child and hands it the target; returns once the child
    /// holds it.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidState`] if the process was started before;
    /// [`ErrorKind::Serialize`] if the arguments could not be serialized
    /// (the process is then still unstarted); [`ErrorKind::Spawn`] if the
    /// child could not be started or did not come up in time.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::ErrorKind;
    /// use poolrt::process::Process;
    ///
    /// let p = Process::new(|| {}, ());
    /// p.start().unwrap();
    /// assert_eq!(p.start().unwrap_err().kind(), ErrorKind::InvalidState);
    /// p.join().unwrap();
    /// ```
    pub fn start(&self) -> Result<(), Error> {
        let job = {
            let mut phase = self.inner.phase.lock();
            match std::mem::replace(&mut *phase, Phase::Starting) {
                Phase::Initial(job) => job,
                other => {
                    let error = match &other {
                        Phase::Unstartable(error) => error.clone(),
                        Phase::Closed => super::closed(&self.inner.name),
                        _ => Error::from_kind(ErrorKind::InvalidState)
                            .with_detail(format!("{} was started before", self.inner.name)),
                    };
                    *phase = other;
                    return Err(error);
                }
            }
        };
        crate::worker::ensure_linked();
        children::register_exit_hook();
        let (started, outcome) = mpsc::sync_channel(1);
        let process = self.clone();
        let supervisor = std::thread::Builder::new()
            .name(format!("poolrt-process-{}", self.inner.name))
            .spawn(move || process.supervise(job, &started));
        if let Err(e) = supervisor {
            return self.start_failed(
                Error::new(ErrorKind::Spawn, e).with_detail(self.inner.name.clone()),
            );
        }
        match outcome.recv() {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => self.start_failed(error),
            Err(_) => self.start_failed(
                Error::from_kind(ErrorKind::Spawn).with_detail("the supervisor thread ended"),
            ),
        }
    }

    fn start_failed(&self, error: Error) -> Result<(), Error> {
        self.set_phase(Phase::StartFailed(error.clone()));
        Err(error)
    }

    fn set_phase(&self, phase: Phase) {
        *self.inner.phase.lock() = phase;
        self.inner.changed.notify_all();
    }

    /// The supervisor thread (steps 1 and 3).
    fn supervise(&self, job: Job, started: &mpsc::SyncSender<Result<(), Error>>) {
        let Job {
            offset,
            payload,
            inherited,
        } = job;
        let argv0 = own_argv0();
        let launch = Launch {
            program: OWN_BINARY.as_ref(),
            argv0: &argv0,
            core: None,
            child_spin: Duration::ZERO,
            inherited: &inherited,
            name: &self.inner.name,
            daemon: self.inner.daemon,
            startup_timeout: self.inner.startup_timeout,
            reply_spin: Duration::ZERO,
            start_method: StartMethod::Spawn,
        };
        let launched = launch.start(|_| Ok(()));
        // The child has its own copies now (or will never need them): ours
        // would keep a pipe or socket open after the child closed it.
        drop(inherited);
        let (child, mut mailbox) = match launched {
            Ok(child) => child,
            Err(error) => {
                let _ = started.send(Err(error));
                return;
            }
        };
        let head = message::request_head(Request::Call, offset);
        let parts: [&[u8]; 3] = [&head, &payload.head, &payload.body];
        let sent = mailbox.send(&parts).is_ok();
        let pid = child.pid();
        *self.inner.phase.lock() = Phase::Running {
            pid,
            child: child.clone(),
        };
        children::add(self);
        let _ = started.send(Ok(()));
        let failure = if sent {
            run_to_end(&mut mailbox, pid)
        } else {
            None
        };
        drop(mailbox);
        // Step 3: wait for the exit and reap, through the pidfd; a signal
        // sent meanwhile goes through the same pidfd, so it can reach
        // nobody else.
        let status = child.wait();
        {
            let mut phase = self.inner.phase.lock();
            let error = match (failure, status) {
                (Some(failure), _) => Some(failure),
                (None, ExitReason::Code(0)) => None,
                // The detail says it all; `exitcode()` has it as a number.
                (None, status) => Some(
                    Error::from_kind(ErrorKind::WorkerLost)
                        .with_detail(format!("{} (pid {pid}) {status}", self.inner.name)),
                ),
            };
            // Gone from the active list before any `join` can return.
            children::remove(self);
            *phase = Phase::Finished { pid, status, error };
        }
        self.inner.changed.notify_all();
    }

    pub(super) fn signal(&self, signal: Signal) -> Result<(), Error> {
        let phase = self.inner.phase.lock();
        match *phase {
            Phase::Running { ref child, .. } => {
                // Through the pidfd: if the child has just ended, this
                // fails with ESRCH and signals nobody.
                let _ = child.signal(signal);
                Ok(())
            }
            Phase::Finished { .. } => Ok(()),
            Phase::Closed => Err(super::closed(&self.inner.name)),
            Phase::Initial(_) | Phase::Unstartable(_) | Phase::Starting | Phase::StartFailed(_) => {
                Err(Error::from_kind(ErrorKind::InvalidState)
                    .with_detail(format!("{} is not running", self.inner.name)))
            }
        }
    }
}

/// Waits for the target's outcome; `Some(error)` when it failed. End of
/// file means the child died; the exit status tells the rest.
fn run_to_end(mailbox: &mut Mailbox, pid: u32) -> Option<Error> {
    let failure = match mailbox.recv(Duration::ZERO, None) {
        Ok(reply) => match reply.split_first() {
            Some((&OK, _)) => None,
            Some((_, body)) => Some(failure_error(body, pid)),
            None => Some(failure_error(&[], pid)),
        },
        Err(_) => return None,
    };
    let _ = mailbox.send(&[&message::request_head(Request::Exit, 0)]);
    failure
}
