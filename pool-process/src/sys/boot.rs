//! The hook that turns a re-executed copy of the program into a worker
//! before the program's `main` runs.
//!
//! An entry in the ELF `.init_array` runs in every process of the program,
//! before `main`, in every kind of binary that links this crate: the
//! program's own binaries and examples, unit and integration test
//! harnesses, doctests and criterion benches. In an ordinary process it
//! finds no worker marker in the environment and returns at once. In a
//! worker it never returns: [`crate::child::run`] serves tasks, then exits
//! the process, so `main` (or the test harness) never starts and the
//! program's own logic never runs twice.
//!
//! rustc keeps `#[used]` statics of every crate it links, and a program
//! that starts workers links this crate, so the entry is always present
//! where it is needed.

use std::os::fd::{FromRawFd, OwnedFd};

use super::mailbox::ChildEnds;
use super::spawn::{CHILD_INHERITED_FD, CHILD_REGION_FD, CHILD_SOCKET_FD};

#[used]
// SAFETY: `.init_array` holds pointers to `extern "C" fn()` that the
// loader calls once before `main`; `before_main` is such a function, and
// it never unwinds (it aborts on a panic).
#[unsafe(link_section = ".init_array")]
static BEFORE_MAIN: extern "C" fn() = before_main;

extern "C" fn before_main() {
    let outcome = std::panic::catch_unwind(crate::child::boot);
    if outcome.is_err() {
        // A panic here would unwind into the loader.
        std::process::abort();
    }
}

/// Makes sure the constructor is linked into every binary that starts
/// workers (it is, by `#[used]`; this keeps it so under any linker).
pub(crate) fn ensure_linked() {
    std::hint::black_box(&BEFORE_MAIN);
}

/// Takes ownership of the descriptors a worker inherited. Called once, by a
/// worker, before anything else could have opened descriptors 3 and 4.
pub(crate) fn inherited_ends() -> ChildEnds {
    // SAFETY: in a worker, descriptors 3 and 4 were placed by the parent's
    // posix_spawn file actions and nothing else in this process has taken
    // them: no code of the program has run yet.
    let socket = unsafe { OwnedFd::from_raw_fd(CHILD_SOCKET_FD) };
    // SAFETY: as above.
    let region = unsafe { OwnedFd::from_raw_fd(CHILD_REGION_FD) };
    ChildEnds { socket, region }
}

/// Takes ownership of the `count` descriptors a worker inherited for the
/// shared objects in its arguments (5 and up). Called once, by a worker,
/// right after [`inherited_ends`].
pub(crate) fn inherited_objects(count: usize) -> Vec<OwnedFd> {
    (CHILD_INHERITED_FD..)
        .take(count)
        // SAFETY: the parent placed exactly `count` descriptors from 5 up
        // with its posix_spawn file actions (the count came with them, in
        // the worker marker), and no code of the program has run yet to
        // take them.
        .map(|fd| unsafe { OwnedFd::from_raw_fd(fd) })
        .collect()
}

/// Removes the worker marker from the environment, so processes the task
/// code starts are ordinary processes.
pub(crate) fn forget_marker(key: &str) {
    // SAFETY: called in a worker before `main`, while this process has a
    // single thread, so nothing reads the environment concurrently.
    unsafe { std::env::remove_var(key) };
}

/// Has the C library run `hook` when the process exits normally: when
/// `main` returns or `std::process::exit` is called (not when a signal
/// kills it). False if it could not be registered.
pub(crate) fn at_exit(hook: extern "C" fn()) -> bool {
    // SAFETY: `atexit` only stores the function pointer and calls it once
    // during `exit`; `hook` is a plain `extern "C" fn` of this binary,
    // which lives until then, and the caller makes sure it never unwinds.
    unsafe { libc::atexit(hook) == 0 }
}
