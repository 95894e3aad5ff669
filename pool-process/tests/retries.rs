//! Opt-in retries: a task whose worker was lost, or that timed out, is
//! sent again to a fresh worker, up to the count set for the pool or the
//! call; a panic, a returned error or a stop never is. The attempts are
//! counted by the tasks themselves, in a file every attempt appends to
//! (`support::Tally`), so the counts are exact.

mod support;

use std::error::Error as _;
use std::time::Duration;

use pool_core::{Error, ErrorKind};
use pool_process::{Callbacks, ExitReason, Pool, ProcessPoolExecutor, TaskOptions, WorkerExit};
use support::{BOUND, Rendezvous, Tally, first_time, hold, tally};

/// A task: counts its attempt, then holds at the rendezvous until the
/// test releases it; returns the worker's pid.
fn counted_hold((count, meet): (String, String)) -> u32 {
    tally(&count, b'a');
    hold(&meet);
    std::process::id()
}

fn counted_panic(count: String) -> u32 {
    tally(&count, b'a');
    panic!("a deterministic failure")
}

fn counted_err(count: String) -> Result<u32, String> {
    tally(&count, b'a');
    Err("a returned error".to_owned())
}

fn counted_exit(count: String) -> u32 {
    tally(&count, b'a');
    std::process::exit(3)
}

fn counted_spin(count: String) -> u32 {
    tally(&count, b'a');
    loop {
        std::hint::spin_loop();
    }
}

/// A map item: counts that item `x` ran; item 5 kills its worker the
/// first time it runs.
fn item_dies_once((x, count): (u8, String)) -> u8 {
    tally(&count, x);
    if x == 5 && first_time(&count, "item-5") {
        std::process::exit(3);
    }
    x * 2
}

fn sigkill(pid: u32) {
    // SAFETY: sending a signal has no memory-safety preconditions; `pid`
    // is a worker of this test's pool, unreaped while it holds its task.
    assert_eq!(unsafe { libc::kill(pid as i32, libc::SIGKILL) }, 0);
}

fn worker_exit(error: &Error) -> WorkerExit {
    error
        .source()
        .and_then(|s| s.downcast_ref::<WorkerExit>())
        .unwrap_or_else(|| panic!("no WorkerExit in {error:?}"))
        .clone()
}

/// Lets a one-worker pool's task held at `meet` be killed once: kills the
/// worker holding the first attempt, then releases the second. Returns
/// the killed pid.
fn kill_first_attempt(meet: &Rendezvous, pids: impl Fn() -> Vec<u32>) -> u32 {
    let _first = meet.arrival();
    let victim = pids()[0];
    sigkill(victim);
    meet.arrival().release();
    victim
}

#[test]
fn a_task_whose_worker_is_killed_once_succeeds_with_one_retry() {
    let check = |victim: u32, pid: Result<u32, Error>, count: &Tally| {
        let pid = pid.unwrap();
        assert_ne!(pid, victim, "the retry ran on a fresh worker");
        assert_eq!(count.count(b'a'), 2, "two attempts");
    };

    // The pool's default.
    let pool = Pool::builder().processes(1).retries(1).build().unwrap();
    let (count, meet) = (Tally::new(), Rendezvous::new());
    let result = pool
        .apply_async(counted_hold, (count.path(), meet.path()))
        .unwrap();
    let victim = kill_first_attempt(&meet, || pool.pids());
    check(victim, result.get_timeout(BOUND), &count);

    // Per call, on a pool without retries: apply, imap, the executor.
    let pool = Pool::new(1).unwrap();
    let (count, meet) = (Tally::new(), Rendezvous::new());
    let once = Callbacks::new().retries(1);
    let result = pool
        .apply_async_with(counted_hold, (count.path(), meet.path()), once)
        .unwrap();
    let victim = kill_first_attempt(&meet, || pool.pids());
    check(victim, result.get_timeout(BOUND), &count);

    let (count, meet) = (Tally::new(), Rendezvous::new());
    let once = TaskOptions::new().retries(1);
    let mut results = pool.imap_with(counted_hold, [(count.path(), meet.path())], once);
    let victim = kill_first_attempt(&meet, || pool.pids());
    check(victim, results.next_timeout(BOUND).unwrap(), &count);
    assert!(results.next_timeout(BOUND).is_none(), "one result, once");

    let executor = ProcessPoolExecutor::new(1).unwrap();
    let (count, meet) = (Tally::new(), Rendezvous::new());
    let once = TaskOptions::new().retries(1);
    let (future, _stop) = executor
        .submit_with(counted_hold, (count.path(), meet.path()), once)
        .unwrap();
    let victim = kill_first_attempt(&meet, || executor.pids());
    check(victim, future.result_timeout(BOUND), &count);
}

#[test]
fn a_panicking_task_is_not_retried() {
    let pool = Pool::builder().processes(1).retries(3).build().unwrap();
    let count = Tally::new();
    let err = pool.apply(counted_panic, count.path()).unwrap_err();
    assert!(err.is_panic(), "{err:?}");
    assert_eq!(count.count(b'a'), 1, "one attempt");
    assert!(!err.to_string().contains("attempts"), "{err}");

    // In a map: every item ran once, none was resent.
    let count = Tally::new();
    let err = pool
        .map_chunked(counted_panic, vec![count.path(); 4], 2)
        .unwrap_err();
    assert!(err.is_panic(), "{err:?}");
    assert_eq!(count.count(b'a'), 4);

    // A returned error is the task's value: run once, handed back as is.
    let count = Tally::new();
    let value = pool.apply(counted_err, count.path()).unwrap();
    assert_eq!(value, Err("a returned error".to_owned()));
    assert_eq!(count.count(b'a'), 1);
}

#[test]
fn exhausted_retries_give_worker_lost_with_the_attempt_count() {
    let pool = Pool::builder().processes(1).retries(2).build().unwrap();
    let count = Tally::new();
    let err = pool.apply(counted_exit, count.path()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WorkerLost, "{err:?}");
    assert_eq!(
        err.to_string(),
        "the process running it died: gave up after 3 attempts"
    );
    assert_eq!(
        worker_exit(&err).status,
        ExitReason::Code(3),
        "the last exit"
    );
    assert_eq!(count.count(b'a'), 3, "the first attempt and two retries");

    // A map's chunk: the message names its items and the attempts.
    let count = Tally::new();
    let err = pool
        .map_chunked(counted_exit, vec![count.path(); 2], 2)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WorkerLost, "{err:?}");
    assert_eq!(
        err.to_string(),
        "the process running it died: items 0..2; gave up after 3 attempts"
    );
    assert_eq!(count.count(b'a'), 3, "each attempt died at the first item");

    // The pool carries on.
    assert_eq!(pool.apply(|x: u8| x + 1, 1).unwrap(), 2);
}

#[test]
fn per_call_retries_override_the_pool_default() {
    let pool = Pool::builder().processes(1).retries(3).build().unwrap();
    let count = Tally::new();
    let none = Callbacks::new().retries(0);
    let err = pool
        .apply_async_with(counted_exit, count.path(), none)
        .unwrap()
        .get_timeout(BOUND)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WorkerLost, "{err:?}");
    assert_eq!(count.count(b'a'), 1);
    assert_eq!(err.detail(), None, "no attempt count without retries");
}

#[test]
fn a_timed_out_task_is_retried_then_fails_with_task_timed_out() {
    let pool = Pool::new(1).unwrap();
    let count = Tally::new();
    let options = Callbacks::new()
        .timeout(Duration::from_millis(100))
        .retries(1);
    let err = pool
        .apply_async_with(counted_spin, count.path(), options)
        .unwrap()
        .get_timeout(BOUND)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TaskTimedOut, "{err:?}");
    let text = err.to_string();
    assert!(text.contains("limit 100ms"), "{text}");
    assert!(text.ends_with("; gave up after 2 attempts"), "{text}");
    assert_eq!(count.count(b'a'), 2);
}

#[test]
fn a_retried_chunk_reruns_only_itself_and_nothing_is_lost_or_duplicated() {
    let pool = Pool::builder().processes(2).retries(1).build().unwrap();
    let count = Tally::new();
    let items: Vec<(u8, String)> = (0..12).map(|x| (x, count.path())).collect();
    let results = pool.map_chunked(item_dies_once, items, 4).unwrap();
    assert_eq!(results, (0..12).map(|x| x * 2).collect::<Vec<u8>>());
    // Chunk 4..8 died at item 5 and was resent whole: items 4 and 5 ran
    // twice, 6 and 7 once (the first attempt never reached them).
    let runs: Vec<usize> = (0..12).map(|x| count.count(x)).collect();
    assert_eq!(runs, [1, 1, 1, 1, 2, 2, 1, 1, 1, 1, 1, 1]);
}

#[test]
fn a_stopped_task_is_not_retried() {
    let pool = Pool::builder().processes(1).retries(3).build().unwrap();
    let (count, meet) = (Tally::new(), Rendezvous::new());
    let result = pool
        .apply_async(counted_hold, (count.path(), meet.path()))
        .unwrap();
    let _held = meet.arrival();
    result.stop();
    let err = result.get_timeout(BOUND).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Stopped, "{err:?}");
    assert_eq!(count.count(b'a'), 1);

    let executor = ProcessPoolExecutor::builder()
        .processes(1)
        .retries(3)
        .build_executor()
        .unwrap();
    let (count, meet) = (Tally::new(), Rendezvous::new());
    let (future, stop) = executor
        .submit_with(
            counted_hold,
            (count.path(), meet.path()),
            TaskOptions::new(),
        )
        .unwrap();
    let _held = meet.arrival();
    stop.stop();
    let err = future.result_timeout(BOUND).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Stopped, "{err:?}");
    assert_eq!(count.count(b'a'), 1);
    assert_eq!(
        executor.submit(|x: u8| x + 1, 1).unwrap().result().unwrap(),
        2
    );
}
