//! Timeouts: a timeout too large to represent as a deadline (such as
//! `Duration::MAX`, a common way to say "forever") waits like no timeout
//! instead of panicking; a worker that never greets is killed after the
//! start-up timeout and the start fails with an error, not a hang.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use pool_core::ReturnWhen;
use pool_process::{Callbacks, Pool, ProcessPoolExecutor};
use support::{BOUND, Rendezvous, held_pid, process_state, worker_pid};

fn square(x: u64) -> u64 {
    x * x
}

#[test]
fn get_timeout_with_duration_max_waits_like_get() {
    let pool = Pool::new(1).unwrap();
    let rendezvous = Rendezvous::new();
    let result = pool.apply_async(held_pid, rendezvous.path()).unwrap();
    let held = rendezvous.arrival();
    let waiter = std::thread::spawn(move || result.get_timeout(Duration::MAX));
    held.release();
    assert!(waiter.join().unwrap().is_ok());
    let result = pool.apply_async(square, 4).unwrap();
    assert!(result.wait_timeout(Duration::MAX));
    assert_eq!(result.get_timeout(Duration::MAX).unwrap(), 16);
    let with_callback = pool
        .apply_async_with(square, 5, Callbacks::new().on_result(|_: &u64| {}))
        .unwrap();
    assert_eq!(with_callback.get_timeout(Duration::MAX).unwrap(), 25);
}

#[test]
fn a_startup_timeout_of_duration_max_means_no_limit() {
    let pool = Pool::builder()
        .processes(1)
        .startup_timeout(Duration::MAX)
        .build()
        .unwrap();
    assert_eq!(pool.apply(square, 3).unwrap(), 9);
}

#[test]
fn waiting_on_executor_futures_with_duration_max() {
    let executor = ProcessPoolExecutor::new(2).unwrap();
    let futures: Vec<_> = (0..6)
        .map(|i| executor.submit(square, i).unwrap())
        .collect();
    let waited = pool_core::wait(&futures, Some(Duration::MAX), ReturnWhen::AllCompleted);
    assert_eq!(waited.done.len(), 6);
    let first = pool_core::wait(&futures, Some(Duration::MAX), ReturnWhen::FirstCompleted);
    assert!(!first.done.is_empty());
    let completed: Vec<_> = pool_core::as_completed(&futures, Some(Duration::MAX))
        .map(|f| f.expect("no timeout").done())
        .collect();
    assert_eq!(completed, [true; 6]);
    assert_eq!(
        futures[5].result_timeout(Duration::MAX).unwrap(),
        25,
        "TaskFuture's own timeouts already allowed it"
    );
}

#[test]
fn a_worker_that_never_greets_is_killed_after_the_startup_timeout() {
    // A stand-in "program" that starts but never speaks the protocol.
    let script = std::env::temp_dir().join(format!("poolrt-silent-{}", std::process::id()));
    std::fs::write(&script, "#!/bin/sh\nexec sleep 60\n").unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let pool = Pool::builder()
        .processes(1)
        .executable(&script)
        .startup_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let pool = std::thread::spawn(move || {
        let _ = tx.send(pool.apply(worker_pid, ()));
        pool
    });
    let err = rx.recv_timeout(BOUND).expect("start-up hung").unwrap_err();
    let pool = pool.join().unwrap();
    assert!(err.is_broken(), "{err:?}");
    // The first sentence says why.
    let cause = err.to_string();
    assert!(cause.starts_with("pool is broken: "), "{cause}");
    assert!(cause.contains("did not start within"), "{cause}");
    // "... worker process <pid> did not start within ..."
    let silent: u32 = cause
        .split_whitespace()
        .skip_while(|w| *w != "process")
        .nth(1)
        .and_then(|pid| pid.parse().ok())
        .unwrap_or_else(|| panic!("no pid in {cause}"));
    assert_eq!(
        process_state(silent),
        None,
        "the silent worker was killed and reaped"
    );
    drop(pool);
    let _ = std::fs::remove_file(&script);
}
