//! The two OS calls the MPI backend makes itself (MPI makes the rest):
//! a finer timer slack for its waiters, and an exit hook.

use std::cell::Cell;

/// Asks the kernel to wake this thread's sleeps within 1 µs of their
/// time, instead of the default 50 µs slack: the waiters' short sleeps
/// (`quiet.rs`) would otherwise all last 50 µs or more. Once per thread;
/// best effort.
pub(crate) fn fine_timer_slack() {
    thread_local!(static DONE: Cell<bool> = const { Cell::new(false) });
    if DONE.replace(true) {
        return;
    }
    // SAFETY: PR_SET_TIMERSLACK takes one integer argument (nanoseconds)
    // and only changes this thread's timer slack; no memory is passed.
    let _ = unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, 1_000 as libc::c_ulong, 0, 0, 0) };
}

/// Registers `hook` to run when the process calls `exit`.
pub(crate) fn at_exit(hook: extern "C" fn()) {
    // SAFETY: `atexit` only stores the function pointer; the callers'
    // hooks never unwind (they write to stderr, ignoring errors).
    let _ = unsafe { libc::atexit(hook) };
}
