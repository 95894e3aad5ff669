//! A `TaskFuture<T>` is a `std::future::Future`: async code can `.await` it
//! from any executor (here a minimal one, as a runtime would drive it).

mod support;

use pool_core::promise;
use support::{BOUND, Gate, block_on, scheduler, stop};

#[test]
fn awaiting_a_finished_future_yields_its_value() {
    let scheduler = scheduler(2);
    let future = scheduler.submit(|| 40 + 2).unwrap();
    assert_eq!(block_on(async { future.await.unwrap() }), 42);
    stop(&scheduler);
}

#[test]
fn awaiting_wakes_the_task_when_the_value_arrives() {
    let scheduler = scheduler(2);
    let gate = Gate::new();
    let task_gate = gate.clone();
    let future = scheduler
        .submit(move || {
            task_gate.wait();
            "late"
        })
        .unwrap();
    let opener = std::thread::spawn(move || gate.open());
    assert_eq!(block_on(future).unwrap(), "late");
    opener.join().unwrap();
    stop(&scheduler);
}

#[test]
fn awaiting_many_futures_in_one_async_block() {
    let scheduler = scheduler(2);
    let futures: Vec<_> = (0..50u64)
        .map(|i| scheduler.submit(move || i).unwrap())
        .collect();
    let total = block_on(async move {
        let mut total = 0;
        for f in futures {
            total += f.await.unwrap();
        }
        total
    });
    assert_eq!(total, (0..50).sum());
    stop(&scheduler);
}

#[test]
fn awaiting_a_failure_or_cancellation_gives_the_error() {
    let (_p, cancelled) = promise::<u8>();
    cancelled.cancel();
    assert!(block_on(cancelled).unwrap_err().is_cancelled());

    let scheduler = scheduler(1);
    let panicked = scheduler.submit(|| -> u8 { panic!("async boom") }).unwrap();
    let err = block_on(panicked).unwrap_err();
    assert_eq!(err.panic().unwrap().message(), "async boom");
    stop(&scheduler);
}

#[test]
fn a_value_read_by_a_callback_is_awaited_after_it() {
    let (promise, future) = promise::<String>();
    let in_callback = Gate::new();
    let release = Gate::new();
    {
        let in_callback = in_callback.clone();
        let release = release.clone();
        future.add_done_callback(move |_| {
            in_callback.open();
            release.wait();
        });
    }
    let completer = std::thread::spawn(move || promise.set_result("x".into()).unwrap());
    in_callback.wait();
    let releaser = std::thread::spawn(move || release.open());
    assert_eq!(block_on(future).unwrap(), "x");
    releaser.join().unwrap();
    completer.join().unwrap();
    let _ = BOUND;
}
