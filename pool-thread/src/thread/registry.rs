//! The non-daemon threads still running, and `join_non_daemon`, which
//! waits for them the way Python's interpreter does before it exits.

use std::time::Duration;

use parking_lot::Mutex;

use super::Thread;
use crate::deadline::Deadline;

/// Non-daemon threads started and not yet finished.
static NON_DAEMON: Mutex<Vec<Thread>> = Mutex::new(Vec::new());

pub(super) fn register(thread: &Thread) {
    NON_DAEMON.lock().push(thread.clone());
    // In a child process that poolrt started, its end waits for them too,
    // as Python's children do.
    pool_core::exit::on_child_exit(join_non_daemon);
}

pub(super) fn unregister(thread: &Thread) {
    NON_DAEMON.lock().retain(|t| t != thread);
}

/// Waits for every non-daemon [`Thread`] to finish, including those they
/// start meanwhile: what Python does when the main program ends.
///
/// Rust does not wait for any thread when `main` returns: the process
/// exits and every thread stops where it is, daemon or not. Call this at
/// the end of `main` for Python's behaviour, where non-daemon threads run
/// to completion and daemon threads are abandoned. The calling thread is
/// skipped (it cannot wait for itself). Panics of the joined threads were
/// already printed by the panic hook; they do not stop the wait.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
/// use poolrt::thread::{Daemon, Thread};
///
/// let done = Arc::new(AtomicBool::new(false));
/// let t = Thread::builder().daemon(Daemon::No).target({
///     let done = done.clone();
///     move || done.store(true, SeqCst)
/// });
/// t.start().unwrap();
/// poolrt::thread::join_non_daemon();
/// assert!(done.load(SeqCst));
/// ```
#[doc(alias = "threading._shutdown")]
pub fn join_non_daemon() {
    join_until(Deadline::Never);
}

/// Like [`join_non_daemon`], for at most `timeout`; returns whether they
/// all finished.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// assert!(poolrt::thread::join_non_daemon_timeout(Duration::from_secs(10)));
/// ```
pub fn join_non_daemon_timeout(timeout: Duration) -> bool {
    join_until(Deadline::after(timeout))
}

fn join_until(deadline: Deadline) -> bool {
    let me = super::current_thread();
    loop {
        let pending: Vec<Thread> = NON_DAEMON
            .lock()
            .iter()
            .filter(|t| **t != me && t.is_alive_or_starting())
            .cloned()
            .collect();
        if pending.is_empty() {
            return true;
        }
        for thread in pending {
            if let Ok(false) = thread.join_until(deadline) {
                return false;
            }
        }
    }
}
