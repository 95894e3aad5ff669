//! [`BrokenBarrierError`]: a barrier wait that failed.

use std::error::Error as StdError;
use std::fmt;

use crate::error::Panic;

/// A `Barrier` wait that failed because the barrier is broken, aborted or
/// was reset (Python's `threading.BrokenBarrierError`). `Display` is always
/// "barrier is broken"; the predicates say why. When the barrier's action
/// panicked, the thread that ran it gets the [`Panic`] report as the
/// `source()`.
///
/// # Examples
///
/// ```
/// use poolrt::BrokenBarrierError;
///
/// let err = BrokenBarrierError::broken();
/// assert_eq!(err.to_string(), "barrier is broken");
/// assert!(!err.is_timeout());
/// ```
#[derive(Clone, Debug)]
pub struct BrokenBarrierError {
    kind: BrokenKind,
}

#[derive(Clone, Debug)]
enum BrokenKind {
    Broken,
    Timeout,
    Reset,
    ActionPanicked(Panic),
}

impl BrokenBarrierError {
    /// The barrier was (or became) broken or aborted.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!poolrt::BrokenBarrierError::broken().is_reset());
    /// ```
    pub fn broken() -> BrokenBarrierError {
        BrokenBarrierError {
            kind: BrokenKind::Broken,
        }
    }

    /// This very wait ran out of time, which broke the barrier.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(poolrt::BrokenBarrierError::timeout().is_timeout());
    /// ```
    pub fn timeout() -> BrokenBarrierError {
        BrokenBarrierError {
            kind: BrokenKind::Timeout,
        }
    }

    /// The barrier was reset while this wait was in progress.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(poolrt::BrokenBarrierError::reset().is_reset());
    /// ```
    pub fn reset() -> BrokenBarrierError {
        BrokenBarrierError {
            kind: BrokenKind::Reset,
        }
    }

    /// The barrier's action panicked in this thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{BrokenBarrierError, Panic};
    ///
    /// let err = BrokenBarrierError::action_panicked(Panic::new("no", None, None));
    /// assert_eq!(err.action_panic().unwrap().message(), "no");
    /// ```
    pub fn action_panicked(panic: Panic) -> BrokenBarrierError {
        BrokenBarrierError {
            kind: BrokenKind::ActionPanicked(panic),
        }
    }

    /// True when this very wait ran out of time, which broke the barrier
    /// for everyone.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!poolrt::BrokenBarrierError::broken().is_timeout());
    /// ```
    pub fn is_timeout(&self) -> bool {
        matches!(self.kind, BrokenKind::Timeout)
    }

    /// True when `reset` was called while this thread was waiting.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!poolrt::BrokenBarrierError::timeout().is_reset());
    /// ```
    pub fn is_reset(&self) -> bool {
        matches!(self.kind, BrokenKind::Reset)
    }

    /// The panic of the barrier's action, for the thread that ran it.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(poolrt::BrokenBarrierError::broken().action_panic().is_none());
    /// ```
    pub fn action_panic(&self) -> Option<&Panic> {
        match &self.kind {
            BrokenKind::ActionPanicked(panic) => Some(panic),
            _ => None,
        }
    }
}

impl fmt::Display for BrokenBarrierError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("barrier is broken")
    }
}

impl StdError for BrokenBarrierError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.action_panic().map(|p| p as &(dyn StdError + 'static))
    }
}
