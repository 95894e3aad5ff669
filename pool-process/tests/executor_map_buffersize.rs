//! `TaskOptions::buffersize(n)`: Python 3.14's `Executor.map(buffersize=n)`
//! — at most `n` chunks submitted ahead of the results consumed, and 0
//! refused.

mod support;

use std::time::Duration;

use pool_core::ErrorKind;
use pool_process::{ProcessPoolExecutor, TaskOptions};
use support::{BOUND, Rendezvous, report_and_hold};

/// Reports its item, then holds until the test lets it go.
fn held((path, i): (String, u64)) -> u64 {
    report_and_hold(&path, i);
    i
}

#[test]
fn one_chunk_in_flight_until_its_result_is_taken() {
    let executor = ProcessPoolExecutor::new(2).unwrap();
    let rendezvous = Rendezvous::new();
    let items = (0..3).map(|i| (rendezvous.path(), i));
    let one_ahead = TaskOptions::new().buffersize(1).chunksize(1);
    let mut results = executor.map_with(held, items, one_ahead);
    let mut first = rendezvous
        .arrival_within(BOUND)
        .expect("the first task runs");
    assert_eq!(first.read_u64(), 0);
    // Two workers are idle, but nothing more was submitted (with the
    // default buffer, the second item would start at once).
    assert!(
        rendezvous
            .arrival_within(Duration::from_millis(200))
            .is_none(),
        "a second task started"
    );
    first.release();
    assert_eq!(results.next().unwrap().unwrap(), 0);
    // Taking a result lets the next chunk go.
    for expected in 1..3 {
        let mut next = rendezvous
            .arrival_within(BOUND)
            .expect("the next task runs");
        assert_eq!(next.read_u64(), expected);
        next.release();
        assert_eq!(results.next().unwrap().unwrap(), expected);
    }
    assert!(results.next().is_none());
}

#[test]
fn a_buffer_of_zero_is_refused() {
    // CPython 3.14: ValueError("buffersize must be None or > 0").
    let executor = ProcessPoolExecutor::new(1).unwrap();
    let mut results = executor.map_with(|x: u8| x, 0..3, TaskOptions::new().buffersize(0));
    let error = results.next().unwrap().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidConfig, "{error}");
    assert!(error.to_string().contains("buffersize"), "{error}");
    assert!(results.next().is_none());
}
