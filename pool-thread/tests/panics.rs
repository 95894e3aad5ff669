//! A panicking task fails only its own future, with message and location;
//! the executor and its threads go on.

use pool_test_support::BOUND;
use pool_thread::ThreadPoolExecutor;

#[test]
fn a_panic_reaches_the_caller_with_message_and_location() {
    let executor = ThreadPoolExecutor::builder()
        .max_workers(1)
        .thread_name_prefix("io")
        .build()
        .unwrap();
    let task = || -> u8 { panic!("disk on fire") };
    let line = line!() - 1;
    let f = executor.submit(task).unwrap();
    let err = f.result_timeout(BOUND).unwrap_err();
    let panic = err.panic().unwrap();
    assert_eq!(panic.message(), "disk on fire");
    assert!(
        panic
            .location()
            .unwrap()
            .starts_with(&format!("{}:{line}:", file!()))
    );
    assert_eq!(panic.thread_name(), Some("io_0"));
}

#[test]
fn the_executor_keeps_working_after_panics() {
    let executor = ThreadPoolExecutor::new(2).unwrap();
    let futures: Vec<_> = (0..20)
        .map(|i| {
            executor
                .submit(move || {
                    assert!(i % 2 == 0, "odd {i}");
                    i
                })
                .unwrap()
        })
        .collect();
    let mut ok = 0;
    let mut failed = 0;
    for f in &futures {
        match f.result_timeout(BOUND) {
            Ok(_) => ok += 1,
            Err(e) if e.is_panic() => failed += 1,
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!((ok, failed), (10, 10));
    assert_eq!(executor.metrics().panicked, 10);
    assert_eq!(
        executor
            .submit(|| 1)
            .unwrap()
            .result_timeout(BOUND)
            .unwrap(),
        1
    );
}
