//! `ThreadBuilder`: the keyword arguments of Python's `Thread(...)`, and
//! `Target`, the counterpart of overriding `Thread.run`.

use pool_core::{Daemon, Error, ErrorKind, Outcome};

use super::{Thread, current, next_name};

/// What a [`Thread`] runs: the counterpart of subclassing Python's `Thread`
/// and overriding `run`, shaped like the process backend's `Target`. Every
/// `FnOnce() -> O + Send + 'static` closure whose `O` is `()` or a
/// `Result<(), E>` is a `Target`; implement it for your own type to carry
/// state into the thread. A returned error fails the thread: `join`
/// reports it as [`ErrorKind::Failed`](pool_core::ErrorKind::Failed).
///
/// # Examples
///
/// ```
/// use std::sync::mpsc;
/// use poolrt::thread::{Target, Thread};
///
/// struct Greeter {
///     to: mpsc::Sender<String>,
/// }
///
/// impl Target for Greeter {
///     type Outcome = ();
///     fn run(self) {
///         let me = poolrt::thread::current_thread();
///         self.to.send(format!("hello from {}", me.name())).unwrap();
///     }
/// }
///
/// let (tx, rx) = mpsc::channel();
/// let t = Thread::builder().name("greeter").target(Greeter { to: tx });
/// t.start().unwrap();
/// assert_eq!(rx.recv().unwrap(), "hello from greeter");
/// ```
#[doc(alias = "Run")]
pub trait Target: Send + 'static {
    /// What `run` returns: `()` or a `Result` whose error fails the thread.
    type Outcome: Outcome;

    /// The thread's work; a panic or a returned error is reported by
    /// `join`.
    fn run(self) -> Self::Outcome;
}

impl<F, O> Target for F
where
    F: FnOnce() -> O + Send + 'static,
    O: Outcome,
{
    type Outcome = O;

    fn run(self) -> O {
        self()
    }
}

/// Configures a [`Thread`] before it exists, like the keyword arguments of
/// Python's `Thread(name=..., daemon=...)`.
///
/// # Examples
///
/// ```
/// use poolrt::thread::{Daemon, Thread};
///
/// let t = Thread::builder()
///     .name("c1")
///     .daemon(Daemon::No)
///     .stack_size(256 * 1024)
///     .target(|| {});
/// t.start().unwrap();
/// t.join().unwrap();
/// assert_eq!(t.name(), "c1");
/// ```
#[derive(Debug, Default)]
#[must_use]
pub struct ThreadBuilder {
    name: Option<String>,
    daemon: Option<Daemon>,
    stack_size: Option<usize>,
}

impl ThreadBuilder {
    /// A builder with Python's defaults: name `Thread-N`, daemon flag
    /// inherited from the creating thread.
    ///
    /// # Examples
    ///
    /// ```
    /// let t = poolrt::thread::ThreadBuilder::new().target(|| {});
    /// assert!(t.name().starts_with("Thread-"));
    /// ```
    pub fn new() -> ThreadBuilder {
        ThreadBuilder::default()
    }

    /// The thread's name (Python's `name`). Names need not be unique.
    ///
    /// # Examples
    ///
    /// ```
    /// let t = poolrt::thread::Thread::builder().name("t.0").target(|| {});
    /// assert_eq!(t.name(), "t.0");
    /// ```
    pub fn name(mut self, name: impl Into<String>) -> ThreadBuilder {
        self.name = Some(name.into());
        self
    }

    /// Whether the thread is a daemon. Without this call the thread is a
    /// daemon exactly when the creating thread is: the main thread is not;
    /// threads poolrt did not start (test threads, executor workers) are,
    /// as Python's "dummy" threads are.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::thread::{Daemon, Thread};
    ///
    /// assert!(!Thread::builder().daemon(Daemon::No).target(|| {}).is_daemon());
    /// ```
    pub fn daemon(mut self, daemon: Daemon) -> ThreadBuilder {
        self.daemon = Some(daemon);
        self
    }

    /// The thread's stack size in bytes (Python's
    /// `threading.stack_size`, per thread here).
    ///
    /// # Examples
    ///
    /// ```
    /// let t = poolrt::thread::Thread::builder().stack_size(1 << 20).target(|| {});
    /// t.start().unwrap();
    /// t.join().unwrap();
    /// ```
    pub fn stack_size(mut self, bytes: usize) -> ThreadBuilder {
        self.stack_size = Some(bytes);
        self
    }

    /// The unstarted [`Thread`] that will run `target`.
    ///
    /// # Examples
    ///
    /// ```
    /// let t = poolrt::thread::Thread::builder().target(|| println!("hi"));
    /// assert!(!t.is_alive());
    /// t.start().unwrap();
    /// t.join().unwrap();
    /// ```
    pub fn target(self, target: impl Target) -> Thread {
        let name = self.name.unwrap_or_else(|| next_name("Thread"));
        let daemon = match self.daemon {
            Some(daemon) => daemon == Daemon::Yes,
            None => current::current_thread().is_daemon(),
        };
        Thread::unstarted(
            name,
            daemon,
            self.stack_size,
            Box::new(move || {
                target
                    .run()
                    .into_result()
                    .map_err(|message| Error::from_kind(ErrorKind::Failed).with_detail(message))
            }),
        )
    }

    /// The same as [`target`](ThreadBuilder::target), under the process
    /// backend's name (`ProcessBuilder::run`).
    ///
    /// # Examples
    ///
    /// ```
    /// let t = poolrt::thread::Thread::builder().name("r").run(|| {});
    /// assert_eq!(t.name(), "r");
    /// ```
    pub fn run(self, value: impl Target) -> Thread {
        self.target(value)
    }
}
