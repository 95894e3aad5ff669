//! ThreadPoolExecutor basics: submit, sizing, thread names, lazy start and
//! reuse of idle threads, keep-alive.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pool_test_support::{BOUND, Gate, eventually};
use pool_thread::{ThreadPoolExecutor, default_max_workers};

#[test]
fn submit_returns_a_future_with_the_value() {
    let executor = ThreadPoolExecutor::new(4).unwrap();
    let futures: Vec<_> = (0..100u64)
        .map(|i| executor.submit(move || i * i).unwrap())
        .collect();
    let total: u64 = futures
        .iter()
        .map(|f| f.result_timeout(BOUND).unwrap())
        .sum();
    assert_eq!(total, (0..100u64).map(|i| i * i).sum());
}

#[test]
fn tasks_from_outside_start_in_submission_order() {
    let executor = ThreadPoolExecutor::new(1).unwrap();
    let order = Arc::new(Mutex::new(Vec::new()));
    let futures: Vec<_> = (0..200)
        .map(|i| {
            let order = order.clone();
            executor
                .submit(move || order.lock().unwrap().push(i))
                .unwrap()
        })
        .collect();
    for f in &futures {
        f.result_timeout(BOUND).unwrap();
    }
    assert_eq!(*order.lock().unwrap(), (0..200).collect::<Vec<_>>());
}

#[test]
fn zero_workers_is_an_error_with_a_clear_message() {
    let err = ThreadPoolExecutor::new(0).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid configuration: max_workers must be at least 1, got 0"
    );
}

#[test]
fn default_size_follows_python() {
    let cores = std::thread::available_parallelism().unwrap().get();
    assert_eq!(default_max_workers(), (cores + 4).min(32));
    let executor = ThreadPoolExecutor::builder().build().unwrap();
    assert_eq!(executor.max_workers(), default_max_workers());
}

#[test]
fn threads_are_named_like_python() {
    let executor = ThreadPoolExecutor::builder()
        .max_workers(2)
        .thread_name_prefix("downloader")
        .build()
        .unwrap();
    let name = executor
        .submit(|| std::thread::current().name().map(str::to_owned))
        .unwrap()
        .result_timeout(BOUND)
        .unwrap();
    assert_eq!(name.as_deref(), Some("downloader_0"));

    let unnamed = ThreadPoolExecutor::new(1).unwrap();
    let name = unnamed
        .submit(|| std::thread::current().name().unwrap().to_owned())
        .unwrap()
        .result_timeout(BOUND)
        .unwrap();
    assert!(
        name.starts_with("ThreadPoolExecutor-") && name.ends_with("_0"),
        "{name}"
    );
}

#[test]
fn threads_start_lazily_and_idle_ones_are_reused() {
    let executor = ThreadPoolExecutor::new(10).unwrap();
    assert_eq!(executor.metrics().workers, 0);
    let seen = Arc::new(Mutex::new(HashSet::new()));
    for _ in 0..100 {
        let seen = seen.clone();
        executor
            .submit(move || seen.lock().unwrap().insert(std::thread::current().id()))
            .unwrap()
            .result_timeout(BOUND)
            .unwrap();
    }
    let used = seen.lock().unwrap().len();
    assert!(used <= 2, "sequential tasks used {used} threads");
}

#[test]
fn blocked_tasks_grow_the_pool_up_to_max_workers() {
    let executor = ThreadPoolExecutor::new(5).unwrap();
    let gate = Gate::new();
    let futures: Vec<_> = (0..8)
        .map(|_| {
            let gate = gate.clone();
            executor.submit(move || gate.wait()).unwrap()
        })
        .collect();
    eventually("five threads busy", || executor.metrics().busy == 5);
    assert_eq!(executor.metrics().workers, 5, "never more than max_workers");
    gate.open();
    for f in &futures {
        f.result_timeout(BOUND).unwrap();
    }
}

#[test]
fn idle_threads_exit_after_keep_alive_and_come_back() {
    let executor = ThreadPoolExecutor::builder()
        .max_workers(3)
        .keep_alive(Duration::from_millis(10))
        .build()
        .unwrap();
    executor
        .submit(|| ())
        .unwrap()
        .result_timeout(BOUND)
        .unwrap();
    eventually("threads exit", || executor.metrics().workers == 0);
    assert_eq!(
        executor
            .submit(|| 1)
            .unwrap()
            .result_timeout(BOUND)
            .unwrap(),
        1
    );
}

#[test]
fn pinned_workers_report_their_core() {
    let executor = ThreadPoolExecutor::builder()
        .max_workers(1)
        .pin_cores(true)
        .build()
        .unwrap();
    let allowed = pool_core::allowed_cores();
    let inside = executor
        .submit(pool_core::allowed_cores)
        .unwrap()
        .result_timeout(BOUND)
        .unwrap();
    assert_eq!(inside.len(), 1);
    assert!(allowed.contains(&inside[0]));
}

#[test]
fn a_small_stack_size_is_honoured() {
    let executor = ThreadPoolExecutor::builder()
        .max_workers(1)
        .stack_size(256 * 1024)
        .build()
        .unwrap();
    assert_eq!(
        executor
            .submit(|| 3)
            .unwrap()
            .result_timeout(BOUND)
            .unwrap(),
        3
    );
}

#[test]
fn the_executor_can_be_shared_with_its_own_tasks() {
    let executor = Arc::new(ThreadPoolExecutor::new(2).unwrap());
    let inner = executor.clone();
    let outer = executor
        .submit(move || {
            let f = inner.submit(|| 21).unwrap();
            f.result_timeout(BOUND).unwrap() * 2
        })
        .unwrap();
    assert_eq!(outer.result_timeout(BOUND).unwrap(), 42);
}
