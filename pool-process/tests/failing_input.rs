//! An input iterator that panics part-way through a lazy map: the results
//! of the items before it come out first, then the panic reaches the
//! caller, as CPython's `imap`/`imap_unordered` yield those results and
//! then raise the iterator's exception. (CPython loses the items of a
//! partly filled chunk; poolrt submits them.)

use std::panic::{AssertUnwindSafe, catch_unwind};

use pool_process::{Pool, ProcessPoolExecutor};

fn square(x: u64) -> u64 {
    x * x
}

/// 0, 1, 2, 3, 4, then a panic.
fn failing_at_5() -> impl Iterator<Item = u64> {
    (0..10).map(|i| if i == 5 { panic!("boom at 5") } else { i })
}

/// Consumes `results` until it panics; what came before, and the panic's
/// message.
fn drain(results: impl Iterator<Item = Result<u64, pool_core::Error>>) -> (Vec<u64>, String) {
    let mut got = Vec::new();
    let mut results = results;
    let caught = catch_unwind(AssertUnwindSafe(|| {
        for result in &mut results {
            got.push(result.unwrap());
        }
    }));
    let payload = caught.expect_err("the input's panic reaches the caller");
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .unwrap_or_default();
    // Fused: after the panic the iterator is over.
    assert!(results.next().is_none());
    (got, message)
}

#[test]
fn imap_yields_every_result_before_the_panic_whatever_the_chunk_size() {
    let pool = Pool::new(2).unwrap();
    for chunksize in [1, 2, 3, 7] {
        let (got, message) = drain(pool.imap_chunked(square, failing_at_5(), chunksize));
        assert_eq!(got, [0, 1, 4, 9, 16], "chunksize {chunksize}");
        assert_eq!(message, "boom at 5");

        let (mut got, _) = drain(pool.imap_unordered_chunked(square, failing_at_5(), chunksize));
        got.sort_unstable();
        assert_eq!(got, [0, 1, 4, 9, 16], "unordered, chunksize {chunksize}");
    }
    let (got, _) = drain(pool.imap(square, failing_at_5()));
    assert_eq!(got, [0, 1, 4, 9, 16]);
    assert_eq!(pool.apply(square, 3).unwrap(), 9, "the pool carries on");
}

#[test]
fn the_executor_map_does_the_same() {
    let executor = ProcessPoolExecutor::new(2).unwrap();
    let (got, message) = drain(executor.map_chunked(square, failing_at_5(), 2));
    assert_eq!(got, [0, 1, 4, 9, 16]);
    assert_eq!(message, "boom at 5");
}

#[test]
fn an_eager_map_lets_the_panic_through_at_the_call() {
    // Python's `map` raises the iterator's exception from the call.
    let pool = Pool::new(1).unwrap();
    let caught = catch_unwind(AssertUnwindSafe(|| pool.map(square, failing_at_5())));
    assert!(caught.is_err());
    assert_eq!(
        pool.map(square, 0..3).unwrap(),
        [0, 1, 4],
        "the pool carries on"
    );
}
