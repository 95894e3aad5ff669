//! `ProcessPoolExecutor`: `submit` returns a `TaskFuture` (blocking `result`
//! and `.await`), `map` keeps input order, `shutdown` waits for queued
//! work, `shutdown_with(Wait::No, CancelFutures::Yes)` cancels queued
//! futures, and submitting after shutdown is an error.

mod support;

use std::pin::Pin;
use std::sync::mpsc;
use std::task::{Context, Poll};

use pool_core::{CancelFutures, ErrorKind, ReturnWhen, Wait};
use pool_process::ProcessPoolExecutor;
use support::{BOUND, Rendezvous, block_on, held_pid, worker_pid};

fn square(x: u64) -> u64 {
    x * x
}

/// Item 0 holds at the first path; the others signal the second.
fn first_holds(item: (String, String, u32)) -> u32 {
    let (hold_at, signal_at, n) = item;
    if n == 0 {
        support::hold(&hold_at);
    } else {
        support::signal(&signal_at);
    }
    n
}

#[test]
fn submit_returns_a_future_of_the_value() {
    let executor = ProcessPoolExecutor::new(2).unwrap();
    let future = executor.submit(square, 9).unwrap();
    assert_eq!(future.result_timeout(BOUND).unwrap(), 81);
    assert!(future.done());
    assert!(!future.cancelled());
    let pid = executor.submit(worker_pid, ()).unwrap().result().unwrap();
    assert_ne!(pid, std::process::id());
    assert!(executor.pids().contains(&pid));
}

#[test]
fn a_future_can_be_awaited() {
    let executor = ProcessPoolExecutor::new(2).unwrap();
    let futures: Vec<_> = (0..10)
        .map(|i| executor.submit(square, i).unwrap())
        .collect();
    let total = block_on(async {
        let mut total = 0;
        for future in futures {
            total += future.await.unwrap();
        }
        total
    });
    assert_eq!(total, (0..10).map(square).sum::<u64>());
}

/// Wraps a future and says when a poll of it first returned `Pending`.
struct TellPending<F> {
    inner: F,
    tx: Option<mpsc::Sender<()>>,
}

impl<F: std::future::Future + Unpin> std::future::Future for TellPending<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let outcome = Pin::new(&mut self.inner).poll(cx);
        if outcome.is_pending()
            && let Some(tx) = self.tx.take()
        {
            tx.send(()).unwrap();
        }
        outcome
    }
}

#[test]
fn an_awaited_future_wakes_when_the_worker_answers() {
    let executor = ProcessPoolExecutor::new(1).unwrap();
    let rendezvous = Rendezvous::new();
    let future = executor.submit(held_pid, rendezvous.path()).unwrap();
    let held = rendezvous.arrival();
    let (tx, rx) = mpsc::channel();
    let waiter = std::thread::spawn(move || {
        block_on(TellPending {
            inner: future,
            tx: Some(tx),
        })
    });
    rx.recv_timeout(BOUND).expect("the first poll was pending");
    held.release();
    let pid = waiter.join().unwrap().unwrap();
    assert_ne!(pid, std::process::id());
}

#[test]
fn futures_work_with_wait_and_as_completed() {
    let executor = ProcessPoolExecutor::new(2).unwrap();
    let futures: Vec<_> = (0..8)
        .map(|i| executor.submit(square, i).unwrap())
        .collect();
    let waited = pool_core::wait(&futures, Some(BOUND), ReturnWhen::AllCompleted);
    assert_eq!(waited.done.len(), 8);
    let mut seen: Vec<u64> = pool_core::as_completed(&futures, Some(BOUND))
        .map(|f| f.unwrap().result().unwrap())
        .collect();
    seen.sort_unstable();
    assert_eq!(seen, (0..8).map(square).collect::<Vec<_>>());
}

#[test]
fn map_keeps_input_order() {
    let executor = ProcessPoolExecutor::new(2).unwrap();
    let results: Vec<u64> = executor.map(square, 0..300).map(Result::unwrap).collect();
    assert_eq!(results, (0..300).map(square).collect::<Vec<_>>());
    let results: Vec<u64> = executor
        .map_chunked(square, 0..300, 7)
        .map(Result::unwrap)
        .collect();
    assert_eq!(results, (0..300).map(square).collect::<Vec<_>>());
    assert!(executor.map(square, Vec::new()).next().is_none());
}

#[test]
fn map_keeps_input_order_when_the_first_item_finishes_last() {
    let executor = ProcessPoolExecutor::new(2).unwrap();
    let (first, rest) = (Rendezvous::new(), Rendezvous::new());
    let items: Vec<_> = (0..6).map(|n| (first.path(), rest.path(), n)).collect();
    // Chunks of one, four in flight: item 0 holds one worker while the
    // other finishes items 1 to 3.
    let results = executor.map_chunked(first_holds, items, 1);
    let held = first.arrival();
    for _ in 1..4 {
        rest.arrival();
    }
    held.release();
    let all: Vec<u32> = results.map(Result::unwrap).collect();
    assert_eq!(all, [0, 1, 2, 3, 4, 5]);
}

#[test]
fn shutdown_waits_for_queued_work() {
    let executor = ProcessPoolExecutor::new(1).unwrap();
    let rendezvous = Rendezvous::new();
    let running = executor.submit(held_pid, rendezvous.path()).unwrap();
    let held = rendezvous.arrival();
    let queued: Vec<_> = (0..4)
        .map(|i| executor.submit(square, i).unwrap())
        .collect();
    let releaser = std::thread::spawn(move || held.release());
    executor.shutdown();
    releaser.join().unwrap();
    assert!(running.done());
    for (i, f) in (0..).zip(&queued) {
        assert!(f.done(), "future {i} was done when shutdown returned");
        assert_eq!(f.result().unwrap(), i * i);
    }
    assert!(executor.pids().is_empty());
    assert_eq!(
        executor.submit(square, 1).unwrap_err().kind(),
        ErrorKind::Shutdown
    );
}

#[test]
fn shutdown_without_waiting_cancels_queued_futures() {
    let executor = ProcessPoolExecutor::new(1).unwrap();
    let rendezvous = Rendezvous::new();
    let running = executor.submit(held_pid, rendezvous.path()).unwrap();
    let held = rendezvous.arrival();
    let queued: Vec<_> = (0..5)
        .map(|i| executor.submit(square, i).unwrap())
        .collect();
    let cancelled = executor.shutdown_with(Wait::No, CancelFutures::Yes);
    assert_eq!(cancelled, 5);
    for f in &queued {
        assert!(f.cancelled());
        assert!(f.result().unwrap_err().is_cancelled());
    }
    assert!(!running.done(), "the running task goes on");
    held.release();
    assert!(running.result_timeout(BOUND).is_ok());
    assert_eq!(
        executor.submit(square, 1).unwrap_err().kind(),
        ErrorKind::Shutdown
    );
}

#[test]
fn a_map_started_before_shutdown_without_waiting_delivers_every_result() {
    let executor = ProcessPoolExecutor::new(2).unwrap();
    let results = executor.map(square, 0..200);
    assert_eq!(executor.shutdown_with(Wait::No, CancelFutures::No), 0);
    assert_eq!(
        executor.submit(square, 1).unwrap_err().kind(),
        ErrorKind::Shutdown,
        "no new work after shutdown"
    );
    let all: Vec<u64> = results.map(Result::unwrap).collect();
    assert_eq!(all, (0..200).map(square).collect::<Vec<_>>());
    executor.shutdown();
}

#[test]
fn submitting_after_shutdown_is_an_error() {
    let executor = ProcessPoolExecutor::new(1).unwrap();
    executor.shutdown();
    let err = executor.submit(square, 2).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Shutdown);
    let mut mapped = executor.map(square, 0..3);
    assert_eq!(
        mapped.next().unwrap().unwrap_err().kind(),
        ErrorKind::Shutdown
    );
    executor.shutdown();
}

#[test]
fn dropping_the_executor_waits_for_its_work() {
    let executor = ProcessPoolExecutor::new(1).unwrap();
    let rendezvous = Rendezvous::new();
    let running = executor.submit(held_pid, rendezvous.path()).unwrap();
    let held = rendezvous.arrival();
    let queued = executor.submit(square, 5).unwrap();
    let releaser = std::thread::spawn(move || held.release());
    drop(executor);
    releaser.join().unwrap();
    assert!(queued.done());
    assert_eq!(queued.result().unwrap(), 25);
    support::gone(running.result().unwrap());
}
