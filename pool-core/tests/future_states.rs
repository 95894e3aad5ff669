//! A future in each of its states: pending, running, finished (value or
//! error) and cancelled, seen through every accessor.

mod support;

use std::time::Duration;

use pool_core::{Error, ErrorKind, promise};
use support::{BOUND, Gate, scheduler, started_signal, stop};

#[test]
fn pending_future_reports_pending() {
    let (_promise, future) = promise::<u32>();
    assert!(!future.done());
    assert!(!future.running());
    assert!(!future.cancelled());
    assert!(!future.wait_timeout(Duration::from_millis(5)));
    assert!(
        future
            .result_timeout(Duration::ZERO)
            .unwrap_err()
            .is_timeout()
    );
    assert!(
        future
            .exception_timeout(Duration::ZERO)
            .unwrap_err()
            .is_timeout()
    );
    assert_eq!(format!("{future:?}"), r#"TaskFuture { state: "pending" }"#);
}

#[test]
fn running_task_reports_running_and_cannot_be_cancelled() {
    let scheduler = scheduler(1);
    let gate = Gate::new();
    let (started, wait_started) = started_signal();
    let task_gate = gate.clone();
    let future = scheduler
        .submit(move || {
            started.send(()).unwrap();
            task_gate.wait();
            7
        })
        .unwrap();
    wait_started();
    assert!(future.running());
    assert!(!future.done());
    assert!(!future.cancel(), "a running task cannot be cancelled");
    assert!(!future.cancelled());
    assert_eq!(format!("{future:?}"), r#"TaskFuture { state: "running" }"#);
    gate.open();
    assert_eq!(future.result_timeout(BOUND).unwrap(), 7);
    assert!(!future.running());
    stop(&scheduler);
}

#[test]
fn finished_future_gives_value_once_then_retrieved() {
    let scheduler = scheduler(2);
    let future = scheduler.submit(|| String::from("value")).unwrap();
    assert_eq!(future.result().unwrap(), "value");
    assert!(future.done());
    assert!(!future.running());
    assert!(future.exception().is_none());
    let again = future.result().unwrap_err();
    assert_eq!(again.kind(), ErrorKind::Retrieved);
    assert_eq!(again.to_string(), "result was already retrieved");
    stop(&scheduler);
}

#[test]
fn failed_future_reports_the_same_error_every_time() {
    let (promise, future) = promise::<u8>();
    promise.set_error(Error::from_kind(ErrorKind::WorkerLost));
    for _ in 0..3 {
        assert!(future.result().unwrap_err().is_worker_lost());
        assert!(future.exception().unwrap().is_worker_lost());
    }
    assert_eq!(
        format!("{future:?}"),
        r#"TaskFuture { state: "finished (failed)" }"#
    );
}

#[test]
fn cancelled_future_reports_cancelled() {
    let (promise, future) = promise::<u8>();
    assert!(future.cancel());
    assert!(future.cancel(), "cancelling twice still says cancelled");
    assert!(future.cancelled());
    assert!(future.done());
    assert!(!future.running());
    assert!(future.result().unwrap_err().is_cancelled());
    assert!(future.exception().unwrap().is_cancelled());
    assert_eq!(promise.set_result(1), Err(1), "the value comes back");
    assert_eq!(
        format!("{future:?}"),
        r#"TaskFuture { state: "cancelled" }"#
    );
}

#[test]
fn result_timeout_waits_for_a_late_value() {
    let (promise, future) = promise::<u64>();
    let setter = std::thread::spawn(move || promise.set_result(9).unwrap());
    assert_eq!(future.result_timeout(BOUND).unwrap(), 9);
    setter.join().unwrap();
}

#[test]
fn a_timed_out_wait_leaves_the_task_running() {
    let scheduler = scheduler(1);
    let gate = Gate::new();
    let task_gate = gate.clone();
    let future = scheduler
        .submit(move || {
            task_gate.wait();
            1
        })
        .unwrap();
    assert!(
        future
            .result_timeout(Duration::from_millis(10))
            .unwrap_err()
            .is_timeout()
    );
    gate.open();
    assert_eq!(future.result_timeout(BOUND).unwrap(), 1);
    stop(&scheduler);
}

#[test]
fn dropped_promise_fails_its_future_instead_of_hanging() {
    let (promise, future) = promise::<()>();
    let dropper = std::thread::spawn(move || drop(promise));
    let err = future.result_timeout(BOUND).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Abandoned);
    dropper.join().unwrap();
}

#[test]
fn set_running_blocks_cancel() {
    let (promise, future) = promise::<()>();
    assert!(promise.set_running());
    assert!(future.running());
    assert!(!future.cancel());
    assert_eq!(promise.set_result(()), Ok(()));
    assert!(future.result().is_ok());
}
