//! Every shutdown variant, drop, and submitting after shutdown.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use pool_core::{CancelFutures, Wait};
use pool_test_support::{BOUND, Gate, started_signal};
use pool_thread::ThreadPoolExecutor;

/// An executor with one task running (held by the returned gate) and
/// `queued` more tasks waiting behind it, each adding to `ran`.
fn busy_executor(
    queued: usize,
) -> (
    ThreadPoolExecutor,
    Gate,
    Arc<AtomicUsize>,
    Vec<pool_core::TaskFuture<()>>,
) {
    let executor = ThreadPoolExecutor::new(1).unwrap();
    let gate = Gate::new();
    let ran = Arc::new(AtomicUsize::new(0));
    let (started, wait_started) = started_signal();
    let (task_gate, task_ran) = (gate.clone(), ran.clone());
    let mut futures = vec![
        executor
            .submit(move || {
                started.send(()).unwrap();
                task_gate.wait();
                task_ran.fetch_add(1, Ordering::SeqCst);
            })
            .unwrap(),
    ];
    wait_started();
    for _ in 0..queued {
        let ran = ran.clone();
        futures.push(
            executor
                .submit(move || {
                    ran.fetch_add(1, Ordering::SeqCst);
                })
                .unwrap(),
        );
    }
    (executor, gate, ran, futures)
}

#[test]
fn shutdown_waits_for_queued_tasks() {
    let (executor, gate, ran, futures) = busy_executor(5);
    let opener = std::thread::spawn(move || gate.open());
    executor.shutdown();
    assert_eq!(ran.load(Ordering::SeqCst), 6);
    assert!(futures.iter().all(|f| f.done() && !f.cancelled()));
    assert_eq!(executor.metrics().workers, 0);
    opener.join().unwrap();
}

#[test]
fn shutdown_without_wait_returns_at_once_and_tasks_still_run() {
    let (executor, gate, ran, futures) = busy_executor(3);
    assert_eq!(executor.shutdown_with(Wait::No, CancelFutures::No), 0);
    // Returned while the first task is still blocked.
    assert!(!futures[0].done());
    gate.open();
    for f in &futures {
        f.result_timeout(BOUND).unwrap();
    }
    assert_eq!(ran.load(Ordering::SeqCst), 4);
}

#[test]
fn cancel_futures_cancels_only_queued_tasks() {
    let (executor, gate, ran, futures) = busy_executor(4);
    assert_eq!(executor.shutdown_with(Wait::No, CancelFutures::Yes), 4);
    assert!(futures[1..].iter().all(|f| f.cancelled()));
    assert!(futures[0].running());
    gate.open();
    futures[0].result_timeout(BOUND).unwrap();
    drop(executor);
    assert_eq!(ran.load(Ordering::SeqCst), 1);
}

#[test]
fn cancel_futures_with_wait_returns_after_the_running_task() {
    let (executor, gate, ran, futures) = busy_executor(2);
    // The running task may finish only once the queued ones are
    // cancelled (opening the gate any earlier lets the worker run them).
    futures[2].add_done_callback(move |_| gate.open());
    assert_eq!(executor.shutdown_with(Wait::Yes, CancelFutures::Yes), 2);
    assert!(futures[0].done());
    assert!(futures[1].cancelled() && futures[2].cancelled());
    assert_eq!(ran.load(Ordering::SeqCst), 1);
}

#[test]
fn submit_after_shutdown_hands_the_closure_back() {
    let executor = ThreadPoolExecutor::new(2).unwrap();
    executor.shutdown();
    let payload = String::from("not lost");
    let err = executor.submit(move || payload).unwrap_err();
    assert!(err.is_shutdown());
    assert_eq!(err.to_string(), "executor has shut down");
    let closure = err.into_inner();
    assert_eq!(closure(), "not lost");
}

#[test]
fn shutdown_twice_is_harmless() {
    let executor = ThreadPoolExecutor::new(2).unwrap();
    executor
        .submit(|| ())
        .unwrap()
        .result_timeout(BOUND)
        .unwrap();
    executor.shutdown();
    executor.shutdown();
    executor.shutdown_with(Wait::No, CancelFutures::Yes);
}

#[test]
fn dropping_the_executor_waits_for_its_tasks() {
    let (executor, gate, ran, _futures) = busy_executor(3);
    let opener = std::thread::spawn(move || gate.open());
    drop(executor);
    assert_eq!(ran.load(Ordering::SeqCst), 4);
    opener.join().unwrap();
}

#[test]
fn shutdown_from_inside_a_task_does_not_deadlock() {
    let executor = Arc::new(ThreadPoolExecutor::new(2).unwrap());
    let inner = executor.clone();
    let f = executor
        .submit(move || {
            inner.shutdown();
            inner.submit(|| ()).is_err()
        })
        .unwrap();
    assert!(
        f.result_timeout(BOUND).unwrap(),
        "submit refused after shutdown"
    );
}

#[test]
fn the_last_handle_dropped_inside_a_task_does_not_deadlock() {
    let executor = Arc::new(ThreadPoolExecutor::new(1).unwrap());
    let inner = executor.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    executor
        .submit(move || {
            // The main thread drops its handle first; this drop is the last.
            rx.recv_timeout(BOUND).unwrap();
            drop(inner);
        })
        .unwrap();
    drop(executor);
    tx.send(()).unwrap();
}
