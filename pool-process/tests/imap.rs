//! `imap`, `imap_chunked`, `imap_unordered` and `imap_unordered_chunked`:
//! input order for `imap` even when later items finish first, every result
//! exactly once for `imap_unordered`, laziness on an endless input, a
//! failing item that fails only its own position, and an iterator started
//! before `close` that still delivers all its results.

mod support;

use std::cell::Cell;
use std::collections::HashSet;

use pool_process::Pool;
use serde::{Deserialize, Serialize};
use support::{Rendezvous, hold, signal};

fn square(x: u64) -> u64 {
    x * x
}

#[derive(Serialize, Deserialize)]
enum Step {
    Hold(String, u32),
    Quick(String, u32),
}

fn step(s: Step) -> u32 {
    match s {
        Step::Hold(path, n) => {
            hold(&path);
            n
        }
        Step::Quick(path, n) => {
            signal(&path);
            n
        }
    }
}

fn fail_on_three(x: u32) -> u32 {
    assert!(x != 3, "three fails");
    x * 10
}

/// Items 0.. where item 0 holds at `first` and the others signal `rest`.
fn steps(first: &Rendezvous, rest: &Rendezvous, n: u32) -> impl Iterator<Item = Step> + use<> {
    let (first, rest) = (first.path(), rest.path());
    (0..n).map(move |i| {
        if i == 0 {
            Step::Hold(first.clone(), i)
        } else {
            Step::Quick(rest.clone(), i)
        }
    })
}

#[test]
fn imap_yields_in_input_order() {
    let pool = Pool::new(2).unwrap();
    let results: Vec<u64> = pool.imap(square, 0..500).map(Result::unwrap).collect();
    assert_eq!(results, (0..500).map(square).collect::<Vec<_>>());
    let unknown_length = (0..500).filter(|x| x % 3 == 0);
    let results: Vec<u64> = pool
        .imap(square, unknown_length)
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        results,
        (0..500)
            .filter(|x| x % 3 == 0)
            .map(square)
            .collect::<Vec<_>>()
    );
}

#[test]
fn imap_keeps_input_order_when_later_items_finish_first() {
    let pool = Pool::new(2).unwrap();
    let (first, rest) = (Rendezvous::new(), Rendezvous::new());
    // Chunks of one: four are in flight (twice the processes). Item 0
    // holds one worker; the other runs items 1 to 3 meanwhile.
    let results = pool.imap_chunked(step, steps(&first, &rest, 8), 1);
    let held = first.arrival();
    for _ in 1..4 {
        rest.arrival();
    }
    held.release();
    // Items 4.. are submitted as results are taken; their signals wait
    // in the listener's backlog.
    let all: Vec<u32> = results.map(Result::unwrap).collect();
    assert_eq!(all, (0..8).collect::<Vec<_>>());
}

#[test]
fn imap_unordered_yields_every_result_exactly_once() {
    let pool = Pool::new(2).unwrap();
    for chunksize in [None, Some(1), Some(7)] {
        let results: Vec<u64> = match chunksize {
            None => pool
                .imap_unordered(square, 0..300)
                .map(Result::unwrap)
                .collect(),
            Some(c) => pool
                .imap_unordered_chunked(square, 0..300, c)
                .map(Result::unwrap)
                .collect(),
        };
        assert_eq!(results.len(), 300, "chunksize {chunksize:?}");
        let distinct: HashSet<u64> = results.iter().copied().collect();
        let expected: HashSet<u64> = (0..300).map(square).collect();
        assert_eq!(distinct, expected, "chunksize {chunksize:?}");
    }
}

#[test]
fn imap_unordered_yields_results_as_they_complete() {
    let pool = Pool::new(2).unwrap();
    let (first, rest) = (Rendezvous::new(), Rendezvous::new());
    let mut results = pool.imap_unordered_chunked(step, steps(&first, &rest, 4), 1);
    let held = first.arrival();
    for _ in 1..4 {
        rest.arrival();
    }
    // Item 0 is still held, so the first three results are the others.
    let early: HashSet<u32> = (0..3).map(|_| results.next().unwrap().unwrap()).collect();
    assert_eq!(early, HashSet::from([1, 2, 3]));
    held.release();
    assert_eq!(results.next().unwrap().unwrap(), 0);
    assert!(results.next().is_none());
}

#[test]
fn imap_on_an_endless_input_pulls_a_bounded_number_of_items() {
    const LIMIT: usize = 10_000;
    let pool = Pool::new(2).unwrap();
    let pulled = Cell::new(0usize);
    let endless = (0u64..).inspect(|_| {
        pulled.set(pulled.get() + 1);
        assert!(pulled.get() < LIMIT, "imap pulled {LIMIT} items ahead");
    });
    let first: Vec<u64> = pool
        .imap(square, endless)
        .take(10)
        .map(Result::unwrap)
        .collect();
    assert_eq!(first, (0..10).map(square).collect::<Vec<_>>());
    let ahead = pulled.get();
    assert!(
        (10..1000).contains(&ahead),
        "pulled {ahead} items for 10 results"
    );

    let pulled = Cell::new(0usize);
    let endless = (0u64..).inspect(|_| pulled.set(pulled.get() + 1));
    let mut results = pool.imap_chunked(square, endless, 5);
    for i in 0..50 {
        assert_eq!(results.next().unwrap().unwrap(), i * i);
    }
    // Chunks of one size: at most eight per worker (sixteen chunks of
    // five) beyond the ones consumed.
    assert!(pulled.get() <= 50 + 16 * 5, "pulled {}", pulled.get());

    let pulled = Cell::new(0usize);
    let endless = (0u64..).inspect(|_| pulled.set(pulled.get() + 1));
    let got: HashSet<u64> = pool
        .imap_unordered_chunked(square, endless, 3)
        .take(30)
        .map(Result::unwrap)
        .collect();
    assert_eq!(got.len(), 30);
    assert!(pulled.get() <= 30 + 16 * 3 + 3, "pulled {}", pulled.get());
}

#[test]
fn a_failing_item_fails_only_its_position() {
    let pool = Pool::new(2).unwrap();
    for chunksize in [1, 2, 4, 10] {
        let results: Vec<_> = pool.imap_chunked(fail_on_three, 0..10, chunksize).collect();
        assert_eq!(results.len(), 10);
        for (i, r) in (0u32..).zip(&results) {
            if i == 3 {
                let err = r.as_ref().unwrap_err();
                assert!(err.is_panic(), "{err:?}");
                assert_eq!(err.panic().unwrap().message(), "three fails");
                assert!(err.to_string().contains("item 3"), "{err}");
            } else {
                assert_eq!(*r.as_ref().unwrap(), i * 10, "chunksize {chunksize}");
            }
        }
    }
    let results: Vec<_> = pool.imap(fail_on_three, 0..10).collect();
    assert_eq!(results.iter().filter(|r| r.is_err()).count(), 1);
    assert!(results[3].is_err());
}

#[test]
fn imap_unordered_reports_a_failing_item_once() {
    let pool = Pool::new(2).unwrap();
    let results: Vec<_> = pool
        .imap_unordered_chunked(fail_on_three, 0..10, 3)
        .collect();
    assert_eq!(results.len(), 10);
    let values: HashSet<u32> = results
        .iter()
        .filter_map(|r| r.as_ref().ok().copied())
        .collect();
    let expected: HashSet<u32> = (0..10).filter(|&x| x != 3).map(|x| x * 10).collect();
    assert_eq!(values, expected);
    assert_eq!(results.iter().filter(|r| r.is_err()).count(), 1);
}

#[test]
fn an_empty_input_yields_nothing() {
    let pool = Pool::new(2).unwrap();
    assert!(pool.imap(square, Vec::new()).next().is_none());
    assert!(pool.imap(square, std::iter::empty()).next().is_none());
    assert!(pool.imap_unordered(square, 0..0).next().is_none());
    assert!(pool.imap_chunked(square, 0..0, 4).next().is_none());
}

#[test]
fn dropping_an_imap_early_leaves_the_pool_usable() {
    let pool = Pool::new(2).unwrap();
    let mut results = pool.imap_chunked(square, 0.., 3);
    assert_eq!(results.next().unwrap().unwrap(), 0);
    drop(results);
    assert_eq!(pool.map(square, 0..4).unwrap(), [0, 1, 4, 9]);
}

fn double(x: u32) -> u32 {
    2 * x
}

/// Regression: `close` shut the scheduler at once, so an `imap` started
/// before it could no longer submit the rest of its (lazily consumed)
/// input: of 100 items about half came back, then one Shutdown error. In
/// Python the whole iterable counts as submitted when `imap` is called.
#[test]
fn an_imap_started_before_close_delivers_every_result() {
    let pool = Pool::new(2).unwrap();
    let ordered = pool.imap(double, 0..100);
    let unordered = pool.imap_unordered_chunked(double, 0..50, 3);
    pool.close();
    let late = pool.imap(double, 0..3).next().unwrap();
    assert!(late.is_err(), "a new imap after close is refused");
    let all: Vec<u32> = ordered.map(Result::unwrap).collect();
    assert_eq!(all, (0..100).map(double).collect::<Vec<_>>());
    let mut rest: Vec<u32> = unordered.map(Result::unwrap).collect();
    rest.sort_unstable();
    assert_eq!(rest, (0..50).map(double).collect::<Vec<_>>());
    pool.join().unwrap();
}

#[test]
fn join_does_not_wait_for_an_imap_nobody_consumes() {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let pool = Pool::new(2).unwrap();
        let mut endless = pool.imap(double, 0..);
        assert_eq!(endless.next().unwrap().unwrap(), 0);
        pool.close();
        pool.join().unwrap();
        // What was in flight is delivered, then the refusal, then the end.
        let rest: Vec<_> = endless.by_ref().take(10_000).collect();
        let refused = rest.iter().position(Result::is_err).expect("a refusal");
        assert!((0..refused).all(|i| rest[i].as_ref().unwrap() == &double(i as u32 + 1)));
        assert_eq!(refused, rest.len() - 1, "the refusal ends it");
        let _ = tx.send(());
    });
    rx.recv_timeout(support::BOUND)
        .expect("join hung or the test failed");
}

#[test]
fn size_hint_counts_the_results_still_to_come() {
    let pool = Pool::new(2).unwrap();
    for chunksize in [1, 3, 100] {
        let mut results = pool.imap_chunked(double, 0..10, chunksize);
        assert_eq!(results.size_hint(), (10, Some(10)));
        for taken in 1..=10 {
            results.next().unwrap().unwrap();
            assert_eq!(
                results.size_hint(),
                (10 - taken, Some(10 - taken)),
                "chunks of {chunksize}"
            );
        }
        assert!(results.next().is_none());
        assert_eq!(results.size_hint(), (0, Some(0)));
    }
    // An input of unknown length gives bounds, not a count (the first
    // chunks, of 1, 2, 4 and 8 items, leave most of it unread).
    let filtered = pool.imap_unordered(double, (0..1000).filter(|x| x % 2 == 0));
    let (low, high) = filtered.size_hint();
    assert!(
        low < 500 && high.is_some_and(|h| (500..=1000).contains(&h)),
        "{low} {high:?}"
    );
    assert_eq!(filtered.map(Result::unwrap).count(), 500);
    let endless = pool.imap(double, 0..);
    assert_eq!(endless.size_hint().1, None);
    // With a timeout the map may end early: no lower bound.
    let timed = pool
        .imap(double, 0..10)
        .timeout(std::time::Duration::from_secs(60));
    assert_eq!(timed.size_hint(), (0, Some(10)));
}
