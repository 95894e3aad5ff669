//! `map`: results in input order, per-item errors, bounded look-ahead on
//! endless input, timeouts, cancellation on drop.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use pool_core::CancelFutures;
use pool_test_support::{BOUND, Gate, started_signal};
use pool_thread::ThreadPoolExecutor;

#[test]
fn results_come_in_input_order() {
    let executor = ThreadPoolExecutor::new(4).unwrap();
    // Earlier items take longer, so completion order is reversed.
    let results: Vec<u32> = executor
        .map(
            |i: u32| {
                std::thread::sleep(Duration::from_micros(u64::from(50 - i) * 100));
                i
            },
            0..50,
        )
        .map(Result::unwrap)
        .collect();
    assert_eq!(results, (0..50).collect::<Vec<_>>());
}

#[test]
fn a_failing_item_is_an_error_in_its_place_and_the_rest_go_on() {
    let executor = ThreadPoolExecutor::new(2).unwrap();
    let results: Vec<_> = executor
        .map(
            |i: u32| {
                assert!(i != 3, "item {i} is bad");
                i
            },
            0..6,
        )
        .collect();
    assert_eq!(results.len(), 6);
    for (i, r) in results.iter().enumerate() {
        if i == 3 {
            let err = r.as_ref().unwrap_err();
            assert_eq!(err.panic().unwrap().message(), "item 3 is bad");
        } else {
            assert_eq!(*r.as_ref().unwrap(), i as u32);
        }
    }
}

#[test]
fn an_endless_input_is_pulled_lazily() {
    let executor = ThreadPoolExecutor::new(2).unwrap();
    let pulled = Arc::new(AtomicUsize::new(0));
    let counter = pulled.clone();
    let endless = (0u64..).inspect(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    let mut results = executor.map_buffered(|x: u64| x + 1, endless, 3);
    // The first window is submitted at once, as in Python.
    assert_eq!(pulled.load(Ordering::SeqCst), 3);
    let first: Vec<u64> = results.by_ref().take(10).map(Result::unwrap).collect();
    assert_eq!(first, (1..=10).collect::<Vec<_>>());
    // Ten consumed, at most three ahead.
    assert_eq!(pulled.load(Ordering::SeqCst), 13);
    drop(results);
}

#[test]
fn the_default_look_ahead_is_twice_max_workers() {
    let executor = ThreadPoolExecutor::new(3).unwrap();
    let pulled = Arc::new(AtomicUsize::new(0));
    let counter = pulled.clone();
    let results = executor.map(
        |x: u64| x,
        (0u64..).inspect(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        }),
    );
    assert_eq!(pulled.load(Ordering::SeqCst), 6);
    drop(results);
}

#[test]
fn an_empty_input_yields_nothing() {
    let executor = ThreadPoolExecutor::new(2).unwrap();
    assert_eq!(executor.map(|x: u8| x, Vec::new()).count(), 0);
}

#[test]
fn a_timeout_counts_from_the_call_and_ends_the_iterator() {
    let executor = ThreadPoolExecutor::new(2).unwrap();
    let gate = Gate::new();
    let task_gate = gate.clone();
    let mut results = executor
        .map(
            move |block: bool| {
                if block {
                    task_gate.wait()
                }
            },
            [false, true, false],
        )
        .timeout(Duration::from_millis(30));
    assert!(results.next().unwrap().is_ok());
    assert!(results.next().unwrap().unwrap_err().is_timeout());
    assert!(
        results.next().is_none(),
        "the iterator ends after a timeout"
    );
    gate.open();
}

#[test]
fn dropping_the_iterator_cancels_tasks_not_started() {
    let executor = ThreadPoolExecutor::new(1).unwrap();
    let gate = Gate::new();
    let ran = Arc::new(AtomicUsize::new(0));
    let (task_gate, task_ran) = (gate.clone(), ran.clone());
    let (started, wait_started) = started_signal();
    let started = std::sync::Mutex::new(started);
    let results = executor.map_buffered(
        move |i: u32| {
            if i == 0 {
                started.lock().unwrap().send(()).unwrap();
                task_gate.wait();
            }
            task_ran.fetch_add(1, Ordering::SeqCst);
        },
        0..10,
        5,
    );
    wait_started();
    drop(results);
    gate.open();
    executor.shutdown();
    assert_eq!(
        ran.load(Ordering::SeqCst),
        1,
        "only the running task finished"
    );
}

#[test]
fn a_shutdown_during_map_is_reported_as_an_error() {
    let executor = ThreadPoolExecutor::new(2).unwrap();
    let mut results = executor.map_buffered(|x: u32| x, 0..10, 2);
    assert_eq!(results.next().unwrap().unwrap(), 0);
    executor.shutdown_with(pool_core::Wait::Yes, CancelFutures::No);
    let rest: Vec<_> = results.collect();
    // The window of two (items 1 and 2) was in flight, then the refusal.
    assert_eq!(rest.len(), 3, "{rest:?}");
    assert_eq!(*rest[0].as_ref().unwrap(), 1);
    assert_eq!(*rest[1].as_ref().unwrap(), 2);
    assert!(
        rest[2]
            .as_ref()
            .unwrap_err()
            .to_string()
            .contains("shut down")
    );
    let _ = BOUND;
}

#[test]
fn a_timeout_too_large_to_represent_means_none() {
    let executor = ThreadPoolExecutor::new(2).unwrap();
    let results: Vec<u8> = executor
        .map(|x: u8| x, [1, 2])
        .timeout(Duration::MAX)
        .map(Result::unwrap)
        .collect();
    assert_eq!(results, [1, 2]);
}
