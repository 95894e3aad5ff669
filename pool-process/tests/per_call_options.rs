//! Per-call options on every submission form: a hard time limit (and
//! retries, see `retries.rs`) through `TaskOptions` for the lazy maps and
//! the executor, `Callbacks` for the `*_async_with` forms; and the
//! executor's stop handle. Only the task (or chunk) past its limit fails,
//! with `TaskTimedOut` naming the pid and the limit; the pool carries on.

mod support;

use std::time::Duration;

use pool_core::{Error, ErrorKind};
use pool_process::{Callbacks, Pool, ProcessPoolExecutor, TaskOptions};
use support::{BOUND, Rendezvous, held_pid, runaway};

/// Short enough to keep the tests quick, long enough that an ordinary
/// one-item chunk never reaches it on a loaded machine.
const LIMIT: Duration = Duration::from_millis(300);

/// A map item: item 2 never ends.
fn spin_on_two(x: u32) -> u32 {
    if x == 2 {
        loop {
            std::hint::spin_loop();
        }
    }
    x * 10
}

fn star_spin_on_two(x: u32, y: u32) -> u32 {
    spin_on_two(x) + y
}

fn assert_timed_out(error: &Error) {
    assert_eq!(error.kind(), ErrorKind::TaskTimedOut, "{error:?}");
    assert!(error.to_string().contains("limit 300ms"), "{error}");
}

/// Item 2's chunk (of one) timed out; every other item is right.
fn assert_only_item_two_timed_out(results: &[Result<u32, Error>]) {
    assert_eq!(results.len(), 5);
    for (x, result) in (0..).zip(results) {
        match x {
            2 => assert_timed_out(result.as_ref().unwrap_err()),
            _ => assert_eq!(*result.as_ref().unwrap(), x * 10),
        }
    }
}

#[test]
fn imap_with_a_timeout_fails_only_the_runaway_chunk() {
    let pool = Pool::new(2).unwrap();
    let options = TaskOptions::new().timeout(LIMIT).chunksize(1);
    let results: Vec<_> = pool.imap_with(spin_on_two, 0..5, options).collect();
    assert_only_item_two_timed_out(&results);

    let mut results: Vec<_> = pool
        .imap_unordered_with(spin_on_two, 0..5, options)
        .collect();
    assert_eq!(results.len(), 5);
    let timed_out = results.iter().filter(|r| r.is_err()).count();
    assert_eq!(timed_out, 1);
    results.retain(Result::is_ok);
    let mut values: Vec<u32> = results.into_iter().map(Result::unwrap).collect();
    values.sort_unstable();
    assert_eq!(values, [0, 10, 30, 40]);
    assert_eq!(
        pool.apply(|x: u8| x + 1, 1).unwrap(),
        2,
        "the pool carries on"
    );
}

#[test]
fn imap_with_a_chunk_size_chunks_like_imap_chunked() {
    let pool = Pool::new(2).unwrap();
    let options = TaskOptions::new().timeout(LIMIT).chunksize(2);
    let results: Vec<_> = pool.imap_with(spin_on_two, 0..6, options).collect();
    // Items 2 and 3 share the chunk that timed out.
    for (x, result) in (0..).zip(&results) {
        match x {
            2 | 3 => assert_timed_out(result.as_ref().unwrap_err()),
            _ => assert_eq!(*result.as_ref().unwrap(), x * 10),
        }
    }
}

#[test]
fn map_and_starmap_take_a_timeout_through_their_async_with_forms() {
    let pool = Pool::new(2).unwrap();
    let err = pool
        .map_async_with(spin_on_two, 0..5, Callbacks::new().timeout(LIMIT))
        .unwrap()
        .get_timeout(BOUND)
        .unwrap_err();
    assert_timed_out(&err);
    let pairs = (0..5).map(|x| (x, 1));
    let err = pool
        .starmap_async_with(star_spin_on_two, pairs, Callbacks::new().timeout(LIMIT))
        .unwrap()
        .get_timeout(BOUND)
        .unwrap_err();
    assert_timed_out(&err);
    let fine = pool
        .starmap_async_with(star_spin_on_two, [(1, 1), (3, 2)], Callbacks::new())
        .unwrap();
    assert_eq!(fine.get_timeout(BOUND).unwrap(), [11, 32]);
}

#[test]
fn the_executor_takes_a_timeout_on_submit_and_map() {
    let executor = ProcessPoolExecutor::new(2).unwrap();
    let (future, _stop) = executor
        .submit_with(spin_on_two, 2, TaskOptions::new().timeout(LIMIT))
        .unwrap();
    let err = future.result_timeout(BOUND).unwrap_err();
    assert_timed_out(&err);
    let options = TaskOptions::new().timeout(LIMIT).chunksize(1);
    let results: Vec<_> = executor.map_with(spin_on_two, 0..5, options).collect();
    assert_only_item_two_timed_out(&results);
    assert_eq!(
        executor.submit(|x: u8| x + 1, 1).unwrap().result().unwrap(),
        2
    );
}

#[test]
fn stopping_an_executor_task_stops_its_worker_and_fails_it_with_stopped() {
    let executor = ProcessPoolExecutor::new(1).unwrap();
    let meet = Rendezvous::new();
    let (running, stop) = executor
        .submit_with(runaway, meet.path(), TaskOptions::new())
        .unwrap();
    drop(meet.arrival());
    let pid = executor.pids()[0];
    // The only worker is busy: this one waits in the queue.
    let gate = Rendezvous::new();
    let (queued, stop_queued) = executor
        .submit_with(held_pid, gate.path(), TaskOptions::new())
        .unwrap();
    stop_queued.stop();
    stop.stop();
    let err = running.result_timeout(BOUND).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Stopped, "{err:?}");
    assert!(
        err.to_string()
            .contains(&format!("worker process {pid} was stopped")),
        "{err}"
    );
    let err = queued.result_timeout(BOUND).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Stopped, "{err:?}");
    assert!(
        err.to_string().contains("before it reached a worker"),
        "{err}"
    );
    support::gone(pid);
    assert_eq!(
        executor.submit(|x: u8| x + 1, 1).unwrap().result().unwrap(),
        2,
        "the executor carries on"
    );
}
