//! [`Daemon`] and [`Outcome`]: the parts of the `Thread` and `Process`
//! lifecycle that both backends spell the same way.

/// Whether a thread or process is a daemon (Python's `daemon=True/False`):
/// a daemon is not waited for when the program ends (threads) or is
/// terminated then (processes).
///
/// # Examples
///
/// ```
/// use poolrt::Daemon;
///
/// assert_eq!(Daemon::from(true), Daemon::Yes);
/// assert!(Daemon::Yes.is_yes());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Daemon {
    /// Not a daemon: waited for at exit.
    #[default]
    No,
    /// A daemon: abandoned (threads) or terminated (processes) at exit.
    Yes,
}

impl Daemon {
    /// True for [`Daemon::Yes`].
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!poolrt::Daemon::No.is_yes());
    /// ```
    pub fn is_yes(self) -> bool {
        self == Daemon::Yes
    }
}

impl From<bool> for Daemon {
    fn from(daemon: bool) -> Daemon {
        if daemon { Daemon::Yes } else { Daemon::No }
    }
}

/// What a thread's or process's target, or a pool initializer, may
/// return: nothing (a panic is the failure), or a `Result` whose error
/// fails it and is reported by `join`.
///
/// # Examples
///
/// ```
/// use poolrt::Outcome;
///
/// assert_eq!(().into_result(), Ok(()));
/// let failed: Result<(), String> = Err("no database".into());
/// assert_eq!(failed.into_result(), Err("no database".to_owned()));
/// ```
pub trait Outcome: 'static {
    /// `Err` with a message when the target failed.
    fn into_result(self) -> Result<(), String>;
}

impl Outcome for () {
    fn into_result(self) -> Result<(), String> {
        Ok(())
    }
}

impl<E: std::fmt::Display + 'static> Outcome for Result<(), E> {
    fn into_result(self) -> Result<(), String> {
        self.map_err(|e| e.to_string())
    }
}
