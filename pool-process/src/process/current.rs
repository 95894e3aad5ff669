//! `current_process()` and `parent_process()`: the process this code
//! runs in, and the one that started it.

use std::fmt;

use crate::sys;

/// The process this code runs in (Python's
/// `multiprocessing.current_process()`): its name, pid and daemon flag.
///
/// # Examples
///
/// ```
/// use poolrt::process::{Process, current_process};
///
/// fn report() {
///     assert_eq!(current_process().name(), "reporter");
///     assert_eq!(current_process().pid(), std::process::id());
///     assert!(current_process().is_daemon());
/// }
///
/// assert_eq!(current_process().name(), "MainProcess");
/// let p = Process::builder().name("reporter").daemon(poolrt::Daemon::Yes).target(report, ());
/// p.start().unwrap();
/// p.join().unwrap();
/// ```
pub fn current_process() -> CurrentProcess {
    let me = crate::worker::identity();
    CurrentProcess {
        name: me.map_or("MainProcess", |me| me.name.as_str()),
        pid: std::process::id(),
        daemon: me.is_some_and(|me| me.daemon),
    }
}

/// The process that started this one (Python's
/// `multiprocessing.parent_process()`): `None` in the program's first
/// process, which poolrt did not start.
///
/// # Examples
///
/// ```
/// use poolrt::process::{Process, parent_process};
///
/// fn child(parent: u32) {
///     let me = parent_process().expect("a child has a parent");
///     assert_eq!((me.pid(), me.name()), (parent, "MainProcess"));
///     assert!(me.is_alive());
/// }
///
/// assert!(parent_process().is_none());
/// let p = Process::new(child, (std::process::id(),));
/// p.start().unwrap();
/// p.join().unwrap();
/// ```
pub fn parent_process() -> Option<ParentProcess> {
    crate::worker::identity().map(|me| ParentProcess {
        name: me.parent_name.as_str(),
        pid: me.parent,
    })
}

/// What [`current_process`] reports.
///
/// # Examples
///
/// ```
/// let me = poolrt::process::current_process();
/// assert_eq!(me.to_string(), format!("MainProcess (pid {})", me.pid()));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CurrentProcess {
    name: &'static str,
    pid: u32,
    daemon: bool,
}

impl CurrentProcess {
    /// `MainProcess` in the program's first process; in a child, the name
    /// of its [`Process`](crate::Process) (`Process-N` unless set), in a pool worker
    /// `PoolWorker-N`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(poolrt::process::current_process().name(), "MainProcess");
    /// ```
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The process id (Python's `current_process().pid`).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(poolrt::process::current_process().pid(), std::process::id());
    /// ```
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Whether this process is a daemon child (Python's `daemon`): a
    /// `Process` started with `Daemon::Yes`, or a pool's worker (as in
    /// Python). False in the program's first process.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!poolrt::process::current_process().is_daemon());
    /// ```
    pub fn is_daemon(&self) -> bool {
        self.daemon
    }

    /// Always true: the code asking is running (Python's `is_alive()` on
    /// the current process).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(poolrt::process::current_process().is_alive());
    /// ```
    pub fn is_alive(&self) -> bool {
        true
    }

    /// Always `None`: a running process has no exit code yet (Python's
    /// `exitcode` on the current process).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(poolrt::process::current_process().exitcode(), None);
    /// ```
    pub fn exitcode(&self) -> Option<i32> {
        None
    }
}

impl fmt::Display for CurrentProcess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (pid {})", self.name, self.pid)
    }
}

/// What [`parent_process`] reports: the parent's name and pid.
///
/// # Examples
///
/// ```
/// assert!(poolrt::process::parent_process().is_none(), "the first process has none");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParentProcess {
    name: &'static str,
    pid: u32,
}

impl ParentProcess {
    /// The parent's name (`MainProcess`, or the name of the `Process`
    /// or pool worker that started this one).
    ///
    /// # Examples
    ///
    /// See [`parent_process`].
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The parent's process id.
    ///
    /// # Examples
    ///
    /// See [`parent_process`].
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Whether the parent still runs: it is still this process's parent
    /// (a process whose parent ended is adopted by another, so a recycled
    /// pid cannot fool this).
    ///
    /// # Examples
    ///
    /// See [`parent_process`].
    pub fn is_alive(&self) -> bool {
        sys::current::parent_pid().unsigned_abs() == self.pid
    }
}

impl fmt::Display for ParentProcess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (pid {})", self.name, self.pid)
    }
}
