//! Errors of [`Thread`](crate::Thread): [`StartError`] and [`JoinError`].

use std::error::Error as StdError;
use std::fmt;
use std::io;

use pool_core::Panic;

/// Why [`Thread::start`](crate::Thread::start) did not start the thread.
///
/// # Examples
///
/// ```
/// let t = pool_thread::Thread::new(|| {});
/// t.start().unwrap();
/// let err = t.start().unwrap_err();
/// assert!(err.is_already_started());
/// assert_eq!(err.to_string(), "threads can only be started once");
/// ```
#[derive(Debug)]
pub struct StartError {
    kind: StartKind,
}

#[derive(Debug)]
enum StartKind {
    AlreadyStarted,
    Spawn(io::Error),
}

impl StartError {
    pub(crate) fn already_started() -> StartError {
        StartError {
            kind: StartKind::AlreadyStarted,
        }
    }

    pub(crate) fn spawn(cause: io::Error) -> StartError {
        StartError {
            kind: StartKind::Spawn(cause),
        }
    }

    /// True when `start` had already been called (Python's `RuntimeError`).
    ///
    /// # Examples
    ///
    /// ```
    /// let t = pool_thread::Thread::new(|| {});
    /// assert!(t.start().is_ok());
    /// assert!(t.start().unwrap_err().is_already_started());
    /// ```
    pub fn is_already_started(&self) -> bool {
        matches!(self.kind, StartKind::AlreadyStarted)
    }

    /// True when the OS refused to create the thread; the `io::Error` is
    /// the `source()`.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(target_os = "linux")] {
    /// let t = pool_thread::Thread::builder().stack_size(usize::MAX).target(|| {});
    /// let err = t.start().unwrap_err();
    /// assert!(err.is_spawn());
    /// assert!(std::error::Error::source(&err).is_some());
    /// assert!(t.join().unwrap_err().is_not_started());
    /// # }
    /// ```
    pub fn is_spawn(&self) -> bool {
        matches!(self.kind, StartKind::Spawn(_))
    }
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.kind {
            StartKind::AlreadyStarted => "threads can only be started once",
            StartKind::Spawn(_) => "could not start a thread",
        })
    }
}

impl StdError for StartError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match &self.kind {
            StartKind::Spawn(cause) => Some(cause),
            StartKind::AlreadyStarted => None,
        }
    }
}

/// Why [`Thread::join`](crate::Thread::join) could not report a clean
/// finish.
///
/// The panic of a thread's target is reported here, to every caller of
/// `join`, with its message and location (the `source()` is the
/// [`Panic`]).
///
/// # Examples
///
/// ```
/// let t = pool_thread::Thread::new(|| panic!("boom"));
/// t.start().unwrap();
/// let err = t.join().unwrap_err();
/// assert_eq!(err.to_string(), "thread panicked");
/// assert_eq!(err.panic().unwrap().message(), "boom");
/// ```
#[derive(Clone, Debug)]
pub struct JoinError {
    kind: JoinKind,
}

#[derive(Clone, Debug)]
enum JoinKind {
    Panicked(Panic),
    NotStarted,
    Current,
}

impl JoinError {
    pub(crate) fn panicked(panic: Panic) -> JoinError {
        JoinError {
            kind: JoinKind::Panicked(panic),
        }
    }

    pub(crate) fn not_started() -> JoinError {
        JoinError {
            kind: JoinKind::NotStarted,
        }
    }

    pub(crate) fn current() -> JoinError {
        JoinError {
            kind: JoinKind::Current,
        }
    }

    /// True when the thread's target panicked.
    ///
    /// # Examples
    ///
    /// ```
    /// let t = pool_thread::Thread::new(|| panic!("boom"));
    /// t.start().unwrap();
    /// assert!(t.join().unwrap_err().is_panic());
    /// ```
    pub fn is_panic(&self) -> bool {
        matches!(self.kind, JoinKind::Panicked(_))
    }

    /// The panic report, when the target panicked.
    ///
    /// # Examples
    ///
    /// ```
    /// let t = pool_thread::Thread::new(|| panic!("boom"));
    /// t.start().unwrap();
    /// let err = t.join().unwrap_err();
    /// assert!(err.panic().unwrap().location().unwrap().contains(".rs:"));
    /// ```
    pub fn panic(&self) -> Option<&Panic> {
        match &self.kind {
            JoinKind::Panicked(panic) => Some(panic),
            _ => None,
        }
    }

    /// True when the thread was never started, or the OS refused to start
    /// it (Python's `RuntimeError`).
    ///
    /// # Examples
    ///
    /// ```
    /// let t = pool_thread::Thread::new(|| {});
    /// assert!(t.join().unwrap_err().is_not_started());
    /// ```
    pub fn is_not_started(&self) -> bool {
        matches!(self.kind, JoinKind::NotStarted)
    }

    /// True when a thread tried to join itself, which would never finish
    /// (Python's `RuntimeError`).
    ///
    /// # Examples
    ///
    /// ```
    /// let me = pool_thread::current_thread();
    /// assert!(me.join().unwrap_err().is_current());
    /// ```
    pub fn is_current(&self) -> bool {
        matches!(self.kind, JoinKind::Current)
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.kind {
            JoinKind::Panicked(_) => "thread panicked",
            JoinKind::NotStarted => "cannot join thread before it is started",
            JoinKind::Current => "cannot join current thread",
        })
    }
}

impl StdError for JoinError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.panic().map(|p| p as &(dyn StdError + 'static))
    }
}
