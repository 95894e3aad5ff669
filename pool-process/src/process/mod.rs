//! `Process`: Python's `multiprocessing.Process`, one child process that
//! runs one target.
//!
//! # How a process runs, step by step
//!
//! 1. **Start**: `start` hands the encoded target to a *supervisor*
//!    thread, which launches the child exactly as a pool starts a worker
//!    (re-executing this binary, with a private mailbox and the build
//!    handshake; see `link.rs`). The kernel ties the child's life to the
//!    thread that spawned it; the supervisor lives until the child is
//!    reaped, so the child dies with the parent process and no earlier.
//!    `start` returns once the child has greeted and holds its target.
//! 2. **Run**: the child runs the target under `catch_unwind`; the usual
//!    "panicked at" line goes to its stderr, like Python's traceback.
//! 3. **End**: the supervisor gets the target's outcome (or end-of-file if
//!    the child died), tells the child to exit, and waits for it through
//!    its child handle (`sys/child.rs`), which sleeps on the child's pidfd
//!    and reaps it. `terminate` and `kill` signal through the same pidfd,
//!    so a signal that races with the reaping reaches nobody, never a
//!    process that got the recycled pid. The supervisor then records the
//!    status under the phase lock and wakes the joiners.
//! 4. **Exit**: the first `start` registers an `atexit` hook with Python's
//!    exit rule: terminate the daemon children, join the others.

mod builder;
mod children;
mod current;
mod signals;
mod supervisor;

pub use builder::ProcessBuilder;
pub use children::active_children;
pub use current::{CurrentProcess, ParentProcess, current_process, parent_process};

use std::fmt;
use std::os::fd::OwnedFd;
use std::sync::Arc;
use std::time::Duration;

use crate::link::ExitReason;
use crate::sys::child::ChildHandle;
use crate::task::{InitOutcome, StarFn, Target, Wire};
use crate::wire::codec::Encoded;
use parking_lot::{Condvar, Mutex};
use pool_core::{Error, ErrorKind};

/// How long `start` waits for a new child to greet, by default.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);

/// A child process running one target: Python's `multiprocessing.Process`.
///
/// The target is a fn item or a closure that captures nothing, called
/// with an argument tuple ([`Process::new`], like `Process(target=f,
/// args=(...))`), or a value of your own type that implements [`Target`]
/// ([`Process::from_target`], like subclassing `Process` and overriding
/// `run`). Either way the target and its arguments are serde values sent
/// to the child, which is a fresh copy of this program: globals of the
/// parent are not shared, exactly as in Python.
///
/// Clones are handles to the same process.
///
/// # When the child's target returns
///
/// As in Python, the child then waits for the non-daemon
/// `poolrt::thread::Thread`s it started, and exits once they end; its
/// daemon threads do not hold it.
///
/// # When the parent exits
///
/// As in Python, when the program exits normally (`main` returns, or
/// `std::process::exit`), it first terminates its daemon children, then
/// waits for the others to finish. If the parent dies abruptly (killed by
/// a signal), every child dies with it: the kernel's parent-death signal
/// sees to it, so no child is ever left running on its own.
///
/// # Examples
///
/// ```
/// use poolrt::process::Process;
///
/// fn greet(name: String, times: u32) {
///     for _ in 0..times {
///         println!("hello {name} from process {}", std::process::id());
///     }
/// }
///
/// let p = Process::new(greet, ("egon".to_owned(), 2));
/// p.start().unwrap();
/// assert!(p.pid().is_some());
/// p.join().unwrap();
/// assert_eq!(p.exitcode(), Some(0));
/// assert!(!p.is_alive());
/// ```
///
#[derive(Clone)]
pub struct Process {
    inner: Arc<Inner>,
}

struct Inner {
    name: String,
    daemon: bool,
    startup_timeout: Duration,
    phase: Mutex<Phase>,
    changed: Condvar,
}

/// The target, ready to send: entry offset and encoded arguments.
struct Job {
    offset: u64,
    payload: Encoded,
    /// Descriptors of the shared objects among the arguments.
    inherited: Vec<OwnedFd>,
}

enum Phase {
    /// Not started; `start` takes the job.
    Initial(Job),
    /// Not started, and cannot be: the arguments failed to serialize.
    Unstartable(Error),
    /// `start` is launching the child.
    Starting,
    /// `start` failed; the error says why.
    StartFailed(Error),
    /// The child runs its target; `child` signals it (through its pidfd,
    /// so never a stranger that got its pid).
    Running { pid: u32, child: Arc<ChildHandle> },
    /// The child was reaped.
    Finished {
        pid: u32,
        status: ExitReason,
        /// Why the target did not complete; `None` if it did.
        error: Option<Error>,
    },
    /// `close` released the process object.
    Closed,
}

/// The error of every call on a closed process (Python's `ValueError`).
fn closed(name: &str) -> Error {
    Error::from_kind(ErrorKind::InvalidState).with_detail(format!("{name} is closed"))
}

impl Process {
    /// A process that will call `target` with `args` spread over its
    /// parameters: `Process::new(f, (a, b))` is Python's
    /// `Process(target=f, args=(a, b))`; use `()` for no arguments and
    /// `(a,)` for one.
    ///
    /// An argument that cannot be serialized is reported by
    /// [`start`](Process::start).
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::Process;
    ///
    /// fn task(name: String) {
    ///     println!("{name} is running in {}", std::process::id());
    /// }
    ///
    /// let p = Process::new(task, ("egon".to_owned(),));
    /// p.start().unwrap();
    /// p.join().unwrap();
    /// ```
    pub fn new<F, A, O>(target: F, args: A) -> Process
    where
        F: StarFn<A, O>,
        A: Wire,
        O: InitOutcome,
    {
        ProcessBuilder::new().target(target, args)
    }

    /// A process that will call `value.run()`: the counterpart of a
    /// subclass of Python's `Process` with its own `run`. See [`Target`].
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::{Process, Target};
    /// use serde::{Deserialize, Serialize};
    ///
    /// #[derive(Serialize, Deserialize)]
    /// struct Square(u64);
    ///
    /// impl Target for Square {
    ///     type Outcome = Result<(), String>;
    ///     fn run(self) -> Result<(), String> {
    ///         self.0.checked_mul(self.0).map(drop).ok_or_else(|| "overflow".to_owned())
    ///     }
    /// }
    ///
    /// let p = Process::from_target(Square(u64::MAX));
    /// p.start().unwrap();
    /// assert!(p.join().unwrap_err().to_string().contains("overflow"));
    /// ```
    pub fn from_target<T: Target>(value: T) -> Process {
        ProcessBuilder::new().run(value)
    }

    /// Settings beyond the target: name, daemon flag, start-up timeout.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = poolrt::process::Process::builder().name("p1").target(|| {}, ());
    /// assert_eq!(p.name(), "p1");
    /// ```
    pub fn builder() -> ProcessBuilder {
        ProcessBuilder::new()
    }

    /// Waits until the process has finished, and reports how it ended.
    ///
    /// # Errors
    ///
    /// Why the target did not complete: it panicked ([`ErrorKind::Panicked`],
    /// with message and location), returned an error ([`ErrorKind::Failed`]),
    /// or the child exited with another code or was killed by a signal
    /// ([`ErrorKind::WorkerLost`], with the pid and the code or signal).
    /// [`ErrorKind::InvalidState`] if it was never started.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::ErrorKind;
    /// use poolrt::process::Process;
    ///
    /// fn fails(n: u32) {
    ///     assert!(n < 3, "n is {n}");
    /// }
    ///
    /// let p = Process::new(fails, (7,));
    /// p.start().unwrap();
    /// let error = p.join().unwrap_err();
    /// assert_eq!(error.kind(), ErrorKind::Panicked);
    /// assert_eq!(error.panic().unwrap().message(), "n is 7");
    /// assert_eq!(p.exitcode(), Some(1));
    /// ```
    pub fn join(&self) -> Result<(), Error> {
        self.join_until(None).map(drop)
    }

    /// Waits at most `timeout`; returns whether the process finished
    /// (Python's `join(timeout)` followed by `not is_alive()`). A timeout
    /// only stops the wait.
    ///
    /// # Errors
    ///
    /// As for [`join`](Process::join), once the process has finished.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use poolrt::process::Process;
    ///
    /// fn forever() {
    ///     loop {
    ///         std::thread::park();
    ///     }
    /// }
    ///
    /// let p = Process::new(forever, ());
    /// p.start().unwrap();
    /// assert!(!p.join_timeout(Duration::from_millis(20)).unwrap());
    /// p.terminate().unwrap();
    /// assert!(p.join_timeout(Duration::from_secs(30)).is_err());
    /// assert_eq!(p.exitcode(), Some(-15));
    /// ```
    #[doc(alias = "join(timeout)")]
    pub fn join_timeout(&self, timeout: Duration) -> Result<bool, Error> {
        self.join_until(pool_core::Deadline::after(timeout).instant())
    }

    fn join_until(&self, deadline: Option<std::time::Instant>) -> Result<bool, Error> {
        let mut phase = self.inner.phase.lock();
        loop {
            match &*phase {
                Phase::Closed => return Err(closed(&self.inner.name)),
                Phase::Initial(_) | Phase::Unstartable(_) => {
                    return Err(Error::from_kind(ErrorKind::InvalidState)
                        .with_detail(format!("{} was never started", self.inner.name)));
                }
                Phase::StartFailed(error) => {
                    return Err(Error::new(ErrorKind::InvalidState, error.clone())
                        .with_detail(format!("{} failed to start", self.inner.name)));
                }
                Phase::Finished { error, .. } => {
                    return match error {
                        Some(error) => Err(error.clone()),
                        None => Ok(true),
                    };
                }
                Phase::Starting | Phase::Running { .. } => match deadline {
                    None => self.inner.changed.wait(&mut phase),
                    Some(deadline) => {
                        if self
                            .inner
                            .changed
                            .wait_until(&mut phase, deadline)
                            .timed_out()
                            && matches!(*phase, Phase::Starting | Phase::Running { .. })
                        {
                            return Ok(false);
                        }
                    }
                },
            }
        }
    }

    /// Releases the process object (Python's `close`): every later call
    /// that needs it fails with [`ErrorKind::InvalidState`], and `pid` and
    /// `exitcode` are `None`. Closing twice is harmless.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidState`] while the process runs (or starts):
    /// join or terminate it first, as Python asks.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::ErrorKind;
    /// use poolrt::process::Process;
    ///
    /// let p = Process::new(|| {}, ());
    /// p.start().unwrap();
    /// p.join().unwrap();
    /// p.close().unwrap();
    /// assert_eq!(p.join().unwrap_err().kind(), ErrorKind::InvalidState);
    /// assert_eq!(p.exitcode(), None);
    /// ```
    pub fn close(&self) -> Result<(), Error> {
        let mut phase = self.inner.phase.lock();
        if let Phase::Starting | Phase::Running { .. } = *phase {
            return Err(
                Error::from_kind(ErrorKind::InvalidState).with_detail(format!(
                    "cannot close {} while it runs; join or terminate it first",
                    self.inner.name
                )),
            );
        }
        // Drops an unstarted target with its arguments' descriptors.
        *phase = Phase::Closed;
        drop(phase);
        self.inner.changed.notify_all();
        Ok(())
    }

    /// True from `start` until the child has ended and been reaped.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = poolrt::process::Process::new(|| {}, ());
    /// assert!(!p.is_alive());
    /// p.start().unwrap();
    /// p.join().unwrap();
    /// assert!(!p.is_alive());
    /// ```
    pub fn is_alive(&self) -> bool {
        matches!(*self.inner.phase.lock(), Phase::Running { .. })
    }

    /// The child's process id, once started (Python's `pid`).
    ///
    /// # Examples
    ///
    /// ```
    /// let p = poolrt::process::Process::new(|| {}, ());
    /// assert_eq!(p.pid(), None);
    /// p.start().unwrap();
    /// assert_ne!(p.pid(), Some(std::process::id()));
    /// p.join().unwrap();
    /// ```
    #[doc(alias = "ident")]
    pub fn pid(&self) -> Option<u32> {
        match *self.inner.phase.lock() {
            Phase::Running { pid, .. } | Phase::Finished { pid, .. } => Some(pid),
            _ => None,
        }
    }

    /// Python's `exitcode`: `None` while running (or never started), `0`
    /// when the target completed, `1` when it panicked or returned an
    /// error, the code it passed to `std::process::exit`, or `-N` when
    /// signal `N` killed it.
    ///
    /// # Examples
    ///
    /// ```
    /// fn exits() {
    ///     std::process::exit(3);
    /// }
    ///
    /// let p = poolrt::process::Process::new(exits, ());
    /// assert_eq!(p.exitcode(), None);
    /// p.start().unwrap();
    /// assert!(p.join().is_err());
    /// assert_eq!(p.exitcode(), Some(3));
    /// ```
    pub fn exitcode(&self) -> Option<i32> {
        match &*self.inner.phase.lock() {
            Phase::Finished { status, error, .. } => match status {
                ExitReason::Code(0) if error.is_some() => Some(1),
                ExitReason::Code(code) => Some(*code),
                ExitReason::Signal(signal) => Some(-signal),
                ExitReason::Unknown => None,
            },
            _ => None,
        }
    }

    /// The exit code, as [`exitcode`](Process::exitcode) (the name
    /// Python uses): `None` while it runs, `-N` after signal `N`.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = poolrt::process::Process::new(|| {}, ());
    /// p.start().unwrap();
    /// p.join().unwrap();
    /// assert_eq!(p.exit_code(), Some(0));
    /// ```
    #[doc(alias = "exitcode")]
    pub fn exit_code(&self) -> Option<i32> {
        self.exitcode()
    }

    /// A descriptor that becomes readable when the process ends (Python's
    /// `sentinel`), to wait for it together with connections in
    /// [`connection::wait`](crate::connection::wait). Each call gives a
    /// new [`Sentinel`](crate::connection::Sentinel); one taken after the
    /// process was reaped is readable at once.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidState`] if the process was not started (or is
    /// still starting, or failed to); [`ErrorKind::Io`] if the descriptor
    /// could not be duplicated.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use poolrt::process::Process;
    /// use poolrt::process::connection::wait;
    ///
    /// let p = Process::new(|| {}, ());
    /// assert!(p.sentinel().is_err(), "not started");
    /// p.start().unwrap();
    /// let sentinel = p.sentinel().unwrap();
    /// assert_eq!(wait([&sentinel], Some(Duration::from_secs(30))).unwrap().len(), 1);
    /// p.join().unwrap();
    /// ```
    pub fn sentinel(&self) -> Result<crate::connection::Sentinel, Error> {
        match &*self.inner.phase.lock() {
            Phase::Running { child, .. } => child
                .pidfd_copy()
                .map(crate::connection::Sentinel::new)
                .map_err(|e| {
                    Error::new(ErrorKind::Io, e)
                        .with_detail(format!("duplicating the pidfd of {}", self.inner.name))
                }),
            Phase::Finished { .. } => crate::connection::Sentinel::ended(),
            _ => Err(Error::from_kind(ErrorKind::InvalidState)
                .with_detail(format!("{} is not started", self.inner.name))),
        }
    }

    /// The process's name: `Process-N` unless set.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = poolrt::process::Process::builder().name("p").target(|| {}, ());
    /// assert_eq!(p.name(), "p");
    /// ```
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// Whether the process dies with its parent.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!poolrt::process::Process::new(|| {}, ()).is_daemon());
    /// ```
    pub fn is_daemon(&self) -> bool {
        self.inner.daemon
    }
}

impl PartialEq for Process {
    fn eq(&self, other: &Process) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl Eq for Process {}

impl fmt::Debug for Process {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let phase = self.inner.phase.lock();
        let mut d = f.debug_struct("Process");
        d.field("name", &self.inner.name);
        match &*phase {
            Phase::Initial(_) | Phase::Unstartable(_) => d.field("state", &"initial"),
            Phase::Starting => d.field("state", &"starting"),
            Phase::StartFailed(_) => d.field("state", &"failed to start"),
            Phase::Running { pid, .. } => d.field("pid", pid).field("state", &"started"),
            Phase::Finished { pid, status, .. } => d
                .field("pid", pid)
                .field("state", &"stopped")
                .field("status", status),
            Phase::Closed => d.field("state", &"closed"),
        };
        if self.inner.daemon {
            d.field("daemon", &true);
        }
        d.finish()
    }
}
