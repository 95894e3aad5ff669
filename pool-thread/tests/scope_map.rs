//! `Scope::map`: the executor's map for borrowed items and functions, in
//! input order, with a bounded look-ahead, each panic its item's error, and
//! the tasks not yet started cancelled when the iterator is dropped.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use pool_test_support::{Gate, eventually};
use pool_thread::ThreadPoolExecutor;

#[test]
fn maps_borrowed_items_with_a_borrowing_function_in_order() {
    let executor = ThreadPoolExecutor::new(4).unwrap();
    let words: Vec<String> = ["alpha", "beta", "gamma", "delta", "epsilon"]
        .map(String::from)
        .to_vec();
    let prefix = String::from("#");
    let tagged: Vec<String> = executor.scope(|s| {
        s.map(|w: &String| format!("{prefix}{w}"), &words)
            .collect::<Result<_, _>>()
            .unwrap()
    });
    assert_eq!(tagged, ["#alpha", "#beta", "#gamma", "#delta", "#epsilon"]);
    // Both are still ours.
    assert_eq!((words.len(), prefix.as_str()), (5, "#"));
}

#[test]
fn results_may_borrow_from_the_items() {
    let executor = ThreadPoolExecutor::new(2).unwrap();
    let lines = vec!["a b".to_owned(), "c d e".to_owned()];
    let firsts: Vec<&str> = executor.scope(|s| {
        s.map(|line: &String| line.split(' ').next().unwrap(), &lines)
            .map(Result::unwrap)
            .collect()
    });
    assert_eq!(firsts, ["a", "c"]);
}

#[test]
fn a_panicking_item_is_its_error_and_the_others_go_on() {
    let executor = ThreadPoolExecutor::new(2).unwrap();
    let numbers = [1_u32, 2, 3, 4];
    let results: Vec<_> = executor.scope(|s| {
        s.map(
            |n: &u32| {
                assert_ne!(*n, 3, "three is refused");
                n * 10
            },
            &numbers,
        )
        .collect()
    });
    assert_eq!(results.len(), 4);
    assert_eq!(results[0].as_ref().unwrap(), &10);
    assert_eq!(results[1].as_ref().unwrap(), &20);
    let error = results[2].as_ref().unwrap_err();
    assert!(error.is_panic(), "{error:?}");
    assert!(
        error
            .panic()
            .unwrap()
            .message()
            .contains("three is refused")
    );
    assert_eq!(results[3].as_ref().unwrap(), &40);
}

#[test]
fn at_most_two_windows_per_worker_run_ahead_and_a_drop_cancels_the_rest() {
    let executor = ThreadPoolExecutor::new(2).unwrap();
    let started = AtomicUsize::new(0);
    let gate = Gate::new();
    let items: Vec<u32> = (0..100).collect();
    // Counts the items the map has taken from the input: those submitted.
    let pulled = AtomicUsize::new(0);
    executor.scope(|s| {
        let input = items.iter().inspect(|_| {
            pulled.fetch_add(1, Ordering::SeqCst);
        });
        let mut results = s.map(
            |n: &u32| {
                started.fetch_add(1, Ordering::SeqCst);
                gate.wait();
                *n
            },
            input,
        );
        // Both workers are blocked on the gate; two per worker were
        // submitted, the rest of the hundred items were not.
        eventually("both workers run a task", || {
            started.load(Ordering::SeqCst) == 2
        });
        assert_eq!(pulled.load(Ordering::SeqCst), 4);
        gate.open();
        assert_eq!(results.next().unwrap().unwrap(), 0);
        // Taking a result submits one more.
        assert_eq!(pulled.load(Ordering::SeqCst), 5);
        drop(results);
    });
    // The first item was taken, one more submitted for it: at most five
    // ever ran; the dropped iterator cancelled whatever had not started.
    let ran = started.load(Ordering::SeqCst);
    assert!((2..=5).contains(&ran), "{ran} items ran");
}

#[test]
fn an_endless_iterator_is_fine() {
    let executor = ThreadPoolExecutor::new(2).unwrap();
    let offset = 100_u64;
    let first: Vec<u64> = executor.scope(|s| {
        s.map(|n: u64| n + offset, 0..)
            .take(5)
            .map(Result::unwrap)
            .collect()
    });
    assert_eq!(first, [100, 101, 102, 103, 104]);
}

#[test]
fn a_map_after_shutdown_yields_the_refusal() {
    let executor = ThreadPoolExecutor::new(1).unwrap();
    executor.shutdown();
    let seen = Mutex::new(Vec::new());
    let results: Vec<_> = executor.scope(|s| {
        s.map(|n: &u8| seen.lock().unwrap().push(*n), &[1, 2])
            .collect()
    });
    assert_eq!(results.len(), 1, "one error for the refused items");
    assert_eq!(
        results[0].as_ref().unwrap_err().kind(),
        pool_thread::ErrorKind::Shutdown
    );
    assert!(seen.into_inner().unwrap().is_empty());
}

#[test]
fn a_timeout_ends_the_map_with_a_timeout_error_and_cancels_the_rest() {
    let executor = ThreadPoolExecutor::new(1).unwrap();
    let gate = Gate::new();
    let ran = AtomicUsize::new(0);
    let items = [0_u8, 1, 2];
    let results: Vec<_> = executor.scope(|s| {
        let blocks = |n: &u8| {
            ran.fetch_add(1, Ordering::SeqCst);
            if *n == 0 {
                gate.wait();
            }
            *n
        };
        let map = s.map(blocks, &items).timeout(std::time::Duration::ZERO);
        // The first item holds the one worker.
        eventually("the first item runs", || ran.load(Ordering::SeqCst) == 1);
        let results: Vec<_> = map.collect();
        gate.open();
        results
    });
    assert_eq!(results.len(), 1, "the iteration ends at the timeout");
    assert!(results[0].as_ref().unwrap_err().is_timeout());
    // The one worker was blocked on the first item: the others were
    // cancelled before they started.
    assert_eq!(ran.load(Ordering::SeqCst), 1);
}
