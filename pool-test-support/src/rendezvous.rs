//! Ordering events across processes with a Unix socket, never with sleeps.
//!
//! The test binds a [`Rendezvous`] and passes its path to a task; the task
//! (in a worker process) connects with [`hold`] or [`signal`]; the test's
//! [`Rendezvous::arrival`] returns once it has, and [`Held::release`] lets a
//! holding task go on. Every wait is bounded by [`BOUND`], so a bug fails
//! the test instead of hanging it.

use std::io::{ErrorKind as IoErrorKind, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::BOUND;

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
    /// Binds a fresh socket in the temporary directory.
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

    /// Reads the little-endian `u64` the task sent with [`report_and_hold`].
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
