//! `AsyncResult` is a `Future`: awaited (owned or borrowed) from a minimal
//! executor and from a current-thread tokio runtime, it yields what `get`
//! would, only after the callbacks have run, and never blocks the polling
//! thread while the worker is busy.

// tokio is not built under `--cfg loom` (see Cargo.toml).
#![cfg(not(loom))]

mod support;

use std::future::Future;
use std::pin::Pin;
use std::sync::mpsc;
use std::task::{Context, Poll, Waker};

use pool_process::{Callbacks, Pool};
use support::{Rendezvous, block_on, bounded, held_pid};

fn square(x: u64) -> u64 {
    x * x
}

fn fails(message: String) -> u32 {
    panic!("{message}")
}

/// Polls `future` once with a waker that does nothing.
fn poll_once<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
    Pin::new(future).poll(&mut Context::from_waker(Waker::noop()))
}

#[test]
fn an_awaited_result_is_pending_while_the_worker_runs_then_yields_the_value() {
    let pool = Pool::new(1).unwrap();
    let meet = Rendezvous::new();
    let mut result = pool.apply_async(held_pid, meet.path()).unwrap();
    let held = meet.arrival();
    assert!(poll_once(&mut result).is_pending(), "the task is held");
    held.release();
    let pid = block_on(result).unwrap();
    assert_eq!(pool.pids(), vec![pid]);
}

#[test]
fn a_borrowed_result_can_be_awaited_and_then_still_inspected() {
    let pool = Pool::new(2).unwrap();
    let result = pool.apply_async(square, 9).unwrap();
    assert_eq!(block_on(&result).unwrap(), 81);
    assert!(result.ready());
    assert!(result.successful().unwrap());
    assert!(
        block_on(&result).unwrap_err().kind() == pool_core::ErrorKind::Retrieved,
        "the value moved out, as with get"
    );
}

#[test]
fn an_awaited_failure_is_the_task_error() {
    let pool = Pool::new(1).unwrap();
    let result = pool.apply_async(fails, "boom".to_owned()).unwrap();
    let err = block_on(result).unwrap_err();
    assert!(err.is_panic(), "{err}");
    assert_eq!(err.panic().unwrap().message(), "boom");
}

#[test]
fn an_awaited_result_is_ready_only_after_its_callback_ran() {
    let pool = Pool::new(1).unwrap();
    let (tx, rx) = mpsc::channel();
    let callbacks = Callbacks::new().on_result(move |v: &u64| tx.send(*v).unwrap());
    let result = pool.apply_async_with(square, 4, callbacks).unwrap();
    assert_eq!(block_on(result).unwrap(), 16);
    assert_eq!(
        rx.try_recv(),
        Ok(16),
        "the callback ran before the await returned"
    );
}

#[test]
fn map_async_can_be_awaited() {
    let pool = Pool::new(2).unwrap();
    let result = pool.map_async(square, 1..=5u64).unwrap();
    assert_eq!(block_on(result).unwrap(), vec![1, 4, 9, 16, 25]);
}

#[tokio::test(flavor = "current_thread")]
async fn tokio_awaits_results_while_other_tasks_make_progress() {
    let pool = Pool::new(1).unwrap();
    let meet = Rendezvous::new();
    let result = pool.apply_async(held_pid, meet.path()).unwrap();
    let waiter = tokio::spawn(result);
    // The runtime's one thread is free while the spawned task awaits: this
    // task goes on, meets the held worker and releases it.
    tokio::task::yield_now().await;
    assert!(!waiter.is_finished(), "the task is held");
    let held = tokio::task::spawn_blocking(move || meet.arrival());
    bounded(held).await.unwrap().release();
    let pid = bounded(waiter).await.unwrap().unwrap();
    assert_eq!(pool.pids(), vec![pid]);
    let many = pool.map_async(square, vec![2, 3]).unwrap();
    assert_eq!(bounded(many).await.unwrap(), vec![4, 9]);
}
