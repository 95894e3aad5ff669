//! A task that never ends, under a per-task hard timeout and under
//! `AsyncResult::stop`: only that task fails, with its own error kind
//! naming the pid (and the limit), its worker is replaced, and the pool
//! carries on.

mod support;

use std::time::{Duration, Instant};

use pool_core::ErrorKind;
use pool_process::{Callbacks, Pool};
use support::{BOUND, Rendezvous, gone, held_pid, runaway, start_runaway};

#[test]
fn a_task_past_the_pool_wide_limit_fails_alone_and_the_pool_carries_on() {
    let pool = Pool::builder()
        .processes(1)
        .task_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let (result, pid) = start_runaway(&pool);
    let err = result.get_timeout(BOUND).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TaskTimedOut, "{err}");
    assert!(err.is_task_timed_out() && !err.is_timeout());
    let message = err.to_string();
    assert!(message.contains(&pid.to_string()), "{message}");
    assert!(message.contains("300ms"), "{message}");
    gone(pid);
    let next = pool.apply(|x: u32| x + 1, 41).unwrap();
    assert_eq!(next, 42, "the pool carries on");
    assert_ne!(pool.pids(), [pid], "the worker was replaced");
}

#[test]
fn a_per_call_limit_stops_only_its_own_worker() {
    let pool = Pool::new(2).unwrap();
    let slow = Rendezvous::new();
    let busy = pool.apply_async(held_pid, slow.path()).unwrap();
    let other = slow.arrival();
    let meet = Rendezvous::new();
    let limited = Callbacks::new().timeout(Duration::from_millis(200));
    let result = pool
        .apply_async_with(runaway, meet.path(), limited)
        .unwrap();
    drop(meet.arrival());
    let err = result.get_timeout(BOUND).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TaskTimedOut, "{err}");
    assert!(err.to_string().contains("200ms"), "{err}");
    other.release();
    let survivor = busy.get_timeout(BOUND).unwrap();
    assert!(
        pool.pids().contains(&survivor),
        "the other task's worker was not touched"
    );
}

#[test]
fn a_map_chunk_past_its_limit_fails_its_items() {
    let pool = Pool::new(1).unwrap();
    let meet = Rendezvous::new();
    let limited = Callbacks::new().timeout(Duration::from_millis(200));
    let result = pool
        .map_async_with(runaway, [meet.path()], limited)
        .unwrap();
    drop(meet.arrival());
    let err = result.get_timeout(BOUND).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TaskTimedOut, "{err}");
    assert_eq!(pool.map(|x: u8| x * 2, [1, 2]).unwrap(), [2, 4]);
}

#[test]
fn a_task_under_its_limit_is_untouched() {
    let pool = Pool::builder()
        .processes(1)
        .task_timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let pid = pool.apply(support::worker_pid, ()).unwrap();
    assert_eq!(pool.map(|x: u8| x + 1, 0..100).unwrap().len(), 100);
    assert_eq!(pool.apply(support::worker_pid, ()).unwrap(), pid);
}

#[test]
fn stop_ends_a_running_task_and_the_pool_carries_on() {
    let pool = Pool::new(1).unwrap();
    let (result, pid) = start_runaway(&pool);
    let start = Instant::now();
    result.stop();
    let err = result.get_timeout(BOUND).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Stopped, "{err}");
    assert!(err.is_stopped());
    assert!(err.to_string().contains(&pid.to_string()), "{err}");
    assert!(start.elapsed() < BOUND);
    gone(pid);
    assert_eq!(pool.apply(|x: u8| x + 1, 1).unwrap(), 2);
}

#[test]
fn stop_of_a_queued_task_never_starts_it() {
    let pool = Pool::new(1).unwrap();
    let meet = Rendezvous::new();
    let busy = pool.apply_async(held_pid, meet.path()).unwrap();
    let held = meet.arrival();
    let queued = pool.apply_async(runaway, meet.path()).unwrap();
    queued.stop();
    held.release();
    let pid = busy.get_timeout(BOUND).unwrap();
    let err = queued.get_timeout(BOUND).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Stopped, "{err}");
    assert_eq!(pool.pids(), [pid], "no worker was stopped");
}

#[test]
fn stop_after_the_task_finished_keeps_its_value() {
    let pool = Pool::new(1).unwrap();
    let result = pool.apply_async(|x: u8| x + 1, 1).unwrap();
    result.wait();
    result.stop();
    assert_eq!(result.get().unwrap(), 2);
}
