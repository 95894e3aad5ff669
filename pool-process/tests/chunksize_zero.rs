//! A chunk size of 0 is refused by every map form with
//! `ErrorKind::InvalidConfig`, as CPython's `imap`/`imap_unordered`
//! ("Chunksize must be 1+, not 0") and `ProcessPoolExecutor.map`
//! ("chunksize must be >= 1.") refuse it. (CPython's `Pool.map` accepts
//! 0 and returns a list of `None`s: a bug poolrt does not copy.)

use pool_core::ErrorKind;
use pool_process::{Pool, ProcessPoolExecutor, TaskOptions};

fn square(x: u64) -> u64 {
    x * x
}

fn add(a: u64, b: u64) -> u64 {
    a + b
}

#[track_caller]
fn refused<T: std::fmt::Debug>(result: Result<T, pool_core::Error>) {
    let error = result.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidConfig, "{error}");
    assert!(error.to_string().contains("chunksize"), "{error}");
}

#[test]
fn every_map_form_refuses_chunksize_zero() {
    let pool = Pool::new(1).unwrap();
    refused(pool.map_chunked(square, 0..4, 0));
    refused(pool.starmap_chunked(add, [(1, 2)], 0));

    let mut imap = pool.imap_chunked(square, 0..4, 0);
    refused(imap.next().unwrap());
    assert!(imap.next().is_none());
    refused(pool.imap_unordered_chunked(square, 0..4, 0).next().unwrap());
    refused(
        pool.imap_with(square, 0..4, TaskOptions::new().chunksize(0))
            .next()
            .unwrap(),
    );

    let executor = ProcessPoolExecutor::new(1).unwrap();
    refused(executor.map_chunked(square, 0..4, 0).next().unwrap());

    assert_eq!(pool.map_chunked(square, 0..4, 1).unwrap(), [0, 1, 4, 9]);
}
