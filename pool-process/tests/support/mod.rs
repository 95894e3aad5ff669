//! Helpers for pool-process's black-box tests.
//!
//! Tests order events across processes with the Unix socket rendezvous of
//! `pool-test-support`, never with sleeps: the test binds a [`Rendezvous`]
//! and passes its path to a task; the task (in a worker process) connects
//! with [`hold`] or [`signal`]; the test's [`Rendezvous::arrival`] returns
//! once it has, and [`Held::release`] lets a holding task go on. Every wait
//! is bounded by [`BOUND`], so a bug fails the test instead of hanging it.
//!
//! This module adds the tasks and pool observations only these tests use.
#![allow(dead_code, unreachable_pub, unused_imports)] // each test file uses a subset

pub use pool_test_support::{
    BOUND, Held, Rendezvous, block_on, bounded, eventually, gone, hold, open_fds, pids_after,
    process_state, report_and_hold, signal,
};

/// A task: holds until released, then returns the worker's pid.
pub fn held_pid(path: String) -> u32 {
    hold(&path);
    std::process::id()
}

/// A task: tells the test it started, then never ends (a runaway, for
/// the timeout, stop and terminate tests).
pub fn runaway(path: String) -> u32 {
    signal(&path);
    loop {
        std::hint::spin_loop();
    }
}

/// Starts [`runaway`] on a one-worker `pool` and returns once it runs:
/// its result and the pid of the worker it holds.
pub fn start_runaway(pool: &pool_process::Pool) -> (pool_process::AsyncResult<u32>, u32) {
    let meet = Rendezvous::new();
    let result = pool.apply_async(runaway, meet.path()).unwrap();
    drop(meet.arrival());
    (result, pool.pids()[0])
}

/// A task: the worker's pid.
pub fn worker_pid(_: ()) -> u32 {
    std::process::id()
}

/// The stat files of this process's pool threads and of every thread of
/// the worker processes `workers` (for `pool_test_support::assert_idle`).
pub fn pool_stats(workers: &[u32]) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir("/proc/self/task").unwrap() {
        let path = entry.unwrap().path();
        let comm = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        if comm.starts_with("poolrt-") {
            files.push(path.join("stat"));
        }
    }
    for pid in workers {
        for entry in std::fs::read_dir(format!("/proc/{pid}/task")).unwrap() {
            files.push(entry.unwrap().path().join("stat"));
        }
    }
    files
}

/// Waits until the pool-like `pids` reports `n` live workers, and returns
/// them.
pub fn live_workers(n: usize, pids: impl Fn() -> Vec<u32>) -> Vec<u32> {
    eventually(&format!("{n} live workers"), || pids().len() == n);
    pids()
}

pub mod large_results;
pub mod memory;

/// A tally that tasks in worker processes add to and the test reads: a
/// fresh temporary folder whose `tally` file gets one byte per
/// [`tally`] call (appends of one byte are atomic), and which holds the
/// markers of [`first_time`]. Counts attempts across retries.
pub struct Tally {
    dir: std::path::PathBuf,
}

impl Tally {
    /// A fresh, empty tally.
    pub fn new() -> Tally {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "poolrt-tally-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir(&dir).expect("create the tally folder");
        Tally { dir }
    }

    /// The path to hand to tasks.
    pub fn path(&self) -> String {
        self.dir.to_str().expect("a UTF-8 temp path").to_owned()
    }

    /// The bytes tasks added, in the order they were added.
    pub fn bytes(&self) -> Vec<u8> {
        std::fs::read(self.dir.join("tally")).unwrap_or_default()
    }

    /// How many times tasks added `byte`.
    pub fn count(&self, byte: u8) -> usize {
        self.bytes().iter().filter(|&&b| b == byte).count()
    }
}

impl Drop for Tally {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// In a task: adds `byte` to the [`Tally`] at `path`.
pub fn tally(path: &str, byte: u8) {
    use std::io::Write;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(std::path::Path::new(path).join("tally"))
        .and_then(|mut file| file.write_all(&[byte]))
        .expect("add to the tally");
}

/// In a task: true the first time it is called with this `name` for the
/// [`Tally`] at `path`, in any process.
pub fn first_time(path: &str, name: &str) -> bool {
    std::fs::File::create_new(std::path::Path::new(path).join(name)).is_ok()
}

/// Descriptors in flight in this process's sockets (the kernel's
/// `scm_fds` in each socket's fdinfo): sent with `SCM_RIGHTS` and not
/// received yet.
pub fn in_flight() -> usize {
    let mut total = 0;
    for entry in std::fs::read_dir("/proc/self/fd").unwrap().flatten() {
        let is_socket = std::fs::read_link(entry.path())
            .is_ok_and(|target| target.to_string_lossy().starts_with("socket:"));
        if !is_socket {
            continue;
        }
        let info =
            std::fs::read_to_string(format!("/proc/self/fdinfo/{}", entry.file_name().display()))
                .unwrap_or_default();
        total += info
            .lines()
            .find_map(|line| line.strip_prefix("scm_fds:"))
            .map_or(0, |n| n.trim().parse::<usize>().unwrap());
    }
    total
}
