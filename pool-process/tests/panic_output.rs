//! What a panicking task prints: nothing when its caller reads the error
//! (the panic is a value, as a Python exception `future.result()` raises
//! is not printed), one "never retrieved" line from poolrt when nobody
//! does. The worker process that caught the panic prints nothing either:
//! it sends the panic to its parent.
//!
//! The scenario runs in a fresh copy of this test binary, whose standard
//! error (shared with its worker processes) the test reads.

mod support;

use pool_process::{Pool, ProcessPoolExecutor};
use pool_test_support::{is_rerun_child, rerun_in_child};
use support::BOUND;

/// The message of the panics whose errors are read.
const READ: &str = "panic-whose-error-is-read";
/// The message of the panic whose future is dropped unread.
const DROPPED: &str = "panic-whose-future-is-dropped";

fn panics_read(n: u32) -> u32 {
    panic!("{READ} {n}");
}

fn panics_dropped(_: ()) -> u32 {
    panic!("{DROPPED}");
}

#[test]
fn scenario() {
    if !is_rerun_child() {
        return;
    }
    let pool = Pool::new(2).unwrap();
    assert!(pool.apply(panics_read, 1).unwrap_err().is_panic());
    let mapped = pool.imap(panics_read, [2, 3]);
    for result in mapped {
        assert!(result.unwrap_err().is_panic());
    }
    let executor = ProcessPoolExecutor::new(1).unwrap();
    let read = executor.submit(panics_read, 4).unwrap();
    assert!(read.result_timeout(BOUND).unwrap_err().is_panic());
    let dropped = executor.submit(panics_dropped, ()).unwrap();
    assert!(dropped.wait_timeout(BOUND));
    drop(dropped);
    executor.shutdown();
    println!("scenario done");
}

#[test]
fn a_read_task_panic_prints_nothing_and_an_unread_one_is_reported_once() {
    let output = rerun_in_child("scenario");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("scenario done"), "{stdout}\n{stderr}");
    assert!(!stderr.contains(READ), "{stderr}");
    let rust_lines = stderr
        .lines()
        .filter(|line| line.starts_with("thread '") && line.contains("panicked at"));
    assert_eq!(rust_lines.count(), 0, "{stderr}");
    let reports: Vec<_> = stderr.lines().filter(|l| l.contains(DROPPED)).collect();
    assert_eq!(reports.len(), 1, "{stderr}");
    assert!(
        reports[0].starts_with("poolrt: a task's error was never retrieved: "),
        "{stderr}"
    );
    assert!(reports[0].contains("panic_output.rs:"), "{stderr}");
}
