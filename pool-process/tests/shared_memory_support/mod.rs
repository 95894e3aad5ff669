//! Helpers of the shared-memory tests: running a CPython snippet to
//! compare with, and watching `/dev/shm`.
#![allow(dead_code)] // each test file uses some of them

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;

pub(crate) use pool_test_support::{BOUND, eventually};

/// Runs `script` under `python3` with `args` (as `sys.argv[1:]`) and
/// returns what it printed, trimmed; `None` (and a note on stderr) where
/// there is no `python3`. Panics if the script fails or outlives
/// [`BOUND`].
pub(crate) fn python(script: &str, args: &[&str]) -> Option<String> {
    let child = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => {
            eprintln!("no python3 to compare with ({e}): skipping the comparison");
            return None;
        }
    };
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut out = String::new();
        let mut err = String::new();
        let _ = stdout.read_to_string(&mut out);
        let _ = stderr.read_to_string(&mut err);
        let _ = tx.send((out, err));
    });
    let Ok((out, err)) = rx.recv_timeout(BOUND) else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("python3 ran past the bound");
    };
    let status = child.wait().unwrap();
    assert!(status.success(), "python3 failed: {status}\n{err}");
    Some(out.trim().to_owned())
}

/// True while `/dev/shm` holds `name`.
pub(crate) fn in_dev_shm(name: &str) -> bool {
    Path::new("/dev/shm").join(name).exists()
}

/// Waits (bounded) until `/dev/shm` no longer holds `name`.
pub(crate) fn wait_until_gone(name: &str) {
    eventually(&format!("/dev/shm/{name} to be unlinked"), || {
        !in_dev_shm(name)
    });
}

/// A name unique to this test process and `what`.
pub(crate) fn unique(what: &str) -> String {
    format!("poolrt-test-{what}-{}", std::process::id())
}
