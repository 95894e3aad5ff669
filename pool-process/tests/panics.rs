//! A panic in a worker: the error carries the panic's message and its
//! location in this file, and the worker process survives it.

mod support;

use pool_process::{Pool, ProcessPoolExecutor};
use support::{BOUND, worker_pid};

/// The line of the `panic!` in [`panics_here`].
const PANIC_LINE: u32 = line!() + 3;

fn panics_here(n: u32) -> u32 {
    panic!("task {n} gave up");
}

fn panics_with_a_non_string_payload(_: ()) -> u32 {
    std::panic::panic_any(42_u8)
}

fn expected_location() -> String {
    format!("{}:{PANIC_LINE}:", file!())
}

#[test]
fn the_error_carries_message_and_location() {
    let pool = Pool::new(1).unwrap();
    let err = pool.apply(panics_here, 5).unwrap_err();
    assert!(err.is_panic(), "{err:?}");
    let panic = err.panic().expect("a panic report");
    assert_eq!(panic.message(), "task 5 gave up");
    let location = panic.location().expect("a location");
    assert!(
        location.starts_with(&expected_location()),
        "{location} is not at {}",
        expected_location()
    );
    let source = std::error::Error::source(&err).unwrap().to_string();
    assert!(source.contains("task 5 gave up"), "{source}");
    assert!(source.contains(&expected_location()), "{source}");
}

#[test]
fn the_worker_survives_a_panic() {
    let pool = Pool::new(1).unwrap();
    let before = pool.apply(worker_pid, ()).unwrap();
    for n in 0..5 {
        let err = pool.apply(panics_here, n).unwrap_err();
        assert_eq!(err.panic().unwrap().message(), format!("task {n} gave up"));
    }
    assert_eq!(pool.apply(worker_pid, ()).unwrap(), before, "same worker");
    assert_eq!(pool.pids(), [before]);
}

#[test]
fn a_non_string_payload_still_fails_only_its_task() {
    let pool = Pool::new(1).unwrap();
    let before = pool.apply(worker_pid, ()).unwrap();
    let err = pool
        .apply(panics_with_a_non_string_payload, ())
        .unwrap_err();
    assert!(err.is_panic());
    assert_eq!(err.panic().unwrap().message(), "Box<dyn Any>");
    assert_eq!(pool.apply(worker_pid, ()).unwrap(), before);
}

#[test]
fn a_panic_in_a_chunk_fails_only_its_item_with_the_location() {
    let pool = Pool::new(2).unwrap();
    let results: Vec<_> = pool
        .imap_chunked(
            |n: u32| if n % 4 == 1 { panics_here(n) } else { n },
            0..12,
            3,
        )
        .collect();
    for (n, result) in (0..).zip(&results) {
        match result {
            Ok(v) => assert_eq!(*v, n),
            Err(err) => {
                assert_eq!(n % 4, 1, "item {n} failed: {err:?}");
                let panic = err.panic().unwrap();
                assert_eq!(panic.message(), format!("task {n} gave up"));
                assert!(panic.location().unwrap().starts_with(&expected_location()));
            }
        }
    }
    assert_eq!(results.iter().filter(|r| r.is_err()).count(), 3);
}

#[test]
fn an_executor_future_carries_the_panic() {
    let executor = ProcessPoolExecutor::new(1).unwrap();
    let before = executor.submit(worker_pid, ()).unwrap().result().unwrap();
    let future = executor.submit(panics_here, 9).unwrap();
    let err = future.result_timeout(BOUND).unwrap_err();
    assert_eq!(err.panic().unwrap().message(), "task 9 gave up");
    assert!(future.exception().unwrap().is_panic());
    assert_eq!(
        executor.submit(worker_pid, ()).unwrap().result().unwrap(),
        before
    );
}
