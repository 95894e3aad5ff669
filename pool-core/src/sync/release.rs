//! [`ReleaseError`]: a release that a lock or semaphore refused.

use std::error::Error as StdError;
use std::fmt;

/// A release that the lock or semaphore refused; nothing was released.
/// Python raises `RuntimeError` (locks) or `ValueError` (bounded
/// semaphores) for these; here they are values.
///
/// # Examples
///
/// ```
/// use poolrt::ReleaseError;
///
/// let err = ReleaseError::unlocked();
/// assert!(err.is_unlocked());
/// assert_eq!(err.to_string(), "release unlocked lock");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReleaseError {
    kind: ReleaseKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum ReleaseKind {
    Unlocked,
    NotOwner,
    TooManyReleases,
}

impl ReleaseError {
    /// A `Lock` released while unlocked.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(poolrt::ReleaseError::unlocked().is_unlocked());
    /// ```
    pub fn unlocked() -> ReleaseError {
        ReleaseError {
            kind: ReleaseKind::Unlocked,
        }
    }

    /// An `RLock` released by a thread or process that does not hold it.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(poolrt::ReleaseError::not_owner().is_not_owner());
    /// ```
    pub fn not_owner() -> ReleaseError {
        ReleaseError {
            kind: ReleaseKind::NotOwner,
        }
    }

    /// A `BoundedSemaphore` released above its initial value.
    ///
    /// # Examples
    ///
    /// ```
    /// let err = poolrt::ReleaseError::too_many_releases();
    /// assert!(err.is_too_many_releases());
    /// ```
    pub fn too_many_releases() -> ReleaseError {
        ReleaseError {
            kind: ReleaseKind::TooManyReleases,
        }
    }

    /// True when a `Lock` was released while unlocked.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!poolrt::ReleaseError::not_owner().is_unlocked());
    /// ```
    pub fn is_unlocked(&self) -> bool {
        self.kind == ReleaseKind::Unlocked
    }

    /// True when an `RLock` was released by a thread (or process) that
    /// does not hold it, including when nobody holds it.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!poolrt::ReleaseError::unlocked().is_not_owner());
    /// ```
    pub fn is_not_owner(&self) -> bool {
        self.kind == ReleaseKind::NotOwner
    }

    /// True when a `BoundedSemaphore` would have gone above its initial
    /// value.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!poolrt::ReleaseError::unlocked().is_too_many_releases());
    /// ```
    pub fn is_too_many_releases(&self) -> bool {
        self.kind == ReleaseKind::TooManyReleases
    }
}

impl fmt::Display for ReleaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.kind {
            ReleaseKind::Unlocked => "release unlocked lock",
            ReleaseKind::NotOwner => "cannot release un-acquired lock",
            ReleaseKind::TooManyReleases => "semaphore released too many times",
        })
    }
}

impl StdError for ReleaseError {}
