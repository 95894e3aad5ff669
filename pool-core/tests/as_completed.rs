//! `as_completed`: finished futures first, then in completion order, and a
//! timeout that names how many futures are unfinished.

mod support;

use std::time::Duration;

use pool_core::{Promise, TaskFuture, Waitable, as_completed, promise};
use support::BOUND;

fn pairs(n: usize) -> (Vec<Promise<usize>>, Vec<TaskFuture<usize>>) {
    (0..n).map(|_| promise()).unzip()
}

#[test]
fn finished_futures_come_first_in_the_given_order() {
    let (promises, futures) = pairs(4);
    let mut promises: Vec<Option<Promise<usize>>> = promises.into_iter().map(Some).collect();
    promises[3].take().unwrap().set_result(3).unwrap();
    promises[1].take().unwrap().set_result(1).unwrap();
    let mut it = as_completed(futures, Some(BOUND));
    assert_eq!(it.next().unwrap().unwrap().result().unwrap(), 1);
    assert_eq!(it.next().unwrap().unwrap().result().unwrap(), 3);
    // The rest arrive in completion order.
    promises[2].take().unwrap().set_result(2).unwrap();
    assert_eq!(it.next().unwrap().unwrap().result().unwrap(), 2);
    promises[0].take().unwrap().set_result(0).unwrap();
    assert_eq!(it.next().unwrap().unwrap().result().unwrap(), 0);
    assert!(it.next().is_none());
}

#[test]
fn completion_order_follows_the_producers() {
    let (promises, futures) = pairs(8);
    let it = as_completed(&futures, Some(BOUND));
    // Complete in reverse order from another thread, one at a time, each
    // only after the previous one was yielded.
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let producer = std::thread::spawn(move || {
        for (i, p) in promises.into_iter().enumerate().rev() {
            p.set_result(i).unwrap();
            if rx.recv().is_err() {
                return;
            }
        }
    });
    let mut order = Vec::new();
    for f in it {
        order.push(f.unwrap().result().unwrap());
        let _ = tx.send(());
    }
    assert_eq!(order, [7, 6, 5, 4, 3, 2, 1, 0]);
    producer.join().unwrap();
}

#[test]
fn timeout_says_how_many_are_unfinished_and_hands_them_back() {
    let (mut promises, futures) = pairs(5);
    promises.remove(0).set_result(0).unwrap();
    promises.remove(0).set_result(1).unwrap();
    let mut it = as_completed(futures, Some(Duration::from_millis(20)));
    assert!(it.next().unwrap().is_ok());
    assert!(it.next().unwrap().is_ok());
    let err = it.next().unwrap().unwrap_err();
    assert!(err.is_timeout());
    assert_eq!(err.to_string(), "timed out: 3 (of 5) futures unfinished");
    assert!(it.next().is_none(), "the iterator ends after the timeout");
    let pending = it.into_pending();
    assert_eq!(pending.len(), 3);
    // They are still live futures: completing them works.
    for (p, f) in promises.into_iter().zip(&pending) {
        p.set_result(9).unwrap();
        assert_eq!(f.result().unwrap(), 9);
    }
}

#[test]
fn cancelled_futures_count_as_completed() {
    let (_promises, futures) = pairs(2);
    let it = as_completed(&futures, Some(BOUND));
    futures[1].cancel();
    futures[0].cancel();
    let yielded: Vec<_> = it.map(|f| f.unwrap().cancelled()).collect();
    assert_eq!(yielded, [true, true]);
}

#[test]
fn futures_of_different_types_can_be_mixed() {
    let (p1, f1) = promise::<u8>();
    let (p2, f2) = promise::<String>();
    let mixed: Vec<&dyn Waitable> = vec![&f1, &f2];
    p2.set_result("b".into()).unwrap();
    p1.set_result(1).unwrap();
    assert_eq!(as_completed(mixed, Some(BOUND)).count(), 2);
}

#[test]
fn an_empty_input_yields_nothing() {
    let futures: Vec<TaskFuture<u8>> = Vec::new();
    assert!(as_completed(futures, Some(Duration::ZERO)).next().is_none());
}

#[test]
fn dropping_the_iterator_early_leaves_futures_usable() {
    let (promises, futures) = pairs(3);
    drop(as_completed(&futures, None));
    for (i, p) in promises.into_iter().enumerate() {
        p.set_result(i).unwrap();
    }
    let values: Vec<usize> = futures.iter().map(|f| f.result().unwrap()).collect();
    assert_eq!(values, [0, 1, 2]);
}

#[test]
fn a_future_given_three_times_is_yielded_once() {
    // CPython: `as_completed([f, f, f])` yields `f` once.
    let (p, f) = promise::<u8>();
    let (q, g) = promise::<u8>();
    p.set_result(1).unwrap();
    q.set_result(2).unwrap();
    let yielded: Vec<u8> = as_completed([&f, &g, &f, &f], Some(BOUND))
        .map(|done| done.unwrap().result().unwrap())
        .collect();
    assert_eq!(yielded, [1, 2]);
}
