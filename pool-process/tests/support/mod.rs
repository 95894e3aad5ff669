//! Helpers shared by pool-process's black-box tests.
//!
//! Tests order events across processes with a Unix socket rendezvous, never
//! with sleeps: the test binds a [`Rendezvous`] and passes its path to a
//! task; the task (in a worker process) connects with [`hold`] or
//! [`signal`]; the test's [`Rendezvous::arrival`] returns once it has, and
//! [`Held::release`] lets a holding task go on. Every wait is bounded by
//! [`BOUND`], so a bug fails the test instead of hanging it.
#![allow(dead_code, unreachable_pub, unused_imports)] // each test file uses a subset

#[path = "../../../pool-core/tests/support/mod.rs"]
mod core_support;

use std::io::{ErrorKind as IoErrorKind, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

pub use core_support::{BOUND, block_on, eventually};

/// How long a task waits to be released before it gives up on its own: far
/// beyond [`BOUND`], only so that a worker of a crashed test cannot block
/// forever.
const TASK_PATIENCE: Duration = Duration::from_secs(120);

/// A listening Unix socket at a unique path that tasks connect to.
pub struct Rendezvous {
    listener: UnixListener,
    path: PathBuf,
}

impl Rendezvous {
    pub fn new() -> Rendezvous {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "poolrt-test-{}-{}.sock",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_file(&path);
        let listener = UnixListener::bind(&path).expect("bind the rendezvous socket");
        listener
            .set_nonblocking(true)
            .expect("make the rendezvous non-blocking");
        Rendezvous { listener, path }
    }

    /// The path to hand to tasks.
    pub fn path(&self) -> String {
        self.path.to_str().expect("a UTF-8 temp path").to_owned()
    }

    /// Waits for the next task to connect; panics after [`BOUND`]. A task
    /// that connected with [`hold`] is then running and blocked until the
    /// returned handle is released (or dropped).
    pub fn arrival(&self) -> Held {
        self.arrival_within(BOUND)
            .expect("no task arrived at the rendezvous")
    }

    /// Like [`arrival`](Rendezvous::arrival), but `None` after `bound`.
    pub fn arrival_within(&self, bound: Duration) -> Option<Held> {
        let deadline = Instant::now() + bound;
        loop {
            match self.listener.accept() {
                Ok((stream, _)) => {
                    stream.set_nonblocking(false).expect("blocking stream");
                    return Some(Held(stream));
                }
                Err(e) if e.kind() == IoErrorKind::WouldBlock => {
                    if Instant::now() >= deadline {
                        return None;
                    }
                    thread::sleep(Duration::from_millis(1));
                }
                Err(e) if e.kind() == IoErrorKind::Interrupted => {}
                Err(e) => panic!("accept on the rendezvous failed: {e}"),
            }
        }
    }
}

impl Default for Rendezvous {
    fn default() -> Self {
        Rendezvous::new()
    }
}

impl Drop for Rendezvous {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The test's end of one task's connection.
pub struct Held(UnixStream);

impl Held {
    /// Lets the task go on.
    pub fn release(mut self) {
        // The task may be gone already (a test that killed it); that is
        // for the test to check, not an error here.
        let _ = self.0.write_all(&[1]);
    }

    /// Reads the little-endian `u64` the task sent with [`report`].
    pub fn read_u64(&mut self) -> u64 {
        self.0
            .set_read_timeout(Some(BOUND))
            .expect("set a read timeout");
        let mut bytes = [0u8; 8];
        self.0
            .read_exact(&mut bytes)
            .expect("the task sent a number");
        u64::from_le_bytes(bytes)
    }
}

/// In a task: tells the test the task has started, then blocks until the
/// test releases it (or goes away).
pub fn hold(path: &str) {
    let mut stream = UnixStream::connect(path).expect("connect to the rendezvous");
    stream
        .set_read_timeout(Some(TASK_PATIENCE))
        .expect("set a read timeout");
    let mut byte = [0u8; 1];
    let _ = stream.read(&mut byte);
}

/// In a task: tells the test this point was reached, without waiting.
pub fn signal(path: &str) {
    drop(UnixStream::connect(path).expect("connect to the rendezvous"));
}

/// In a task: sends `value` to the test, then blocks until released.
pub fn report_and_hold(path: &str, value: u64) {
    let mut stream = UnixStream::connect(path).expect("connect to the rendezvous");
    stream
        .write_all(&value.to_le_bytes())
        .expect("send to the test");
    stream
        .set_read_timeout(Some(TASK_PATIENCE))
        .expect("set a read timeout");
    let mut byte = [0u8; 1];
    let _ = stream.read(&mut byte);
}

/// A task: holds until released, then returns the worker's pid.
pub fn held_pid(path: String) -> u32 {
    hold(&path);
    std::process::id()
}

/// A task: the worker's pid.
pub fn worker_pid(_: ()) -> u32 {
    std::process::id()
}

/// The state letter of process `pid` from `/proc/<pid>/stat` (`'Z'` for a
/// zombie), or `None` when no such process exists.
pub fn process_state(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may contain spaces.
    let after = &stat[stat.rfind(')')? + 1..];
    after.trim_start().chars().next()
}

/// Waits until process `pid` no longer exists (not even as a zombie).
pub fn gone(pid: u32) {
    eventually(&format!("process {pid} to be gone"), || {
        process_state(pid).is_none()
    });
}

/// The number of open file descriptors of this process.
pub fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .expect("list /proc/self/fd")
        .count()
}

/// Waits until the pool-like `pids` reports `n` live workers, and returns
/// them.
pub fn live_workers(n: usize, pids: impl Fn() -> Vec<u32>) -> Vec<u32> {
    eventually(&format!("{n} live workers"), || pids().len() == n);
    pids()
}

/// Reads `lines` (a helper process's output) up to the first line that
/// starts with `prefix`, and returns the pids listed after it (none if the
/// output ends first).
pub fn pids_after<B: std::io::BufRead>(lines: &mut std::io::Lines<B>, prefix: &str) -> Vec<u32> {
    for line in lines.by_ref() {
        let line = line.expect("read the helper's output");
        if let Some(list) = line.strip_prefix(prefix) {
            return list
                .split_whitespace()
                .map(|p| p.parse::<u32>().expect("a pid"))
                .collect();
        }
    }
    Vec::new()
}
