//! A worker rank that exits while it serves (a task called
//! `std::process::exit`, or a library did) says so on its way out, with
//! its rank, pid and host: `mpirun` then ends the job, but its own report
//! of a non-zero exit names neither the host nor the reason.
//!
//! A rank killed by a signal cannot say anything; `mpirun`'s report names
//! its rank, pid and node then (*"mpirun noticed that process rank 1 with
//! PID … on node … exited on signal 9 (Killed)"*).

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set while the rank serves: an exit then is a death.
static SERVING: AtomicBool = AtomicBool::new(false);

/// The line to print, made before serving (no allocation at exit).
static EPITAPH: OnceLock<String> = OnceLock::new();

/// The rank starts serving: an exit from now on is reported.
pub(crate) fn serving(rank: i32) {
    let host = mpi::environment::processor_name().unwrap_or_else(|_| "?".to_owned());
    let line = format!(
        "poolrt: MPI rank {rank} (pid {}) on host {host} exited while serving the root's tasks \
         (a task ended the process); mpirun ends the job\n",
        std::process::id()
    );
    if EPITAPH.set(line).is_ok() {
        crate::sys::at_exit(report);
    }
    // Release: pairs with the Acquire in `report`, which may run on
    // another thread (whichever calls `exit`).
    SERVING.store(true, Ordering::Release);
}

/// The rank stopped serving normally: its exit is no death.
pub(crate) fn done() {
    SERVING.store(false, Ordering::Release);
}

/// The `atexit` hook.
extern "C" fn report() {
    if SERVING.load(Ordering::Acquire)
        && let Some(line) = EPITAPH.get()
    {
        use std::io::Write;
        let _ = std::io::stderr().write_all(line.as_bytes());
    }
}
