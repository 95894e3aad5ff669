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
//!    the child died), tells the child to exit, waits for it to exit
//!    *without reaping it*, then reaps it under the phase lock. So
//!    `terminate` and `kill`, which signal under that lock, can never
//!    signal a recycled pid.
//! 4. **Exit**: the first `start` registers an `atexit` hook with Python's
//!    exit rule: terminate the daemon children, join the others.

use std::fmt;
use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use parking_lot::{Condvar, Mutex};
use pool_core::{Error, ErrorKind};
use rustix::process::{Pid, Signal, WaitId, WaitIdOptions, WaitOptions, kill_process, waitid};

use crate::link::{ExitStatus, Launch, WorkerExit, decode_status, failure_error};
use crate::shared::inherit;
use crate::sys::boot;
use crate::sys::mailbox::Mailbox;
use crate::sys::spawn::{OWN_BINARY, own_argv0};
use crate::task::{self, InitOutcome, RunTarget, Star, StarFn, Target, Wire};
use crate::wire::codec::{self, Encoded};
use crate::wire::message::{self, OK, Request};

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
/// use pool_process::Process;
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
    /// The child runs its target.
    Running { pid: u32 },
    /// The child was reaped.
    Finished {
        pid: u32,
        status: ExitStatus,
        /// Why the target did not complete; `None` if it did.
        error: Option<Error>,
    },
}

/// Configures a [`Process`] before it exists, like the keyword arguments
/// of Python's `Process(name=..., daemon=...)`.
///
/// # Examples
///
/// ```
/// use pool_process::Process;
///
/// fn noop() {}
///
/// let p = Process::builder().name("worker-1").daemon(true).target(noop, ());
/// assert_eq!(p.name(), "worker-1");
/// assert!(p.is_daemon());
/// ```
#[derive(Clone, Debug)]
pub struct ProcessBuilder {
    name: Option<String>,
    daemon: bool,
    startup_timeout: Duration,
}

impl Default for ProcessBuilder {
    fn default() -> ProcessBuilder {
        ProcessBuilder::new()
    }
}

impl ProcessBuilder {
    /// Defaults: named `Process-N`, not a daemon, 30 s to start.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = pool_process::ProcessBuilder::new().target(|| {}, ());
    /// assert!(p.name().starts_with("Process-"));
    /// assert!(!p.is_daemon());
    /// ```
    pub fn new() -> ProcessBuilder {
        ProcessBuilder {
            name: None,
            daemon: false,
            startup_timeout: STARTUP_TIMEOUT,
        }
    }

    /// The process's name (Python's `name=`); only a label.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = pool_process::Process::builder().name("reader").target(|| {}, ());
    /// assert_eq!(p.name(), "reader");
    /// ```
    pub fn name(mut self, name: impl Into<String>) -> ProcessBuilder {
        self.name = Some(name.into());
        self
    }

    /// Whether the process dies with its parent (Python's `daemon=`).
    ///
    /// # Examples
    ///
    /// ```
    /// let p = pool_process::Process::builder().daemon(true).target(|| {}, ());
    /// assert!(p.is_daemon());
    /// ```
    pub fn daemon(mut self, daemon: bool) -> ProcessBuilder {
        self.daemon = daemon;
        self
    }

    /// How long `start` waits for the child to come up before it kills
    /// it and fails.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let p = pool_process::Process::builder()
    ///     .startup_timeout(Duration::from_secs(5))
    ///     .target(|| {}, ());
    /// p.start().unwrap();
    /// p.join().unwrap();
    /// ```
    pub fn startup_timeout(mut self, timeout: Duration) -> ProcessBuilder {
        self.startup_timeout = timeout;
        self
    }

    /// A process that will call `target` with `args` spread over its
    /// parameters (Python's `target=` and `args=`).
    ///
    /// # Examples
    ///
    /// ```
    /// fn add(a: i32, b: i32) {
    ///     assert_eq!(a + b, 5);
    /// }
    ///
    /// let p = pool_process::Process::builder().target(add, (2, 3));
    /// p.start().unwrap();
    /// p.join().unwrap();
    /// ```
    pub fn target<F, A, O>(self, target: F, args: A) -> Process
    where
        F: StarFn<A, O>,
        A: Wire,
        O: InitOutcome,
    {
        let _ = target;
        self.build(task::target_offset::<Star<F>, A, O>(), args)
    }

    /// A process that will call `value.run()` (Python's subclass with its
    /// own `run`).
    ///
    /// # Examples
    ///
    /// ```
    /// use pool_process::{Process, Target};
    /// use serde::{Deserialize, Serialize};
    ///
    /// #[derive(Serialize, Deserialize)]
    /// struct Hello(String);
    ///
    /// impl Target for Hello {
    ///     type Outcome = ();
    ///     fn run(self) {
    ///         println!("hello {}", self.0);
    ///     }
    /// }
    ///
    /// let p = Process::builder().name("greeter").run(Hello("alex".into()));
    /// p.start().unwrap();
    /// p.join().unwrap();
    /// ```
    pub fn run<T: Target>(self, value: T) -> Process {
        self.build(task::target_offset::<RunTarget<T>, T, T::Outcome>(), value)
    }

    fn build<A: Wire>(self, offset: u64, arg: A) -> Process {
        let (payload, inherited) = inherit::collect(|| codec::encode(arg));
        let phase = match payload {
            Ok(payload) => Phase::Initial(Job {
                offset,
                payload,
                inherited,
            }),
            Err(message) => Phase::Unstartable(
                Error::new(ErrorKind::Serialize, message).with_detail(format!(
                    "the target's arguments ({})",
                    std::any::type_name::<A>()
                )),
            ),
        };
        let name = self.name.unwrap_or_else(next_name);
        Process {
            inner: Arc::new(Inner {
                name,
                daemon: self.daemon,
                startup_timeout: self.startup_timeout,
                phase: Mutex::new(phase),
                changed: Condvar::new(),
            }),
        }
    }
}

/// `Process-1`, `Process-2`, ... as Python names them.
fn next_name() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(1);
    format!("Process-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// This process's name: set in a worker before `main` would run.
static CURRENT_NAME: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Records the name the parent gave this worker.
pub(crate) fn set_current_name(name: String) {
    let _ = CURRENT_NAME.set(name);
}

/// The process this code runs in (Python's
/// `multiprocessing.current_process()`): its name and pid.
///
/// # Examples
///
/// ```
/// use pool_process::{Process, current_process};
///
/// fn report() {
///     assert_eq!(current_process().name(), "reporter");
///     assert_eq!(current_process().pid(), std::process::id());
/// }
///
/// assert_eq!(current_process().name(), "MainProcess");
/// let p = Process::builder().name("reporter").target(report, ());
/// p.start().unwrap();
/// p.join().unwrap();
/// ```
pub fn current_process() -> CurrentProcess {
    CurrentProcess {
        name: CURRENT_NAME.get().map_or("MainProcess", String::as_str),
        pid: std::process::id(),
    }
}

/// What [`current_process`] reports.
///
/// # Examples
///
/// ```
/// let me = pool_process::current_process();
/// assert_eq!(me.to_string(), format!("MainProcess (pid {})", me.pid()));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CurrentProcess {
    name: &'static str,
    pid: u32,
}

impl CurrentProcess {
    /// `MainProcess` in the program's first process; in a child, the name
    /// of its [`Process`] (`Process-N` unless set), in a pool worker
    /// `PoolWorker-N`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(pool_process::current_process().name(), "MainProcess");
    /// ```
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The process id (Python's `current_process().pid`).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(pool_process::current_process().pid(), std::process::id());
    /// ```
    pub fn pid(&self) -> u32 {
        self.pid
    }
}

impl fmt::Display for CurrentProcess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (pid {})", self.name, self.pid)
    }
}

/// Processes started and not yet reaped.
static ACTIVE: Mutex<Vec<Process>> = Mutex::new(Vec::new());

/// The processes this program started that have not finished yet
/// (Python's `multiprocessing.active_children()`).
///
/// # Examples
///
/// ```
/// use pool_process::{Process, active_children};
///
/// fn noop() {}
///
/// let p = Process::new(noop, ());
/// p.start().unwrap();
/// p.join().unwrap();
/// assert!(active_children().iter().all(|c| c.pid() != p.pid()));
/// ```
pub fn active_children() -> Vec<Process> {
    ACTIVE.lock().clone()
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
    /// use pool_process::Process;
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
    /// use pool_process::{Process, Target};
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
    /// let p = pool_process::Process::builder().name("p1").target(|| {}, ());
    /// assert_eq!(p.name(), "p1");
    /// ```
    pub fn builder() -> ProcessBuilder {
        ProcessBuilder::new()
    }

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
    /// use pool_core::ErrorKind;
    /// use pool_process::Process;
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
                        _ => Error::from_kind(ErrorKind::InvalidState)
                            .with_detail(format!("{} was started before", self.inner.name)),
                    };
                    *phase = other;
                    return Err(error);
                }
            }
        };
        if !cfg!(target_os = "linux") {
            return self.start_failed(
                Error::from_kind(ErrorKind::Spawn)
                    .with_detail("the process backend runs on Linux only, for now"),
            );
        }
        boot::ensure_linked();
        register_exit_hook();
        let (started, outcome) = mpsc::sync_channel(1);
        let process = self.clone();
        let supervisor = std::thread::Builder::new()
            .name(format!("poolrt-process-{}", self.inner.name))
            .spawn(move || process.supervise(job, &started));
        if let Err(e) = supervisor {
            return self.start_failed(Error::new(ErrorKind::Spawn, e));
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
            startup_timeout: self.inner.startup_timeout,
            reply_spin: Duration::ZERO,
        };
        let launched = launch.start(|_| Ok(()));
        // The child has its own copies now (or will never need them): ours
        // would keep a pipe or socket open after the child closed it.
        drop(inherited);
        let (pid, mut mailbox) = match launched {
            Ok(child) => child,
            Err(error) => {
                let _ = started.send(Err(error));
                return;
            }
        };
        let head = message::request_head(Request::Call, offset);
        let parts: [&[u8]; 3] = [&head, &payload.head, &payload.body];
        let sent = mailbox.send(&parts).is_ok();
        *self.inner.phase.lock() = Phase::Running { pid: pid as u32 };
        ACTIVE.lock().push(self.clone());
        let _ = started.send(Ok(()));
        let failure = if sent {
            run_to_end(&mut mailbox, pid)
        } else {
            None
        };
        drop(mailbox);
        // Step 3: wait for the exit without reaping, so the pid stays ours
        // while `terminate` may still signal it under the phase lock.
        let raw = Pid::from_raw(pid).expect("a spawned child has a pid");
        let _ = waitid(
            WaitId::Pid(raw),
            WaitIdOptions::EXITED | WaitIdOptions::NOWAIT,
        );
        {
            let mut phase = self.inner.phase.lock();
            let status = match rustix::process::waitpid(Some(raw), WaitOptions::empty()) {
                Ok(Some((_, status))) => decode_status(status),
                _ => ExitStatus::Unknown,
            };
            let error = match (failure, status) {
                (Some(failure), _) => Some(failure),
                (None, ExitStatus::Code(0)) => None,
                (None, status) => Some(
                    Error::new(
                        ErrorKind::WorkerLost,
                        WorkerExit {
                            pid: pid as u32,
                            status,
                        },
                    )
                    .with_detail(format!("{} (pid {pid}) {status}", self.inner.name)),
                ),
            };
            // Gone from the active list before any `join` can return.
            ACTIVE.lock().retain(|p| p != self);
            *phase = Phase::Finished {
                pid: pid as u32,
                status,
                error,
            };
        }
        self.inner.changed.notify_all();
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
    /// use pool_core::ErrorKind;
    /// use pool_process::Process;
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
    /// use pool_process::Process;
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
        self.join_until(crate::shared::deadline_after(timeout))
    }

    fn join_until(&self, deadline: Option<std::time::Instant>) -> Result<bool, Error> {
        let mut phase = self.inner.phase.lock();
        loop {
            match &*phase {
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

    /// Asks the process to stop with `SIGTERM` (Python's `terminate`). Its
    /// [`exitcode`](Process::exitcode) becomes `-15`. Does nothing to a
    /// finished process.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidState`] if the process was never started.
    ///
    /// # Examples
    ///
    /// ```
    /// use pool_core::ErrorKind;
    /// use pool_process::Process;
    ///
    /// fn forever() {
    ///     loop {
    ///         std::thread::park();
    ///     }
    /// }
    ///
    /// let p = Process::new(forever, ());
    /// p.start().unwrap();
    /// p.terminate().unwrap();
    /// assert_eq!(p.join().unwrap_err().kind(), ErrorKind::WorkerLost);
    /// assert!(!p.is_alive());
    /// ```
    pub fn terminate(&self) -> Result<(), Error> {
        self.signal(Signal::TERM)
    }

    /// Kills the process with `SIGKILL` (Python's `kill`); its
    /// [`exitcode`](Process::exitcode) becomes `-9`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidState`] if the process was never started.
    ///
    /// # Examples
    ///
    /// ```
    /// use pool_process::Process;
    ///
    /// fn forever() {
    ///     loop {
    ///         std::thread::park();
    ///     }
    /// }
    ///
    /// let p = Process::new(forever, ());
    /// p.start().unwrap();
    /// p.kill().unwrap();
    /// assert!(p.join().is_err());
    /// assert_eq!(p.exitcode(), Some(-9));
    /// ```
    pub fn kill(&self) -> Result<(), Error> {
        self.signal(Signal::KILL)
    }

    fn signal(&self, signal: Signal) -> Result<(), Error> {
        let phase = self.inner.phase.lock();
        match *phase {
            Phase::Running { pid } => {
                // The supervisor reaps only under this lock: `pid` is still
                // our child (or its zombie), never a recycled number.
                if let Some(pid) = Pid::from_raw(pid as i32) {
                    let _ = kill_process(pid, signal);
                }
                Ok(())
            }
            Phase::Finished { .. } => Ok(()),
            Phase::Initial(_) | Phase::Unstartable(_) | Phase::Starting | Phase::StartFailed(_) => {
                Err(Error::from_kind(ErrorKind::InvalidState)
                    .with_detail(format!("{} is not running", self.inner.name)))
            }
        }
    }

    /// True from `start` until the child has ended and been reaped.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = pool_process::Process::new(|| {}, ());
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
    /// let p = pool_process::Process::new(|| {}, ());
    /// assert_eq!(p.pid(), None);
    /// p.start().unwrap();
    /// assert_ne!(p.pid(), Some(std::process::id()));
    /// p.join().unwrap();
    /// ```
    #[doc(alias = "ident")]
    pub fn pid(&self) -> Option<u32> {
        match *self.inner.phase.lock() {
            Phase::Running { pid } | Phase::Finished { pid, .. } => Some(pid),
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
    /// let p = pool_process::Process::new(exits, ());
    /// assert_eq!(p.exitcode(), None);
    /// p.start().unwrap();
    /// assert!(p.join().is_err());
    /// assert_eq!(p.exitcode(), Some(3));
    /// ```
    pub fn exitcode(&self) -> Option<i32> {
        match &*self.inner.phase.lock() {
            Phase::Finished { status, error, .. } => match status {
                ExitStatus::Code(0) if error.is_some() => Some(1),
                ExitStatus::Code(code) => Some(*code),
                ExitStatus::Signal(signal) => Some(-signal),
                ExitStatus::Unknown => None,
            },
            _ => None,
        }
    }

    /// The process's name: `Process-N` unless set.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = pool_process::Process::builder().name("p").target(|| {}, ());
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
    /// assert!(!pool_process::Process::new(|| {}, ()).is_daemon());
    /// ```
    pub fn is_daemon(&self) -> bool {
        self.inner.daemon
    }
}

/// Arranges for [`at_exit`] to run when the program exits normally.
fn register_exit_hook() {
    static REGISTER: std::sync::Once = std::sync::Once::new();
    REGISTER.call_once(|| {
        boot::at_exit(exit_hook);
    });
}

extern "C" fn exit_hook() {
    // Never unwind into the C library's `exit`.
    let _ = std::panic::catch_unwind(at_exit);
}

/// How long a daemon child has to end after `SIGTERM` at exit before it is
/// killed.
const DAEMON_GRACE: Duration = Duration::from_secs(1);

/// Python's exit rule: terminate the daemon children, wait for the others.
fn at_exit() {
    let children = active_children();
    for child in children.iter().filter(|c| c.is_daemon()) {
        let _ = child.terminate();
    }
    for child in &children {
        if child.is_daemon() {
            if !matches!(child.join_timeout(DAEMON_GRACE), Ok(true) | Err(_)) {
                let _ = child.kill();
                let _ = child.join();
            }
        } else {
            let _ = child.join();
        }
    }
}

/// Waits for the target's outcome; `Some(error)` when it failed. End of
/// file means the child died; the exit status tells the rest.
fn run_to_end(mailbox: &mut Mailbox, pid: i32) -> Option<Error> {
    let failure = match mailbox.recv(Duration::ZERO, None) {
        Ok(reply) => match reply.split_first() {
            Some((&OK, _)) => None,
            Some((_, body)) => Some(failure_error(body, pid as u32)),
            None => Some(failure_error(&[], pid as u32)),
        },
        Err(_) => return None,
    };
    let _ = mailbox.send(&[&message::request_head(Request::Exit, 0)]);
    failure
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
            Phase::Running { pid } => d.field("pid", pid).field("state", &"started"),
            Phase::Finished { pid, status, .. } => d
                .field("pid", pid)
                .field("state", &"stopped")
                .field("status", status),
        };
        if self.inner.daemon {
            d.field("daemon", &true);
        }
        d.finish()
    }
}
