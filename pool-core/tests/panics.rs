//! Panics inside tasks reach the caller with message, location and thread,
//! and the worker survives them.

mod support;

use std::error::Error as _;

use pool_core::{Scheduler, SchedulerConfig};
use support::{BOUND, stop};

#[test]
fn a_panic_is_delivered_with_message_location_and_thread() {
    let scheduler =
        Scheduler::new(SchedulerConfig::new(1, |_| Ok(())).thread_name(|n| format!("panicky-{n}")))
            .unwrap();
    let task = || -> u8 { panic!("bad input {}", 42) };
    let line = line!() - 1;
    let future = scheduler.submit(task).unwrap();
    let err = future.result_timeout(BOUND).unwrap_err();
    assert!(err.is_panic());
    assert_eq!(err.to_string(), "task panicked");
    let panic = err.panic().expect("a panic report");
    assert_eq!(panic.message(), "bad input 42");
    assert_eq!(panic.thread_name(), Some("panicky-0"));
    let location = panic.location().expect("a location");
    assert!(
        location.starts_with(&format!("{}:{line}:", file!())),
        "{location}"
    );
    // The cause chain carries the report, printed like Rust's own line.
    let source = err.source().unwrap().to_string();
    assert!(
        source.starts_with("thread 'panicky-0' panicked at "),
        "{source}"
    );
    assert!(source.ends_with(": bad input 42"), "{source}");
    stop(&scheduler);
}

#[test]
fn the_worker_survives_and_keeps_running_tasks() {
    let scheduler = Scheduler::new(SchedulerConfig::new(1, |_| Ok(()))).unwrap();
    let before = scheduler.submit(|| std::thread::current().id()).unwrap();
    let before = before.result_timeout(BOUND).unwrap();
    for _ in 0..10 {
        let f = scheduler.submit(|| panic!("again")).unwrap();
        assert!(f.result_timeout(BOUND).unwrap_err().is_panic());
    }
    let after = scheduler.submit(|| std::thread::current().id()).unwrap();
    assert_eq!(after.result_timeout(BOUND).unwrap(), before, "same thread");
    let metrics = scheduler.metrics();
    assert_eq!(metrics.panicked, 10);
    assert_eq!(metrics.completed, 12);
    stop(&scheduler);
}

#[test]
fn a_non_string_payload_still_reports() {
    let scheduler = Scheduler::new(SchedulerConfig::new(1, |_| Ok(()))).unwrap();
    let f = scheduler.submit(|| std::panic::panic_any(17_u32)).unwrap();
    let err = f.result_timeout(BOUND).unwrap_err();
    assert_eq!(err.panic().unwrap().message(), "Box<dyn Any>");
    stop(&scheduler);
}

#[test]
fn catch_panic_is_usable_directly() {
    let report = pool_core::catch_panic(|| {
        let v: Vec<u8> = Vec::new();
        v[1]
    })
    .unwrap_err();
    assert!(
        report.message().contains("index out of bounds"),
        "{}",
        report.message()
    );
    assert!(report.location().unwrap().contains("panics.rs"));
    assert_eq!(pool_core::catch_panic(|| 5).unwrap(), 5);
}
