//! What a worker takes over from its parent at boot (its inherited
//! descriptors and its environment marker), and the C library's exit
//! hook.

use std::os::fd::{FromRawFd, OwnedFd};

use super::mailbox::ChildEnds;
use super::spawn::{CHILD_INHERITED_FD, CHILD_REGION_FD, CHILD_SOCKET_FD};

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
