//! `map`, `map_chunked`, `map_async`, `starmap`, `starmap_chunked` and
//! `starmap_async`: results in input order even when later items finish
//! first, and a failing item's error names it.

mod support;

use pool_process::Pool;
use serde::{Deserialize, Serialize};
use support::{BOUND, Rendezvous, hold, signal};

fn square(x: u64) -> u64 {
    x * x
}

fn power(base: u64, exp: u32) -> u64 {
    base.pow(exp)
}

fn label(n: u32, name: String, upper: bool) -> String {
    let name = if upper { name.to_uppercase() } else { name };
    format!("{name}{n}")
}

/// An item that either holds at a rendezvous or reports at one and returns
/// at once.
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

fn fail_on_seven(x: u32) -> u32 {
    assert_ne!(x, 7, "seven is not allowed");
    x
}

#[test]
fn map_returns_results_in_input_order() {
    let pool = Pool::new(2).unwrap();
    assert_eq!(
        pool.map(square, 0..1000).unwrap(),
        (0..1000).map(square).collect::<Vec<_>>()
    );
    assert_eq!(
        pool.map(|s: String| s.len(), ["a", "bb", "ccc"].map(String::from))
            .unwrap(),
        [1, 2, 3]
    );
}

#[test]
fn map_keeps_input_order_when_later_items_finish_first() {
    let pool = Pool::new(2).unwrap();
    let (first, rest) = (Rendezvous::new(), Rendezvous::new());
    let mut items = vec![Step::Hold(first.path(), 0)];
    items.extend((1..6).map(|n| Step::Quick(rest.path(), n)));
    let result = pool.map_async(step, items).unwrap();
    // With 6 items on 2 processes the default chunk size is 1: item 0
    // holds one worker while the other runs items 1 to 5.
    let held = first.arrival();
    for _ in 1..6 {
        rest.arrival();
    }
    assert!(!result.ready());
    held.release();
    assert_eq!(result.get_timeout(BOUND).unwrap(), [0, 1, 2, 3, 4, 5]);
}

#[test]
fn map_chunked_keeps_order_for_every_chunk_size() {
    let pool = Pool::new(2).unwrap();
    let expected: Vec<u64> = (0..101).map(square).collect();
    for chunksize in [1, 2, 7, 50, 101, 500] {
        assert_eq!(
            pool.map_chunked(square, 0..101, chunksize).unwrap(),
            expected,
            "chunksize {chunksize}"
        );
    }
    // A chunk size of zero is refused: tests/chunksize_zero.rs.
}

#[test]
fn map_async_returns_at_once_and_delivers_all_results() {
    let pool = Pool::new(2).unwrap();
    let rendezvous = Rendezvous::new();
    let blocker = pool
        .apply_async(support::held_pid, rendezvous.path())
        .unwrap();
    let blocker2 = pool
        .apply_async(support::held_pid, rendezvous.path())
        .unwrap();
    let (a, b) = (rendezvous.arrival(), rendezvous.arrival());
    // Both workers are held: map_async cannot have run anything yet.
    let result = pool.map_async(square, 0..100).unwrap();
    assert!(!result.ready());
    a.release();
    b.release();
    assert_eq!(
        result.get_timeout(BOUND).unwrap(),
        (0..100).map(square).collect::<Vec<_>>()
    );
    assert!(result.successful().unwrap());
    assert!(blocker.get().is_ok() && blocker2.get().is_ok());
}

#[test]
fn a_failing_item_fails_the_map_with_an_error_naming_the_item() {
    let pool = Pool::new(2).unwrap();
    for chunksize in [1, 3, 20] {
        let err = pool
            .map_chunked(fail_on_seven, 0..20, chunksize)
            .unwrap_err();
        assert!(err.is_panic(), "{err:?}");
        assert!(
            err.panic()
                .unwrap()
                .message()
                .contains("seven is not allowed"),
            "{err:?}"
        );
        assert!(
            err.to_string().contains("item 7"),
            "chunksize {chunksize}: {err}"
        );
    }
    let err = pool.map(fail_on_seven, 0..20).unwrap_err();
    assert!(err.to_string().contains("item 7"), "{err}");
    assert_eq!(pool.map(fail_on_seven, 0..5).unwrap(), [0, 1, 2, 3, 4]);
}

#[test]
fn the_first_failing_item_by_position_is_reported() {
    let pool = Pool::new(2).unwrap();
    let err = pool
        .map_chunked(
            |x: u32| {
                assert!(x % 5 != 3, "bad {x}");
                x
            },
            0..30,
            4,
        )
        .unwrap_err();
    assert_eq!(err.panic().unwrap().message(), "bad 3");
    assert!(err.to_string().contains("item 3"), "{err}");
}

#[test]
fn starmap_spreads_tuples_over_parameters() {
    let pool = Pool::new(2).unwrap();
    assert_eq!(
        pool.starmap(power, [(2, 10), (3, 3), (10, 0)]).unwrap(),
        [1024, 27, 1]
    );
    let items: Vec<_> = (0..30u32)
        .map(|n| (n, "x".to_owned(), n % 2 == 0))
        .collect();
    let expected: Vec<String> = items
        .iter()
        .cloned()
        .map(|(n, s, u)| label(n, s, u))
        .collect();
    assert_eq!(pool.starmap(label, items.clone()).unwrap(), expected);
    for chunksize in [1, 4, 100] {
        assert_eq!(
            pool.starmap_chunked(label, items.clone(), chunksize)
                .unwrap(),
            expected
        );
    }
    let result = pool.starmap_async(label, items).unwrap();
    assert_eq!(result.get_timeout(BOUND).unwrap(), expected);
    assert_eq!(
        pool.starmap(|a: u8, b: u8| a.checked_add(b), [(200, 55), (200, 56)])
            .unwrap(),
        [Some(255), None]
    );
}

#[test]
fn a_failing_starmap_item_names_the_item() {
    let pool = Pool::new(1).unwrap();
    let err = pool
        .starmap(|a: u32, b: u32| a / b, [(4, 2), (1, 0), (9, 3)])
        .unwrap_err();
    assert!(err.is_panic());
    assert!(err.to_string().contains("item 1"), "{err}");
}

#[test]
fn an_empty_input_maps_to_an_empty_vec() {
    let pool = Pool::new(2).unwrap();
    assert!(pool.map(square, Vec::new()).unwrap().is_empty());
    assert!(pool.map_chunked(square, 0..0, 3).unwrap().is_empty());
    assert!(pool.starmap(power, Vec::new()).unwrap().is_empty());
    let result = pool.map_async(square, std::iter::empty()).unwrap();
    assert!(result.get_timeout(BOUND).unwrap().is_empty());
}
