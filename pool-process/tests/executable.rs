//! `PoolBuilder::executable`: workers started from another binary that links
//! pool-process fail start-up with an error naming a different build;
//! from a binary that is no worker at all (`/bin/true`), with an error
//! saying the worker ended during start-up. Neither hangs.

mod support;

use std::error::Error as _;
use std::path::PathBuf;
use std::sync::mpsc;

use pool_core::{Error, ErrorKind};
use pool_process::{ExitReason, Pool, ProcessPoolExecutor, WorkerExit};
use support::{BOUND, worker_pid};

/// Another build of this program: a copy of this very test binary. It
/// links pool-process, so it would serve as a worker, but it is another
/// file (another inode and modification time), so its build fingerprint
/// differs, as a rebuilt or foreign binary's would. (Sibling test binaries
/// are no substitute: cargo may not have them on disk when this runs.)
///
/// Made once per test binary, before any test executes it, so no test
/// writes the file while another starts it.
fn other_build() -> PathBuf {
    static COPY: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    COPY.get_or_init(|| {
        // One copy per build of this binary, reused by later runs (so the
        // temp dir does not fill up), made under a temporary name and
        // renamed into place, so nobody ever starts a half-written file.
        use std::os::unix::fs::MetadataExt;
        let me = std::env::current_exe().unwrap();
        let meta = me.metadata().unwrap();
        let dir = std::env::temp_dir();
        let copy = dir.join(format!(
            "poolrt-other-build-{}-{}",
            meta.ino(),
            meta.mtime()
        ));
        if !copy.exists() {
            let partial = dir.join(format!("poolrt-other-build-{}.partial", std::process::id()));
            std::fs::copy(&me, &partial).expect("copy this test binary");
            std::fs::rename(&partial, &copy).expect("move the copy into place");
        }
        copy
    })
    .clone()
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
///
/// A freshly written binary can be briefly "busy" (ETXTBSY) while a
/// process another test is spawning still holds a copy of its writer's
/// descriptor; that one outcome is retried.
fn start_up_error(path: PathBuf) -> Error {
    for _ in 0..5 {
        let (tx, rx) = mpsc::channel();
        let path = path.clone();
        std::thread::spawn(move || {
            let outcome = Pool::builder()
                .processes(1)
                .executable(path)
                .build()
                .and_then(|pool| pool.apply(worker_pid, ()));
            let _ = tx.send(outcome);
        });
        let err = rx
            .recv_timeout(BOUND)
            .expect("start-up hung")
            .expect_err("a worker from that binary cannot serve this program");
        if !chain(&err).contains("Text file busy") {
            return err;
        }
    }
    panic!("the binary stayed busy");
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
    assert_eq!(exit.status, ExitReason::Code(0), "/bin/true exits with 0");
}

#[test]
fn an_executable_that_cannot_start_is_refused_at_build_saying_why() {
    // The error's own message names the path and the cause (CPython's
    // `set_executable` accepts anything and fails at the first start).
    let refused = |path: &std::path::Path| {
        let err = Pool::builder().executable(path).build().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{err}");
        assert!(
            err.to_string().contains(&path.display().to_string()),
            "{err}"
        );
        err.to_string()
    };
    let missing = refused("/nonexistent/poolrt-worker".as_ref());
    assert!(missing.contains("No such file or directory"), "{missing}");
    assert!(refused(&std::env::temp_dir()).contains("not a file"));
    let plain = std::env::temp_dir().join(format!("poolrt-not-executable-{}", std::process::id()));
    std::fs::write(&plain, b"#!/bin/sh\n").unwrap();
    let not_executable = refused(&plain);
    std::fs::remove_file(&plain).unwrap();
    assert!(
        not_executable.contains("not executable"),
        "{not_executable}"
    );
    // The executor's builder checks the same way.
    let err = ProcessPoolExecutor::builder()
        .executable("/nonexistent/poolrt-worker")
        .build_executor()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{err}");
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
    let mut err = None;
    for _ in 0..5 {
        let executor = ProcessPoolExecutor::builder()
            .processes(1)
            .executable(other.clone())
            .build_executor()
            .unwrap();
        let e = match executor.submit(worker_pid, ()) {
            Ok(future) => future.result_timeout(BOUND).unwrap_err(),
            Err(err) => err,
        };
        // See `start_up_error` about a briefly busy binary.
        if !chain(&e).contains("Text file busy") {
            err = Some(e);
            break;
        }
    }
    let err = err.expect("the binary stayed busy");
    assert!(chain(&err).contains("different build"), "{}", chain(&err));
}
