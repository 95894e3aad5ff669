//! [`Deadline`]: how long a blocking call may still wait.
//!
//! Every blocking call of the toolkit comes in three shapes (block forever,
//! do not block, block at most a [`Duration`]); both backends turn them
//! into a `Deadline` once, so a timeout is computed once and a spurious
//! wake-up never extends it.

use std::time::{Duration, Instant};

/// When a blocking call gives up.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use poolrt::Deadline;
///
/// let d = Deadline::after(Duration::from_secs(60));
/// assert!(!d.expired());
/// assert!(d.remaining().unwrap() <= Duration::from_secs(60));
/// assert!(Deadline::Now.expired());
/// assert_eq!(Deadline::Never.remaining(), None);
/// // Too far to represent: waits forever instead of overflowing.
/// assert_eq!(Deadline::after(Duration::MAX), Deadline::Never);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Deadline {
    /// Do not wait at all (Python's `blocking=False`).
    Now,
    /// Wait until this instant.
    At(Instant),
    /// Wait as long as it takes (Python's `timeout=None`).
    Never,
}

impl Deadline {
    /// `timeout` from now. A timeout too large to add to the clock waits
    /// forever rather than panicking.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use poolrt::Deadline;
    ///
    /// assert!(matches!(Deadline::after(Duration::from_secs(1)), Deadline::At(_)));
    /// assert!(Deadline::after(Duration::ZERO).expired());
    /// ```
    pub fn after(timeout: Duration) -> Deadline {
        match Instant::now().checked_add(timeout) {
            Some(at) => Deadline::At(at),
            None => Deadline::Never,
        }
    }

    /// `Some(timeout)` from now, or [`Deadline::Never`] for `None`
    /// (Python's `timeout=None`).
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::Deadline;
    ///
    /// assert_eq!(Deadline::from_timeout(None), Deadline::Never);
    /// ```
    pub fn from_timeout(timeout: Option<Duration>) -> Deadline {
        timeout.map_or(Deadline::Never, Deadline::after)
    }

    /// True once the deadline has passed (always for [`Deadline::Now`],
    /// never for [`Deadline::Never`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::Deadline;
    ///
    /// assert!(Deadline::Now.expired());
    /// assert!(!Deadline::Never.expired());
    /// ```
    pub fn expired(self) -> bool {
        match self {
            Deadline::Now => true,
            Deadline::At(at) => Instant::now() >= at,
            Deadline::Never => false,
        }
    }

    /// How long is left: `None` for [`Deadline::Never`], zero once
    /// expired.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use poolrt::Deadline;
    ///
    /// assert_eq!(Deadline::Now.remaining(), Some(Duration::ZERO));
    /// assert_eq!(Deadline::Never.remaining(), None);
    /// ```
    pub fn remaining(self) -> Option<Duration> {
        match self {
            Deadline::Now => Some(Duration::ZERO),
            Deadline::At(at) => Some(at.saturating_duration_since(Instant::now())),
            Deadline::Never => None,
        }
    }

    /// The instant it expires: `None` for [`Deadline::Never`], now for
    /// [`Deadline::Now`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Instant;
    /// use poolrt::Deadline;
    ///
    /// assert!(Deadline::Now.instant().unwrap() <= Instant::now());
    /// assert_eq!(Deadline::Never.instant(), None);
    /// ```
    pub fn instant(self) -> Option<Instant> {
        match self {
            Deadline::Now => Some(Instant::now()),
            Deadline::At(at) => Some(at),
            Deadline::Never => None,
        }
    }
}

impl From<Option<Instant>> for Deadline {
    /// `None` waits forever.
    fn from(at: Option<Instant>) -> Deadline {
        at.map_or(Deadline::Never, Deadline::At)
    }
}

/// The instant `timeout` from now, or `None` (wait forever) when it is too
/// far to represent, as `Duration::MAX` is.
pub(crate) fn after(timeout: Duration) -> Option<Instant> {
    Deadline::after(timeout).instant()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_timeouts_wait_forever_instead_of_overflowing() {
        assert_eq!(Deadline::after(Duration::MAX), Deadline::Never);
        assert_eq!(after(Duration::MAX), None);
    }

    #[test]
    fn now_is_always_expired_and_never_is_not() {
        assert!(Deadline::Now.expired());
        assert!(!Deadline::Never.expired());
        assert!(Deadline::after(Duration::ZERO).expired());
    }
}
