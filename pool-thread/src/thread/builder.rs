//! `ThreadBuilder`: the keyword arguments of Python's `Thread(...)`, and
//! `Run`, the counterpart of overriding `Thread.run`.

use super::{Thread, current, next_name};

/// Whether a thread is a daemon: one that [`join_non_daemon`] does not wait
/// for. Python's `daemon=True/False`.
///
/// [`join_non_daemon`]: crate::join_non_daemon
///
/// # Examples
///
/// ```
/// use pool_thread::{Daemon, Thread};
///
/// let t = Thread::builder().daemon(Daemon::Yes).target(|| {});
/// assert!(t.is_daemon());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Daemon {
    /// Not a daemon: waited for by [`join_non_daemon`](crate::join_non_daemon).
    No,
    /// A daemon: abandoned when the program ends.
    Yes,
}

/// What a [`Thread`] runs: the counterpart of subclassing Python's `Thread`
/// and overriding `run`. Every `FnOnce() + Send + 'static` closure is a
/// `Run`; implement it for your own type to carry state into the thread.
///
/// # Examples
///
/// ```
/// use std::sync::mpsc;
/// use pool_thread::{Run, Thread};
///
/// struct Greeter {
///     to: mpsc::Sender<String>,
/// }
///
/// impl Run for Greeter {
///     fn run(self) {
///         let me = pool_thread::current_thread();
///         self.to.send(format!("hello from {}", me.name())).unwrap();
///     }
/// }
///
/// let (tx, rx) = mpsc::channel();
/// let t = Thread::builder().name("greeter").target(Greeter { to: tx });
/// t.start().unwrap();
/// assert_eq!(rx.recv().unwrap(), "hello from greeter");
/// ```
pub trait Run: Send + 'static {
    /// The thread's work; a panic here is reported by `join`.
    fn run(self);
}

impl<F: FnOnce() + Send + 'static> Run for F {
    fn run(self) {
        self()
    }
}

/// Configures a [`Thread`] before it exists, like the keyword arguments of
/// Python's `Thread(name=..., daemon=...)`.
///
/// # Examples
///
/// ```
/// use pool_thread::{Daemon, Thread};
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
    /// let t = pool_thread::ThreadBuilder::new().target(|| {});
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
    /// let t = pool_thread::Thread::builder().name("t.0").target(|| {});
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
    /// use pool_thread::{Daemon, Thread};
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
    /// let t = pool_thread::Thread::builder().stack_size(1 << 20).target(|| {});
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
    /// let t = pool_thread::Thread::builder().target(|| println!("hi"));
    /// assert!(!t.is_alive());
    /// t.start().unwrap();
    /// t.join().unwrap();
    /// ```
    pub fn target(self, target: impl Run) -> Thread {
        let name = self.name.unwrap_or_else(|| next_name("Thread"));
        let daemon = match self.daemon {
            Some(daemon) => daemon == Daemon::Yes,
            None => current::current_thread().is_daemon(),
        };
        Thread::unstarted(
            name,
            daemon,
            self.stack_size,
            Box::new(move || target.run()),
        )
    }
}
