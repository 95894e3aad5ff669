//! What a child process started by poolrt does after its target returns
//! and before it exits: the hooks the backends register here.
//!
//! Python's child processes wait for their non-daemon threads before they
//! exit. The thread backend registers that wait the first time a
//! non-daemon thread starts; the process backend runs every hook in a
//! child whose target has returned. Neither backend depends on the other:
//! they meet here.

use parking_lot::Mutex;

/// The hooks, each registered once, in registration order.
static HOOKS: Mutex<Vec<fn()>> = Mutex::new(Vec::new());

/// Registers `hook` to run in a poolrt child process once its target has
/// returned, before it exits. Registering the same function again does
/// nothing.
///
/// # Examples
///
/// ```
/// fn flush_logs() {}
///
/// pool_core::exit::on_child_exit(flush_logs);
/// pool_core::exit::on_child_exit(flush_logs); // once is enough
/// ```
pub fn on_child_exit(hook: fn()) {
    let mut hooks = HOOKS.lock();
    if !hooks.iter().any(|&h| std::ptr::fn_addr_eq(h, hook)) {
        hooks.push(hook);
    }
}

/// Runs every registered hook, in registration order (called by the
/// process backend in a child whose target has returned). A hook that
/// panics does not stop the others.
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
///
/// static RAN: AtomicBool = AtomicBool::new(false);
/// fn mark() {
///     RAN.store(true, SeqCst);
/// }
///
/// pool_core::exit::on_child_exit(mark);
/// pool_core::exit::run_child_exit_hooks();
/// assert!(RAN.load(SeqCst));
/// ```
pub fn run_child_exit_hooks() {
    // Copied out: a hook may register another (or start a thread that
    // does) without deadlocking.
    let hooks = HOOKS.lock().clone();
    for hook in hooks {
        let _ = std::panic::catch_unwind(hook);
    }
}
