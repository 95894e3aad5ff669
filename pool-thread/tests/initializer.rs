//! Initializers: run once per thread; a failing one breaks the executor,
//! failing pending tasks and refusing later submits, without a respawn loop.

use std::cell::Cell;
use std::error::Error as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use pool_test_support::BOUND;
use pool_thread::ThreadPoolExecutor;

thread_local! {
    static CONNECTION: Cell<Option<u32>> = const { Cell::new(None) };
}

#[test]
fn the_initializer_runs_on_each_thread_before_its_tasks() {
    let runs = Arc::new(AtomicUsize::new(0));
    let counter = runs.clone();
    let executor = ThreadPoolExecutor::builder()
        .max_workers(2)
        .initializer(move || {
            let n = counter.fetch_add(1, Ordering::SeqCst) as u32;
            CONNECTION.with(|c| c.set(Some(100 + n)));
            Ok::<(), std::io::Error>(())
        })
        .build()
        .unwrap();
    let futures: Vec<_> = (0..20)
        .map(|_| executor.submit(|| CONNECTION.with(Cell::get)).unwrap())
        .collect();
    for f in &futures {
        let conn = f.result_timeout(BOUND).unwrap();
        assert!(matches!(conn, Some(100 | 101)), "{conn:?}");
    }
    executor.shutdown();
    let runs = runs.load(Ordering::SeqCst);
    assert!(
        (1..=2).contains(&runs),
        "{runs} initializer runs for 2 threads"
    );
}

#[test]
fn a_failing_initializer_breaks_the_executor() {
    let runs = Arc::new(AtomicUsize::new(0));
    let counter = runs.clone();
    let executor = ThreadPoolExecutor::builder()
        .max_workers(4)
        .initializer(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            Err("database unreachable")
        })
        .build()
        .unwrap();
    let pending: Vec<_> = (0..10).map(|i| executor.submit(move || i)).collect();
    for f in pending {
        // Either accepted and then failed, or refused once broken.
        let err = match f {
            Ok(future) => future.result_timeout(BOUND).unwrap_err(),
            Err(refused) => refused.reason().clone(),
        };
        assert!(err.is_broken(), "{err:?}");
        assert_eq!(err.to_string(), "pool is broken: worker initializer failed");
        assert_eq!(err.source().unwrap().to_string(), "database unreachable");
    }
    let later = executor.submit(|| "later").unwrap_err();
    assert!(later.is_broken());
    assert_eq!((later.into_inner())(), "later");
    executor.shutdown();
    assert!(runs.load(Ordering::SeqCst) <= 4, "no respawn loop");
}

#[test]
fn a_panicking_initializer_breaks_it_too() {
    let executor = ThreadPoolExecutor::builder()
        .max_workers(1)
        .initializer(|| -> Result<(), std::io::Error> { panic!("init blew up") })
        .build()
        .unwrap();
    let err = executor
        .submit(|| ())
        .unwrap()
        .result_timeout(BOUND)
        .unwrap_err();
    assert!(err.is_broken());
    assert_eq!(err.to_string(), "pool is broken: worker initializer failed");
    let panic = err.source().unwrap().to_string();
    assert!(panic.ends_with("init blew up"), "{panic}");
}
