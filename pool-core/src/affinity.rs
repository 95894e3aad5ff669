//! Core pinning, best effort, through `core_affinity`.

use core_affinity::CoreId;

/// The cores the calling thread may run on, in ascending order (empty if
/// the platform cannot tell).
///
/// # Examples
///
/// ```
/// let cores = pool_core::allowed_cores();
/// assert!(!cores.is_empty());
/// ```
pub fn allowed_cores() -> Vec<usize> {
    core_affinity::get_core_ids()
        .unwrap_or_default()
        .into_iter()
        .map(|c| c.id)
        .collect()
}

/// Pins the calling thread to `core`. False if the OS refused.
pub(crate) fn pin_current(core: usize) -> bool {
    core_affinity::set_for_current(CoreId { id: core })
}
