//! `Builder::executable`: workers started from another binary that links
//! pool-process fail start-up with an error naming a different build;
//! from a binary that is no worker at all (`/bin/true`), with an error
//! saying the worker ended during start-up. Neither hangs.

mod support;

use std::error::Error as _;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use pool_core::{Error, ErrorKind};
use pool_process::{ExitStatus, Pool, ProcessPoolExecutor, WorkerExit};
use support::{BOUND, worker_pid};

/// Other integration tests of this crate, in order of preference.
const SIBLINGS: &[&str] = &["apply", "map", "imap", "lifecycle", "panics"];

/// Another test binary of this crate (it links pool-process, so it would
/// serve as a worker, but it is a different build): the newest
/// `target/<profile>/deps/<name>-<hash>` of the first name in
/// [`SIBLINGS`] that was built. Cargo builds every test binary of the
/// crate before it runs any; when this file's tests run alone, a copy of
/// this very binary (another file, so another build identity) stands in.
fn other_build() -> PathBuf {
    let me = std::env::current_exe().unwrap();
    let deps = me.parent().unwrap();
    for name in SIBLINGS {
        let mut found: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(deps)
            .unwrap()
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| is_test_binary_of(path, name))
            .filter_map(|path| Some((path.metadata().ok()?.modified().ok()?, path)))
            .collect();
        found.sort();
        if let Some((_, path)) = found.pop() {
            return path;
        }
    }
    let copy = std::env::temp_dir().join(format!("poolrt-other-build-{}", std::process::id()));
    std::fs::copy(&me, &copy).expect("copy this test binary");
    copy
}

/// `name-<16 hex digits>`, executable, no extension.
fn is_test_binary_of(path: &Path, name: &str) -> bool {
    let Some(file) = path.file_name().and_then(|f| f.to_str()) else {
        return false;
    };
    let Some(hash) = file
        .strip_prefix(name)
        .and_then(|rest| rest.strip_prefix('-'))
    else {
        return false;
    };
    hash.len() == 16
        && hash.bytes().all(|b| b.is_ascii_hexdigit())
        && path
            .metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The error and all its sources, as one line.
fn chain(err: &Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(" <- ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The first task's error on a pool built with `executable(path)`: the
/// pool starts its workers in the background, so a failed start-up shows
/// on the first task (or at build, were it ever to be checked there).
/// Fails the test if either hangs.
fn start_up_error(path: PathBuf) -> Error {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let outcome = Pool::builder()
            .processes(1)
            .executable(path)
            .build()
            .and_then(|pool| pool.apply(worker_pid, ()));
        let _ = tx.send(outcome);
    });
    rx.recv_timeout(BOUND)
        .expect("start-up hung")
        .expect_err("a worker from that binary cannot serve this program")
}

#[test]
fn another_build_of_a_pool_process_binary_is_refused() {
    let other = other_build();
    let err = start_up_error(other.clone());
    let text = chain(&err);
    assert!(err.is_broken() || err.kind() == ErrorKind::Spawn, "{text}");
    assert!(
        text.contains("different build"),
        "{} gave {text}",
        other.display()
    );
    if other.starts_with(std::env::temp_dir()) {
        let _ = std::fs::remove_file(other);
    }
}

#[test]
fn a_binary_that_is_no_worker_fails_start_up() {
    let err = start_up_error("/bin/true".into());
    let text = chain(&err);
    assert!(err.is_broken() || err.kind() == ErrorKind::Spawn, "{text}");
    assert!(text.contains("ended during start-up"), "{text}");
    let mut source = err.source();
    let exit = loop {
        let cause = source.unwrap_or_else(|| panic!("no WorkerExit in {text}"));
        if let Some(exit) = cause.downcast_ref::<WorkerExit>() {
            break exit;
        }
        source = cause.source();
    };
    assert_eq!(exit.status, ExitStatus::Code(0), "/bin/true exits with 0");
}

#[test]
fn a_missing_executable_fails_start_up() {
    let err = start_up_error("/nonexistent/poolrt-worker".into());
    let text = chain(&err);
    assert!(err.is_broken() || err.kind() == ErrorKind::Spawn, "{text}");
    assert!(text.contains("could not start a worker"), "{text}");
}

#[test]
fn this_very_binary_by_path_is_accepted() {
    let pool = Pool::builder()
        .processes(1)
        .executable(std::env::current_exe().unwrap())
        .build()
        .unwrap();
    assert_ne!(pool.apply(worker_pid, ()).unwrap(), std::process::id());
}

#[test]
fn an_executor_with_another_build_is_broken() {
    let other = other_build();
    let executor = ProcessPoolExecutor::builder()
        .processes(1)
        .executable(other.clone())
        .build_executor()
        .unwrap();
    let err = match executor.submit(worker_pid, ()) {
        Ok(future) => future.result_timeout(BOUND).unwrap_err(),
        Err(err) => err,
    };
    assert!(chain(&err).contains("different build"), "{}", chain(&err));
    if other.starts_with(std::env::temp_dir()) {
        let _ = std::fs::remove_file(other);
    }
}
