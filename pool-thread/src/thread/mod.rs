//! `Thread`: Python's `threading.Thread`, with names, daemon flags,
//! idents, and a join that reports the target's panic.
//!
//! The lifecycle and the meaning of "daemon" in a Rust process are in
//! `README.md` beside this file.

mod builder;
mod current;
mod error;
mod registry;
mod sys;

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::thread::ThreadId;
use std::time::Duration;

use parking_lot::{Condvar, Mutex};
use pool_core::{Error, ErrorKind};

use crate::deadline::{Deadline, DeadlineWait};

pub use self::builder::{Target, ThreadBuilder};
pub use self::current::{current_thread, get_ident, get_native_id};
#[allow(deprecated)]
pub use self::error::{JoinError, Run, StartError};
pub use self::registry::{join_non_daemon, join_non_daemon_timeout};
pub use pool_core::Daemon;

type BoxedTarget = Box<dyn FnOnce() -> Result<(), Error> + Send>;

/// A thread of control with Python's `threading.Thread` API.
///
/// Create it with [`Thread::new`] or [`Thread::builder`] (name, daemon
/// flag, stack size), then [`start`](Thread::start) it; `start` returns
/// once the thread runs, so [`ident`](Thread::ident) and
/// [`native_id`](Thread::native_id) are set. [`join`](Thread::join) waits
/// for it and reports a panic or error of its target as an [`Error`].
///
/// A `Thread` is a handle: clones refer to the same thread, and
/// [`current_thread`] returns a handle to the calling thread.
///
/// | Python | poolrt |
/// |---|---|
/// | `Thread(target=f)` | [`Thread::new(f)`](Thread::new) |
/// | `Thread(target=f, name="t", daemon=True)` | `Thread::builder().name("t").daemon(Daemon::Yes).target(f)` |
/// | `class T(Thread): def run(self)` | `impl Target for T`, `Thread::new(T { … })` |
/// | `join()`, `join(timeout)` | [`join()`](Thread::join), [`join_timeout(t)`](Thread::join_timeout) |
/// | `daemon` threads at exit | [`join_non_daemon`] |
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
/// use poolrt::thread::Thread;
///
/// let number = Arc::new(AtomicUsize::new(1000));
/// let t = Thread::new({
///     let number = number.clone();
///     move || number.store(100, SeqCst)
/// });
/// assert!(t.name().starts_with("Thread-"));
/// t.start().unwrap();
/// t.join().unwrap();
/// assert_eq!(number.load(SeqCst), 100); // threads share memory
/// ```
#[derive(Clone)]
#[doc(alias = "threading.Thread")]
pub struct Thread {
    inner: Arc<Inner>,
}

struct Inner {
    name: String,
    daemon: bool,
    stack_size: Option<usize>,
    state: Mutex<State>,
    changed: Condvar,
}

/// Everything that changes over a thread's life, under `Inner::state`.
struct State {
    phase: Phase,
    target: Option<BoxedTarget>,
    ident: Option<u64>,
    native_id: Option<u64>,
    os_thread: Option<ThreadId>,
    /// Why the target did not complete, once finished.
    failure: Option<Error>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Initial,
    Starting,
    Running,
    Finished,
    SpawnFailed,
}

/// Python's `_counter`: numbers the default names `Thread-N` (and
/// `Dummy-N`), starting at 1.
static NAMES: AtomicUsize = AtomicUsize::new(1);

/// Source of idents: process-unique and non-zero; never reused.
static IDENTS: AtomicU64 = AtomicU64::new(1);

fn next_name(prefix: &str) -> String {
    format!("{prefix}-{}", NAMES.fetch_add(1, Relaxed))
}

impl Thread {
    /// An unstarted thread that will run `target`, named `Thread-N`, daemon
    /// if the creating thread is (Python's rule; the main thread is not).
    ///
    /// `target` is a closure or any type implementing [`Target`], the
    /// counterpart of subclassing `Thread` and overriding `run`.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::thread::{Target, Thread};
    ///
    /// struct MyThread {
    ///     num: u32,
    /// }
    ///
    /// impl Target for MyThread {
    ///     type Outcome = ();
    ///     fn run(self) {
    ///         println!("running on number:{}", self.num);
    ///     }
    /// }
    ///
    /// let t = Thread::new(MyThread { num: 1 });
    /// t.start().unwrap();
    /// t.join().unwrap();
    /// ```
    pub fn new(target: impl Target) -> Thread {
        ThreadBuilder::new().target(target)
    }

    /// The same as [`Thread::new`], under the process backend's name
    /// (`Process::from_target`), so code written for one backend compiles
    /// against the other.
    ///
    /// # Examples
    ///
    /// ```
    /// let t = poolrt::thread::Thread::from_target(|| {});
    /// t.start().unwrap();
    /// t.join().unwrap();
    /// ```
    pub fn from_target(value: impl Target) -> Thread {
        ThreadBuilder::new().target(value)
    }

    /// A [`ThreadBuilder`] to set the name, daemon flag or stack size.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::thread::{Daemon, Thread};
    ///
    /// let t = Thread::builder().name("t.1").daemon(Daemon::Yes).target(|| {});
    /// assert_eq!(t.name(), "t.1");
    /// assert!(t.is_daemon());
    /// ```
    pub fn builder() -> ThreadBuilder {
        ThreadBuilder::new()
    }

    fn unstarted(
        name: String,
        daemon: bool,
        stack_size: Option<usize>,
        target: BoxedTarget,
    ) -> Thread {
        Thread::from_parts(name, daemon, stack_size, Phase::Initial, Some(target))
    }

    fn from_parts(
        name: String,
        daemon: bool,
        stack_size: Option<usize>,
        phase: Phase,
        target: Option<BoxedTarget>,
    ) -> Thread {
        Thread {
            inner: Arc::new(Inner {
                name,
                daemon,
                stack_size,
                state: Mutex::new(State {
                    phase,
                    target,
                    ident: None,
                    native_id: None,
                    os_thread: None,
                    failure: None,
                }),
                changed: Condvar::new(),
            }),
        }
    }

    /// Starts the thread and returns once it is running.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidState`] on a second call (Python's
    /// `RuntimeError`), [`ErrorKind::Spawn`] when the OS refuses a new
    /// thread: the same errors as `Process::start`.
    ///
    /// # Examples
    ///
    /// ```
    /// let t = poolrt::thread::Thread::new(|| {});
    /// t.start().unwrap();
    /// assert!(t.ident().is_some());
    /// t.join().unwrap();
    /// ```
    pub fn start(&self) -> Result<(), Error> {
        let target = {
            let mut state = self.inner.state.lock();
            if state.phase != Phase::Initial {
                return Err(Error::from_kind(ErrorKind::InvalidState)
                    .with_detail(format!("{} was started before", self.inner.name)));
            }
            state.phase = Phase::Starting;
            state.ident = Some(IDENTS.fetch_add(1, Relaxed));
            state.target.take()
        };
        if !self.inner.daemon {
            registry::register(self);
        }
        let mut builder = std::thread::Builder::new().name(self.inner.name.clone());
        if let Some(bytes) = self.inner.stack_size {
            builder = builder.stack_size(bytes);
        }
        let this = self.clone();
        if let Err(cause) = builder.spawn(move || this.run(target)) {
            self.set_phase(Phase::SpawnFailed);
            registry::unregister(self);
            return Err(Error::new(ErrorKind::Spawn, cause)
                .with_detail(format!("could not start {}", self.inner.name)));
        }
        // Python's `start` waits for `_started` the same way: the new thread
        // only records its ids before signalling, so this wait is short.
        let mut state = self.inner.state.lock();
        while state.phase == Phase::Starting {
            self.inner.changed.wait(&mut state);
        }
        Ok(())
    }

    /// The body of every thread this module starts.
    fn run(self, target: Option<BoxedTarget>) {
        current::set(self.clone());
        {
            let mut state = self.inner.state.lock();
            state.native_id = sys::native_id();
            state.os_thread = Some(std::thread::current().id());
            state.phase = Phase::Running;
        }
        self.inner.changed.notify_all();
        let failure = match target.map(pool_core::catch_panic) {
            Some(Ok(Ok(()))) | None => None,
            Some(Ok(Err(error))) => Some(error),
            Some(Err(panic)) => Some(Error::panicked(panic)),
        };
        // The standard panic hook has already printed the panic, as Python's
        // `threading.excepthook` does; `join` reports it again as a value.
        self.finish(failure);
        registry::unregister(&self);
    }

    /// Marks the thread finished (once) and wakes joiners.
    fn finish(&self, failure: Option<Error>) {
        let mut state = self.inner.state.lock();
        if state.phase != Phase::Finished {
            state.phase = Phase::Finished;
            state.failure = failure;
            drop(state);
            self.inner.changed.notify_all();
        }
    }

    fn set_phase(&self, phase: Phase) {
        self.inner.state.lock().phase = phase;
        self.inner.changed.notify_all();
    }

    /// Waits until the thread has finished.
    ///
    /// # Errors
    ///
    /// The same errors as `Process::join`: the target panicked
    /// ([`ErrorKind::Panicked`], every `join` reports it) or returned an
    /// error ([`ErrorKind::Failed`]); [`ErrorKind::InvalidState`] if the
    /// thread was never started or is the calling thread.
    ///
    /// # Examples
    ///
    /// ```
    /// let t = poolrt::thread::Thread::new(|| {});
    /// t.start().unwrap();
    /// assert!(t.join().is_ok());
    /// assert!(!t.is_alive());
    /// ```
    pub fn join(&self) -> Result<(), Error> {
        self.join_until(Deadline::Never).map(drop)
    }

    /// Waits at most `timeout`; returns whether the thread finished
    /// (Python's `join(timeout)` followed by `not is_alive()`).
    ///
    /// # Errors
    ///
    /// As for [`join`](Thread::join).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Duration;
    /// use poolrt::thread::{Event, Thread};
    ///
    /// let go = Arc::new(Event::new().unwrap());
    /// let t = Thread::new({
    ///     let go = go.clone();
    ///     move || go.wait()
    /// });
    /// t.start().unwrap();
    /// assert!(!t.join_timeout(Duration::from_millis(10)).unwrap());
    /// go.set();
    /// assert!(t.join_timeout(Duration::from_secs(10)).unwrap());
    /// ```
    #[doc(alias = "join(timeout)")]
    pub fn join_timeout(&self, timeout: Duration) -> Result<bool, Error> {
        self.join_until(Deadline::after(timeout))
    }

    pub(crate) fn join_until(&self, deadline: Deadline) -> Result<bool, Error> {
        let mut state = self.inner.state.lock();
        if state.os_thread == Some(std::thread::current().id()) && state.phase != Phase::Finished {
            return Err(Error::from_kind(ErrorKind::InvalidState)
                .with_detail(format!("{} cannot join itself", self.inner.name)));
        }
        loop {
            match state.phase {
                Phase::Initial | Phase::SpawnFailed => {
                    return Err(Error::from_kind(ErrorKind::InvalidState)
                        .with_detail(format!("{} was never started", self.inner.name)));
                }
                Phase::Finished => {
                    return match &state.failure {
                        Some(error) => Err(error.clone()),
                        None => Ok(true),
                    };
                }
                Phase::Starting | Phase::Running => {
                    if !deadline.wait(&self.inner.changed, &mut state) {
                        return Ok(false);
                    }
                }
            }
        }
    }

    /// True from the moment the thread runs until its target returns or
    /// panics.
    ///
    /// # Examples
    ///
    /// ```
    /// let t = poolrt::thread::Thread::new(|| {});
    /// assert!(!t.is_alive());
    /// t.start().unwrap();
    /// t.join().unwrap();
    /// assert!(!t.is_alive());
    /// ```
    #[doc(alias = "isAlive")]
    pub fn is_alive(&self) -> bool {
        self.inner.state.lock().phase == Phase::Running
    }

    /// True while started and not finished (the join registry's filter).
    fn is_alive_or_starting(&self) -> bool {
        matches!(
            self.inner.state.lock().phase,
            Phase::Starting | Phase::Running
        )
    }

    /// The thread's name: given to the builder, or `Thread-N`. The OS
    /// thread carries it too, so panic messages name it.
    ///
    /// # Examples
    ///
    /// ```
    /// let t = poolrt::thread::Thread::builder().name("worker").target(|| {});
    /// assert_eq!(t.name(), "worker");
    /// ```
    #[doc(alias = "getName")]
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// True for a daemon thread: one that [`join_non_daemon`] does not wait
    /// for.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::thread::{Daemon, Thread};
    ///
    /// assert!(Thread::builder().daemon(Daemon::Yes).target(|| {}).is_daemon());
    /// assert!(!Thread::builder().daemon(Daemon::No).target(|| {}).is_daemon());
    /// ```
    #[doc(alias = "daemon")]
    #[doc(alias = "isDaemon")]
    pub fn is_daemon(&self) -> bool {
        self.inner.daemon
    }

    /// A process-unique non-zero number for this thread, set by `start`
    /// (`None` before). poolrt never reuses one, where Python may reuse the
    /// ident of a finished thread.
    ///
    /// # Examples
    ///
    /// ```
    /// let t = poolrt::thread::Thread::new(|| {});
    /// assert_eq!(t.ident(), None);
    /// t.start().unwrap();
    /// assert!(t.ident().unwrap() > 0);
    /// ```
    pub fn ident(&self) -> Option<u64> {
        self.inner.state.lock().ident
    }

    /// The OS thread id (Linux's TID), set by `start`; `None` before, or
    /// where the OS does not tell.
    ///
    /// # Examples
    ///
    /// ```
    /// let t = poolrt::thread::Thread::new(|| {});
    /// t.start().unwrap();
    /// # #[cfg(target_os = "linux")]
    /// assert!(t.native_id().is_some());
    /// ```
    pub fn native_id(&self) -> Option<u64> {
        self.inner.state.lock().native_id
    }
}

impl PartialEq for Thread {
    fn eq(&self, other: &Thread) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl Eq for Thread {}

impl fmt::Debug for Thread {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.inner.state.lock();
        f.debug_struct("Thread")
            .field("name", &self.inner.name)
            .field("daemon", &self.inner.daemon)
            .field("phase", &state.phase)
            .field("ident", &state.ident)
            .finish()
    }
}
