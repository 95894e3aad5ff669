//! The children this program started and has not reaped, and Python's
//! exit rule for them: at a normal exit, terminate the daemon children
//! and wait for the others.

use super::Process;
use std::time::Duration;

use parking_lot::Mutex;

use crate::sys::boot;

/// Processes started and not yet reaped.
static ACTIVE: Mutex<Vec<Process>> = Mutex::new(Vec::new());

/// The processes this program started that have not finished yet
/// (Python's `multiprocessing.active_children()`).
///
/// # Examples
///
/// ```
/// use poolrt::process::{Process, active_children};
///
/// fn noop() {}
///
/// let p = Process::new(noop, ());
/// p.start().unwrap();
/// p.join().unwrap();
/// assert!(active_children().iter().all(|c| c.pid() != p.pid()));
/// ```
pub fn active_children() -> Vec<Process> {
    ACTIVE.lock().clone()
}

/// Records a child that has started.
pub(super) fn add(child: &Process) {
    ACTIVE.lock().push(child.clone());
}

/// Forgets a child that was reaped.
pub(super) fn remove(child: &Process) {
    ACTIVE.lock().retain(|p| p != child);
}

/// Arranges for [`at_exit`] to run when the program exits normally.
pub(super) fn register_exit_hook() {
    static REGISTER: std::sync::Once = std::sync::Once::new();
    REGISTER.call_once(|| {
        boot::at_exit(exit_hook);
    });
}

extern "C" fn exit_hook() {
    // Never unwind into the C library's `exit`.
    let _ = std::panic::catch_unwind(at_exit);
}

/// How long a daemon child has to end after `SIGTERM` at exit before it is
/// killed.
const DAEMON_GRACE: Duration = Duration::from_secs(1);

/// Python's exit rule: terminate the daemon children, wait for the others.
fn at_exit() {
    let children = active_children();
    for child in children.iter().filter(|c| c.is_daemon()) {
        let _ = child.terminate();
    }
    for child in &children {
        if child.is_daemon() {
            if !matches!(child.join_timeout(DAEMON_GRACE), Ok(true) | Err(_)) {
                let _ = child.kill();
                let _ = child.join();
            }
        } else {
            let _ = child.join();
        }
    }
}
