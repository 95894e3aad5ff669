//! What a worker takes over from its parent at boot (its environment
//! marker and its inherited descriptors), and the C library's exit hook.
//!
//! The three primitives are `unsafe fn`s: taking ownership of a
//! descriptor number, or editing the environment, is sound only at the
//! right moment. [`worker_start`] is the safe way in: it does both at most
//! once per process, and only in a process that is still single-threaded.

use std::ffi::{OsStr, OsString};
use std::os::fd::{FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, Ordering};

use super::mailbox::ChildEnds;
use super::spawn::{CHILD_INHERITED_FD, CHILD_REGION_FD, CHILD_SOCKET_FD};

/// Spent by the first call of [`worker_start`] in this process.
static STARTED: AtomicBool = AtomicBool::new(false);

/// A worker's start: the marker its parent left in its environment, and
/// the right to take the descriptors that came with it.
#[derive(Debug)]
pub(crate) struct WorkerStart {
    marker: OsString,
}

/// The worker's start, if this process is a worker and this is the first
/// call in the process; `None` otherwise. Removes the marker from the
/// environment, so processes the task code starts are ordinary ones.
///
/// The first call in every process is the one the `.init_array` hook
/// makes before `main` (`worker/boot.rs`), when nothing else has run: so
/// that call alone can ever find the descriptors unowned. A later call, or
/// one in a process that already has a second thread, gets `None`.
pub(crate) fn worker_start(key: &str) -> Option<WorkerStart> {
    // Relaxed: only the flag itself is at stake (one winner).
    if STARTED.swap(true, Ordering::Relaxed) {
        return None;
    }
    let marker = std::env::var_os(key)?;
    if !single_threaded() {
        return None;
    }
    // SAFETY: this process has one thread (checked just above, and only
    // this thread could start another), so nothing reads the environment
    // concurrently.
    unsafe { forget_marker(key) };
    Some(WorkerStart { marker })
}

impl WorkerStart {
    /// The marker: the worker's settings, as the parent rendered them.
    pub(crate) fn marker(&self) -> &OsStr {
        &self.marker
    }

    /// The start of a worker forked by the fork server (`zygote/`),
    /// which placed its descriptors from 3 up exactly as a spawn would.
    pub(super) fn forked(marker: OsString) -> WorkerStart {
        WorkerStart { marker }
    }

    /// Takes the fork server's listening socket (descriptor 3). Consumes
    /// the start, so it happens once.
    pub(crate) fn take_listener(self) -> OwnedFd {
        // SAFETY: as for `take_descriptors`: a zygote's spawn placed its
        // listener as descriptor 3, and nothing else took it.
        unsafe { OwnedFd::from_raw_fd(CHILD_SOCKET_FD) }
    }

    /// Takes the mailbox's descriptors (3 and 4) and the `count` of the
    /// shared objects that follow (5 and up). Consumes the start, so it
    /// happens once.
    pub(crate) fn take_descriptors(self, count: usize) -> (ChildEnds, Vec<OwnedFd>) {
        // SAFETY: a `WorkerStart` exists only once per process, made by
        // the first `worker_start`, which the boot hook calls before
        // anything else runs; `posix_spawn` placed descriptors 3 and 4.
        let ends = unsafe { inherited_ends() };
        // SAFETY: as above; `count` came in the marker with the
        // descriptors it counts, from 5 up.
        let objects = unsafe { inherited_objects(count) };
        (ends, objects)
    }
}

/// True while this process has a single thread.
fn single_threaded() -> bool {
    std::fs::read_dir("/proc/self/task").is_ok_and(|tasks| tasks.count() == 1)
}

/// Takes ownership of the mailbox descriptors a worker inherited.
///
/// # Safety
///
/// Descriptors 3 and 4 must be the socket and region a parent placed with
/// its `posix_spawn` file actions, and nothing else in this process may
/// own them (or have closed them): call it once, in a worker, before any
/// other code could have taken them.
unsafe fn inherited_ends() -> ChildEnds {
    // SAFETY: the caller guarantees descriptor 3 is open and unowned.
    let socket = unsafe { OwnedFd::from_raw_fd(CHILD_SOCKET_FD) };
    // SAFETY: the caller guarantees descriptor 4 is open and unowned.
    let region = unsafe { OwnedFd::from_raw_fd(CHILD_REGION_FD) };
    ChildEnds { socket, region }
}

/// Takes ownership of the `count` descriptors a worker inherited for the
/// shared objects in its arguments (5 and up).
///
/// # Safety
///
/// The parent must have placed exactly `count` descriptors from 5 up
/// (the count comes with them, in the worker marker), and nothing else in
/// this process may own them: call it once, in a worker, before any other
/// code could have taken them.
unsafe fn inherited_objects(count: usize) -> Vec<OwnedFd> {
    (CHILD_INHERITED_FD..)
        .take(count)
        // SAFETY: the caller guarantees these `count` descriptors are open
        // and unowned.
        .map(|fd| unsafe { OwnedFd::from_raw_fd(fd) })
        .collect()
}

/// Removes the worker marker from the environment.
///
/// # Safety
///
/// No other thread may read or write the environment meanwhile: call it
/// while the process has a single thread (see [`std::env::remove_var`]).
unsafe fn forget_marker(key: &str) {
    // SAFETY: the caller guarantees no concurrent environment access.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_process_that_has_started_gets_no_second_start() {
        // The boot hook spent the start before the harness ran.
        assert!(worker_start("PATH").is_none());
    }
}
