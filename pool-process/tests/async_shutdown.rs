//! The async shutdowns of the process backend, `Pool::join_async` and
//! `ProcessPoolExecutor::shutdown_async`: the future completes once the
//! workers exited, and while it is pending the runtime's one thread stays
//! free for other tasks (here: the one that releases the held worker).

// tokio is not built under `--cfg loom` (see Cargo.toml).
#![cfg(not(loom))]

mod support;

use pool_core::ErrorKind;
use pool_process::{Pool, ProcessPoolExecutor};
use support::{Rendezvous, block_on, bounded, held_pid};

#[tokio::test(flavor = "current_thread")]
async fn a_pending_pool_join_leaves_the_runtime_thread_free() {
    let pool = Pool::new(1).unwrap();
    let meet = Rendezvous::new();
    let held = pool.apply_async(held_pid, meet.path()).unwrap();
    let holder = meet.arrival();
    let queued = pool.apply_async(|x: u8| x + 1, 1).unwrap();
    pool.close();

    let join = tokio::spawn(pool.join_async());
    let other = tokio::spawn(async { "another task ran" });
    assert_eq!(bounded(other).await.unwrap(), "another task ran");
    assert!(!join.is_finished(), "the worker is held");

    // Released by the runtime's one thread while the join is pending.
    holder.release();
    bounded(join).await.unwrap().unwrap();
    assert!(pool.pids().is_empty(), "the workers exited");
    assert!(held.ready() && queued.ready());
    assert_eq!(queued.get().unwrap(), 2, "queued tasks ran");
    drop(pool); // returns at once: nothing left to wait for
}

#[tokio::test(flavor = "current_thread")]
async fn a_pending_executor_shutdown_leaves_the_runtime_thread_free() {
    let executor = ProcessPoolExecutor::new(1).unwrap();
    let meet = Rendezvous::new();
    let held = executor.submit(held_pid, meet.path()).unwrap();
    let holder = meet.arrival();
    let queued = executor.submit(|x: u8| x * 2, 4).unwrap();

    let shutdown = tokio::spawn(executor.shutdown_async());
    let other = tokio::spawn(async { "another task ran" });
    assert_eq!(bounded(other).await.unwrap(), "another task ran");
    assert!(!shutdown.is_finished(), "the worker is held");
    assert!(executor.submit(|x: u8| x, 0).is_err(), "refused at once");

    holder.release();
    bounded(shutdown).await.unwrap().unwrap();
    assert!(executor.pids().is_empty(), "the workers exited");
    let pid = bounded(held).await.unwrap();
    assert_ne!(pid, std::process::id());
    assert_eq!(bounded(queued).await.unwrap(), 8, "queued tasks ran");
}

#[test]
fn join_async_before_close_fails_as_join_does() {
    let pool = Pool::new(1).unwrap();
    let err = block_on(pool.join_async()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidState);
    assert!(err.to_string().contains("close"), "{err}");
    assert_eq!(
        pool.apply(|x: u8| x + 1, 1).unwrap(),
        2,
        "the pool still runs"
    );
}

#[test]
fn join_async_after_terminate_completes() {
    let pool = Pool::new(1).unwrap();
    let meet = Rendezvous::new();
    let held = pool.apply_async(held_pid, meet.path()).unwrap();
    let _holder = meet.arrival();
    pool.terminate();
    block_on(pool.join_async()).unwrap();
    assert!(pool.pids().is_empty());
    assert!(held.get().unwrap_err().to_string().contains("terminated"));
}
