//! Signals to a running `Process`: `terminate` (`SIGTERM`), `kill`
//! (`SIGKILL`) and `interrupt` (`SIGINT`), all through the child's pidfd
//! (see `supervisor.rs`).

use pool_core::Error;

use super::Process;
use crate::sys::child::Signal;

impl Process {
    /// Asks the process to stop with `SIGTERM` (Python's `terminate`). Its
    /// [`exitcode`](Process::exitcode) becomes `-15`. Does nothing to a
    /// finished process.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidState`](pool_core::ErrorKind::InvalidState) if the process was never started.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::ErrorKind;
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
    /// p.terminate().unwrap();
    /// assert_eq!(p.join().unwrap_err().kind(), ErrorKind::WorkerLost);
    /// assert!(!p.is_alive());
    /// ```
    pub fn terminate(&self) -> Result<(), Error> {
        self.signal(Signal::Terminate)
    }

    /// Kills the process with `SIGKILL` (Python's `kill`); its
    /// [`exitcode`](Process::exitcode) becomes `-9`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidState`](pool_core::ErrorKind::InvalidState) if the process was never started.
    ///
    /// # Examples
    ///
    /// ```
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
    /// p.kill().unwrap();
    /// assert!(p.join().is_err());
    /// assert_eq!(p.exitcode(), Some(-9));
    /// ```
    pub fn kill(&self) -> Result<(), Error> {
        self.signal(Signal::Kill)
    }

    /// Interrupts the process with `SIGINT` (Python 3.14's `interrupt`).
    /// A Rust program has no `KeyboardInterrupt`: unless the target
    /// handles the signal, the child ends and its
    /// [`exitcode`](Process::exitcode) becomes `-2` (Python's child
    /// raises `KeyboardInterrupt` and exits with 1).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidState`](pool_core::ErrorKind::InvalidState) if the process was never started or is
    /// closed.
    ///
    /// # Examples
    ///
    /// ```
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
    /// p.interrupt().unwrap();
    /// assert!(p.join().is_err());
    /// assert_eq!(p.exitcode(), Some(-2));
    /// ```
    pub fn interrupt(&self) -> Result<(), Error> {
        self.signal(Signal::Interrupt)
    }
}
