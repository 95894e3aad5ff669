//! `current_process()`: the name and pid of the process this code runs in.

use std::fmt;

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
        name: crate::worker::name().unwrap_or("MainProcess"),
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
    /// of its [`Process`](crate::Process) (`Process-N` unless set), in a pool worker
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
