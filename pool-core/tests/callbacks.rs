//! Done-callbacks: order, late registration, the thread they run on,
//! cancellation, panics, and a value read by a callback while `result()`
//! takes it.

mod support;

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;

use pool_core::{Error, ErrorKind, promise};
use support::{BOUND, Gate, scheduler, stop};

#[test]
fn callbacks_run_in_order_when_the_task_finishes() {
    let (promise, future) = promise::<u32>();
    let seen = Arc::new(Mutex::new(Vec::new()));
    for i in 0..5 {
        let seen = seen.clone();
        future.add_done_callback(move |outcome| seen.lock().unwrap().push((i, *outcome.unwrap())));
    }
    assert!(seen.lock().unwrap().is_empty());
    promise.set_result(10).unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        [(0, 10), (1, 10), (2, 10), (3, 10), (4, 10)]
    );
    assert_eq!(
        future.result().unwrap(),
        10,
        "callbacks do not take the value"
    );
}

#[test]
fn a_callback_added_after_completion_runs_at_once_on_the_caller() {
    let (promise, future) = promise::<&'static str>();
    promise.set_result("done").unwrap();
    let (tx, rx) = mpsc::channel();
    let caller = thread::current().id();
    future.add_done_callback(move |outcome| {
        tx.send((*outcome.unwrap(), thread::current().id()))
            .unwrap();
    });
    let (value, ran_on) = rx
        .try_recv()
        .expect("ran before add_done_callback returned");
    assert_eq!(value, "done");
    assert_eq!(ran_on, caller);
}

#[test]
fn callbacks_run_on_the_worker_that_completes_the_task() {
    let scheduler = scheduler(1);
    let gate = Gate::new();
    let task_gate = gate.clone();
    let future = scheduler
        .submit(move || {
            task_gate.wait();
            thread::current().id()
        })
        .unwrap();
    let (tx, rx) = mpsc::channel();
    future.add_done_callback(move |outcome| {
        tx.send((*outcome.unwrap(), thread::current().id()))
            .unwrap();
    });
    gate.open();
    let (task_thread, callback_thread) = rx.recv_timeout(BOUND).unwrap();
    assert_eq!(task_thread, callback_thread);
    assert_ne!(callback_thread, thread::current().id());
    stop(&scheduler);
}

#[test]
fn cancelling_runs_callbacks_with_the_cancellation() {
    let (_promise, future) = promise::<u8>();
    let (tx, rx) = mpsc::channel();
    future.add_done_callback(move |outcome| {
        tx.send(outcome.unwrap_err().kind()).unwrap();
    });
    assert!(future.cancel());
    assert_eq!(rx.try_recv().unwrap(), ErrorKind::Cancelled);
}

#[test]
fn a_failed_task_gives_callbacks_its_error() {
    let scheduler = scheduler(1);
    let future = scheduler.submit(|| -> u8 { panic!("kaboom") }).unwrap();
    let (tx, rx) = mpsc::channel();
    future.add_done_callback(move |outcome| {
        let err = outcome.unwrap_err();
        tx.send(err.panic().map(|p| p.message().to_owned()))
            .unwrap();
    });
    assert_eq!(rx.recv_timeout(BOUND).unwrap().as_deref(), Some("kaboom"));
    stop(&scheduler);
}

#[test]
fn a_late_callback_after_result_took_the_value_is_told_so() {
    let (promise, future) = promise::<Vec<u8>>();
    promise.set_result(vec![1, 2]).unwrap();
    assert_eq!(future.result().unwrap(), [1, 2]);
    let (tx, rx) = mpsc::channel();
    future.add_done_callback(move |outcome| tx.send(outcome.unwrap_err().kind()).unwrap());
    assert_eq!(rx.try_recv().unwrap(), ErrorKind::Retrieved);
}

#[test]
fn result_waits_for_a_callback_that_is_reading_the_value() {
    let (promise, future) = promise::<String>();
    let future = Arc::new(future);
    let in_callback = Gate::new();
    let release = Gate::new();
    {
        let in_callback = in_callback.clone();
        let release = release.clone();
        future.add_done_callback(move |outcome| {
            assert_eq!(outcome.unwrap(), "shared");
            in_callback.open();
            release.wait();
        });
    }
    let completer = thread::spawn(move || promise.set_result("shared".into()).unwrap());
    in_callback.wait();
    assert!(future.done(), "done before callbacks finish, as in Python");
    let (tx, rx) = mpsc::channel();
    let taker_future = future.clone();
    let taker = thread::spawn(move || tx.send(taker_future.result()).unwrap());
    // The taker must be blocked while the callback holds `&String`.
    assert!(
        rx.recv_timeout(std::time::Duration::from_millis(50))
            .is_err()
    );
    release.open();
    assert_eq!(rx.recv_timeout(BOUND).unwrap().unwrap(), "shared");
    taker.join().unwrap();
    completer.join().unwrap();
}

#[test]
fn a_panicking_callback_is_reported_and_later_callbacks_still_run() {
    let reports = Arc::new(Mutex::new(Vec::new()));
    let sink = reports.clone();
    // This is the only test in this binary that installs a report hook.
    pool_core::set_report_hook(move |report| sink.lock().unwrap().push(report.to_string()));

    let (promise, future) = promise::<u8>();
    future.add_done_callback(|_| panic!("callback bug"));
    let (tx, rx) = mpsc::channel();
    future.add_done_callback(move |outcome| tx.send(*outcome.unwrap()).unwrap());
    promise.set_result(3).unwrap();
    assert_eq!(rx.try_recv().unwrap(), 3);
    assert_eq!(future.result().unwrap(), 3);

    let reports = reports.lock().unwrap();
    assert!(
        reports
            .iter()
            .any(|r| r.starts_with("a done-callback panicked:") && r.ends_with("callback bug")),
        "{reports:?}"
    );
    pool_core::reset_report_hook();
}

#[test]
fn errors_are_cheap_to_clone_and_keep_their_kind() {
    let err = Error::from_kind(ErrorKind::Shutdown);
    let copy = err.clone();
    assert_eq!(copy.kind(), ErrorKind::Shutdown);
}
