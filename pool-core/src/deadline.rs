//! Turning a timeout into a deadline.

use std::time::{Duration, Instant};

/// The instant `timeout` from now, or `None` (wait forever) when it is too
/// far to represent, as `Duration::MAX` is.
pub(crate) fn after(timeout: Duration) -> Option<Instant> {
    Instant::now().checked_add(timeout)
}
