//! `ThreadPoolExecutor::shutdown_async`: the returned future completes once
//! the queued tasks ran and the threads exited, and while it is pending
//! the runtime's one thread stays free for other tasks.

// tokio is not built under `--cfg loom` (see Cargo.toml).
#![cfg(not(loom))]

use std::sync::mpsc;

use pool_core::ErrorKind;
use pool_test_support::{BOUND, block_on, bounded};
use pool_thread::ThreadPoolExecutor;

/// Submits a task that reports it started, then waits for the returned
/// sender (true if released within [`BOUND`]).
fn held_task(executor: &ThreadPoolExecutor) -> (pool_core::TaskFuture<bool>, mpsc::Sender<()>) {
    let (release, gate) = mpsc::channel::<()>();
    let (started, running) = mpsc::channel::<()>();
    let task = executor
        .submit(move || {
            started.send(()).unwrap();
            gate.recv_timeout(BOUND).is_ok()
        })
        .unwrap();
    running.recv_timeout(BOUND).expect("the task started");
    (task, release)
}

#[tokio::test(flavor = "current_thread")]
async fn a_pending_shutdown_leaves_the_runtime_thread_free() {
    let executor = ThreadPoolExecutor::new(2).unwrap();
    let (held, release) = held_task(&executor);
    let queued = executor.submit(|| 7).unwrap();

    // If shutdown_async blocked, it would block here, and the held task
    // (released only below, by this runtime's one thread) would time out.
    let shutdown = tokio::spawn(executor.shutdown_async());
    let other = tokio::spawn(async { "another task ran" });
    assert_eq!(bounded(other).await.unwrap(), "another task ran");
    assert!(!shutdown.is_finished(), "a task still runs");
    assert!(
        executor.submit(|| 0).unwrap_err().is_shutdown(),
        "refused at once"
    );

    release.send(()).unwrap();
    bounded(shutdown).await.unwrap().unwrap();
    assert!(
        held.result().unwrap(),
        "released while the shutdown was pending"
    );
    assert_eq!(queued.result().unwrap(), 7, "queued tasks ran");
    assert_eq!(executor.metrics().workers, 0, "every thread has exited");
    drop(executor); // returns at once: nothing left to wait for
}

#[test]
fn shutdown_async_completes_under_a_minimal_executor_and_has_a_timeout_form() {
    let executor = ThreadPoolExecutor::new(1).unwrap();
    let (held, release) = held_task(&executor);
    let shutdown = executor.shutdown_async();
    assert!(
        !shutdown.wait_timeout(std::time::Duration::ZERO),
        "a task still runs"
    );
    release.send(()).unwrap();
    block_on(&shutdown).unwrap();
    assert!(held.result().unwrap());
    assert_eq!(executor.metrics().workers, 0);
    // A second call finds nothing to wait for.
    block_on(executor.shutdown_async()).unwrap();
}

#[test]
fn a_shutdown_future_waited_from_blocking_code_reports_a_timeout() {
    let executor = ThreadPoolExecutor::new(1).unwrap();
    let (held, release) = held_task(&executor);
    let shutdown = executor.shutdown_async();
    let err = shutdown
        .result_timeout(std::time::Duration::from_millis(1))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    release.send(()).unwrap();
    assert!(shutdown.wait_timeout(BOUND));
    assert!(held.result().unwrap());
}
