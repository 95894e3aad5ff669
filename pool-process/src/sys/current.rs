//! This process: its ids, its tie to its parent, its cores.

use rustix::process::{Signal, getpid, getppid, set_parent_process_death_signal};

/// This process's id.
pub(crate) fn pid() -> i32 {
    getpid().as_raw_nonzero().get()
}

/// This process's parent's id (0 if it has none in its namespace).
pub(crate) fn parent_pid() -> i32 {
    getppid().map_or(0, |p| p.as_raw_nonzero().get())
}

/// Asks the kernel to kill this process when the thread that spawned it
/// ends (with its process, normally), then checks that `parent` is still
/// the parent: it may have died before the request took effect, and then
/// nobody would send the signal. False if this process is on its own.
pub(crate) fn die_with_parent(parent: i32) -> bool {
    set_parent_process_death_signal(Some(Signal::KILL)).is_ok()
        && getppid().map(|p| p.as_raw_nonzero().get()) == Some(parent)
}

/// Pins this process to `core`, best effort: false if the kernel refused
/// (no such core, or not allowed by the process's cpuset).
pub(crate) fn pin_to_core(core: usize) -> bool {
    let mut set = rustix::thread::CpuSet::new();
    if core >= rustix::thread::CpuSet::MAX_CPU {
        return false;
    }
    set.set(core);
    rustix::thread::sched_setaffinity(None, &set).is_ok()
}
