//! The progress integration (`progress` feature) driven to completion for
//! every map: `Pool::map` (`map_progress`), `imap`, `imap_unordered`, and
//! both executors' `map`. At the end the bar's position is the item count
//! and the bar is finished; a map whose input tells its length gives the
//! bar that length. Bars draw to a hidden target, so nothing is printed.

#![cfg(all(
    feature = "progress",
    feature = "thread",
    feature = "process",
    target_os = "linux"
))]

use poolrt::process::{Pool, ProcessPoolExecutor};
use poolrt::progress::{MapProgress, ProgressBar, ProgressDrawTarget, ProgressExt};
use poolrt::thread::ThreadPoolExecutor;

const N: u64 = 1_000;

fn square(x: u64) -> u64 {
    x * x
}

fn hidden() -> ProgressBar {
    let bar = poolrt::progress::bar(None);
    bar.set_draw_target(ProgressDrawTarget::hidden());
    bar
}

/// Checks a bar after its map ran to the end.
fn done(bar: &ProgressBar, n: u64) {
    assert_eq!(bar.position(), n);
    assert!(bar.is_finished(), "the bar is finished at the end");
}

fn expected_sum() -> u64 {
    (0..N).map(square).sum()
}

#[test]
fn pool_map_progress_counts_every_item_in_order() {
    let pool = Pool::new(2).unwrap();
    let bar = hidden();
    let squares = pool.map_progress_with(square, 0..N, bar.clone()).unwrap();
    assert_eq!(squares, (0..N).map(square).collect::<Vec<_>>());
    assert_eq!(bar.length(), Some(N), "set to the item count");
    done(&bar, N);
}

#[test]
fn pool_imap_progress_has_the_input_length_and_ends_at_it() {
    let pool = Pool::new(2).unwrap();
    let results = pool.imap(square, 0..N).progress();
    results.bar().set_draw_target(ProgressDrawTarget::hidden());
    assert_eq!(
        results.bar().length(),
        Some(N),
        "from the range's size_hint"
    );
    let bar = results.bar().clone();
    let squares: Vec<u64> = results.map(Result::unwrap).collect();
    assert_eq!(squares, (0..N).map(square).collect::<Vec<_>>());
    done(&bar, N);
}

#[test]
fn pool_imap_unordered_progress_ends_at_the_item_count() {
    let pool = Pool::new(2).unwrap();
    let bar = hidden();
    let sum: u64 = pool
        .imap_unordered_chunked(square, (0..N).collect::<Vec<_>>(), 7)
        .progress_with(bar.clone())
        .map(Result::unwrap)
        .sum();
    assert_eq!(sum, expected_sum());
    done(&bar, N);
}

#[test]
fn an_input_of_unknown_length_gets_a_counter() {
    let pool = Pool::new(1).unwrap();
    let results = pool.imap(square, (0..N).filter(|x| x % 2 == 0)).progress();
    results.bar().set_draw_target(ProgressDrawTarget::hidden());
    assert_eq!(results.bar().length(), None, "a filter's length is unknown");
    let bar = results.bar().clone();
    assert_eq!(results.count() as u64, N / 2);
    done(&bar, N / 2);
}

#[test]
fn process_executor_map_progress_ends_at_the_item_count() {
    let executor = ProcessPoolExecutor::new(2).unwrap();
    let results = executor.map(square, vec![3u64; N as usize]).progress();
    results.bar().set_draw_target(ProgressDrawTarget::hidden());
    assert_eq!(results.bar().length(), Some(N));
    let bar = results.bar().clone();
    assert!(results.map(Result::unwrap).all(|x| x == 9));
    done(&bar, N);
}

#[test]
fn thread_executor_map_progress_ends_at_the_item_count() {
    let executor = ThreadPoolExecutor::new(4).unwrap();
    let results = executor.map(square, 0..N).progress();
    results.bar().set_draw_target(ProgressDrawTarget::hidden());
    assert_eq!(results.bar().length(), Some(N));
    let bar = results.bar().clone();
    let sum: u64 = results.map(Result::unwrap).sum();
    assert_eq!(sum, expected_sum());
    done(&bar, N);
}

#[test]
fn a_failing_item_reaches_the_caller_of_map_progress() {
    /// Item 7 ends its worker process (a failure that prints nothing).
    fn fails_on_7(x: u64) -> u64 {
        if x == 7 {
            std::process::exit(3);
        }
        x
    }
    let pool = Pool::new(1).unwrap();
    let err = pool
        .map_progress_with(fails_on_7, 0..20, hidden())
        .unwrap_err();
    assert!(err.is_worker_lost(), "{err:?}");
    assert!(
        pool.map_progress_with(square, 0..3, hidden()).is_ok(),
        "the pool goes on"
    );
}
