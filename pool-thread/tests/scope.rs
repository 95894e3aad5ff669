//! Scoped tasks borrow local data; the scope returns only when they are all
//! done, even when its body panics, and a scope on a busy pool's own thread
//! does not deadlock.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use pool_test_support::BOUND;
use pool_thread::ThreadPoolExecutor;

#[test]
fn tasks_borrow_local_data() {
    let executor = ThreadPoolExecutor::new(4).unwrap();
    let words: Vec<String> = ["alpha", "beta", "gamma", "delta"]
        .map(String::from)
        .to_vec();
    let total = AtomicUsize::new(0);
    let lengths: Vec<usize> = executor.scope(|s| {
        let futures: Vec<_> = words
            .iter()
            .map(|w| {
                let total = &total;
                s.submit(move || {
                    total.fetch_add(w.len(), Ordering::SeqCst);
                    w.len()
                })
                .unwrap()
            })
            .collect();
        futures
            .iter()
            .map(|f| f.result_timeout(BOUND).unwrap())
            .collect()
    });
    assert_eq!(lengths, [5, 4, 5, 5]);
    assert_eq!(total.into_inner(), 19);
    // `words` is still ours.
    assert_eq!(words.len(), 4);
}

#[test]
fn tasks_may_mutate_disjoint_borrowed_chunks() {
    let executor = ThreadPoolExecutor::new(3).unwrap();
    let mut data = vec![1u64; 900];
    executor.scope(|s| {
        for chunk in data.chunks_mut(100) {
            s.submit(move || chunk.iter_mut().for_each(|x| *x *= 2))
                .unwrap();
        }
    });
    assert!(
        data.iter().all(|&x| x == 2),
        "every task ran before scope returned"
    );
}

#[test]
fn results_may_borrow_from_the_environment() {
    let executor = ThreadPoolExecutor::new(2).unwrap();
    let text = String::from("one two three");
    let first: &str = executor.scope(|s| {
        let f = s.submit(|| text.split(' ').next().unwrap()).unwrap();
        f.result_timeout(BOUND).unwrap()
    });
    assert_eq!(first, "one");
}

#[test]
fn the_scope_waits_for_unread_tasks() {
    let executor = ThreadPoolExecutor::new(2).unwrap();
    let done = AtomicUsize::new(0);
    executor.scope(|s| {
        for _ in 0..50 {
            s.submit(|| {
                std::thread::yield_now();
                done.fetch_add(1, Ordering::SeqCst);
            })
            .unwrap();
        }
    });
    assert_eq!(done.load(Ordering::SeqCst), 50);
}

#[test]
fn a_panicking_body_is_re_raised_after_the_tasks_finish() {
    let executor = ThreadPoolExecutor::new(2).unwrap();
    let done = AtomicUsize::new(0);
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        executor.scope(|s| {
            for _ in 0..10 {
                s.submit(|| done.fetch_add(1, Ordering::SeqCst)).unwrap();
            }
            panic!("body failed");
        })
    }));
    assert!(caught.is_err());
    assert_eq!(done.load(Ordering::SeqCst), 10);
}

#[test]
fn a_panicking_scoped_task_fails_only_its_future() {
    let executor = ThreadPoolExecutor::new(2).unwrap();
    let value = 5;
    let (good, bad) = executor.scope(|s| {
        let good = s.submit(|| value * 2).unwrap();
        let bad = s.submit(|| -> i32 { panic!("scoped {value}") }).unwrap();
        (
            good.result_timeout(BOUND).unwrap(),
            bad.result_timeout(BOUND).unwrap_err(),
        )
    });
    assert_eq!(good, 10);
    assert_eq!(bad.panic().unwrap().message(), "scoped 5");
}

#[test]
fn a_scope_inside_a_task_of_a_full_pool_runs_its_own_tasks() {
    // One thread: the scope's tasks can only run if the waiting scope
    // runs them itself.
    let executor = Arc::new(ThreadPoolExecutor::new(1).unwrap());
    let inner = executor.clone();
    let f = executor
        .submit(move || {
            let numbers = [1, 2, 3, 4];
            inner.scope(|s| {
                let futures: Vec<_> = numbers
                    .iter()
                    .map(|n| s.submit(move || n * n).unwrap())
                    .collect();
                drop(futures);
            });
            numbers.iter().sum::<i32>()
        })
        .unwrap();
    assert_eq!(f.result_timeout(BOUND).unwrap(), 10);
}

#[test]
fn scoped_submit_after_shutdown_hands_the_closure_back() {
    let executor = ThreadPoolExecutor::new(1).unwrap();
    executor.shutdown();
    let local = 7;
    executor.scope(|s| {
        let err = s.submit(|| local).unwrap_err();
        assert!(err.is_shutdown());
        assert_eq!((err.into_inner())(), 7);
    });
}
