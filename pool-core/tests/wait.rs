//! `wait` with each `ReturnWhen`, with and without timeouts.

mod support;

use std::time::Duration;

use pool_core::{Error, ErrorKind, ReturnWhen, promise, wait};
use support::BOUND;

#[test]
fn all_completed_waits_for_every_future() {
    let (promises, futures): (Vec<_>, Vec<_>) = (0..4).map(|_| promise::<u8>()).unzip();
    let producer = std::thread::spawn(move || {
        for (i, p) in promises.into_iter().enumerate() {
            p.set_result(i as u8).unwrap();
        }
    });
    let waited = wait(futures, Some(BOUND), ReturnWhen::AllCompleted);
    assert_eq!(waited.done.len(), 4);
    assert!(waited.not_done.is_empty());
    let values: Vec<u8> = waited.done.iter().map(|f| f.result().unwrap()).collect();
    assert_eq!(values, [0, 1, 2, 3], "done keeps the given order");
    producer.join().unwrap();
}

#[test]
fn first_completed_returns_when_one_is_done() {
    let (_p1, f1) = promise::<u8>();
    let (p2, f2) = promise::<u8>();
    let (_p3, f3) = promise::<u8>();
    let setter = std::thread::spawn(move || p2.set_result(2).unwrap());
    let waited = wait([f1, f2, f3], Some(BOUND), ReturnWhen::FirstCompleted);
    assert_eq!(waited.done.len(), 1);
    assert_eq!(waited.done[0].result().unwrap(), 2);
    assert_eq!(waited.not_done.len(), 2);
    setter.join().unwrap();
}

#[test]
fn first_exception_returns_on_the_first_failure() {
    let (p1, f1) = promise::<u8>();
    let (p2, f2) = promise::<u8>();
    let (_p3, f3) = promise::<u8>();
    p1.set_result(1).unwrap();
    let setter = std::thread::spawn(move || p2.set_error(Error::from_kind(ErrorKind::WorkerLost)));
    let waited = wait([f1, f2, f3], Some(BOUND), ReturnWhen::FirstException);
    assert_eq!(waited.done.len(), 2, "the success and the failure");
    assert!(waited.done[1].exception().unwrap().is_worker_lost());
    assert_eq!(waited.not_done.len(), 1);
    setter.join().unwrap();
}

#[test]
fn first_exception_without_failures_waits_for_all() {
    let (promises, futures): (Vec<_>, Vec<_>) = (0..3).map(|_| promise::<u8>()).unzip();
    let setter = std::thread::spawn(move || {
        for p in promises {
            p.set_result(0).unwrap();
        }
    });
    let waited = wait(futures, Some(BOUND), ReturnWhen::FirstException);
    assert_eq!(waited.done.len(), 3);
    setter.join().unwrap();
}

#[test]
fn first_exception_ignores_cancellations() {
    let (_p1, f1) = promise::<u8>();
    let (_p2, f2) = promise::<u8>();
    f1.cancel();
    let waited = wait(
        [f1, f2],
        Some(Duration::from_millis(20)),
        ReturnWhen::FirstException,
    );
    assert_eq!(waited.done.len(), 1);
    assert_eq!(
        waited.not_done.len(),
        1,
        "a cancellation is not an exception"
    );
}

#[test]
fn a_timeout_is_not_an_error_and_splits_the_sets() {
    for return_when in [
        ReturnWhen::FirstCompleted,
        ReturnWhen::FirstException,
        ReturnWhen::AllCompleted,
    ] {
        let (p1, f1) = promise::<u8>();
        let (_p2, f2) = promise::<u8>();
        p1.set_result(1).unwrap();
        let waited = wait([&f1, &f2], Some(Duration::from_millis(10)), return_when);
        if return_when == ReturnWhen::FirstCompleted {
            assert_eq!(waited.done.len(), 1);
        } else {
            assert_eq!(waited.done.len(), 1, "{return_when:?}");
            assert_eq!(waited.not_done.len(), 1, "{return_when:?}");
        }
    }
}

#[test]
fn zero_timeout_just_partitions() {
    let (p1, f1) = promise::<u8>();
    let (_p2, f2) = promise::<u8>();
    p1.set_result(1).unwrap();
    let waited = wait([f1, f2], Some(Duration::ZERO), ReturnWhen::AllCompleted);
    assert_eq!((waited.done.len(), waited.not_done.len()), (1, 1));
}

#[test]
fn a_future_given_twice_counts_once() {
    // CPython: `wait([f, f, g])` returns sets, so `f` is in `done` once.
    let (p1, f1) = promise::<u8>();
    let (_p2, f2) = promise::<u8>();
    p1.set_result(1).unwrap();
    let waited = wait(
        [&f1, &f1, &f2],
        Some(Duration::ZERO),
        ReturnWhen::AllCompleted,
    );
    assert_eq!((waited.done.len(), waited.not_done.len()), (1, 1));
    let waited = wait([&f1, &f1], Some(BOUND), ReturnWhen::AllCompleted);
    assert_eq!((waited.done.len(), waited.not_done.len()), (1, 0));
}
