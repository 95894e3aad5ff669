//! A task that never ends, under the timeout variants of the blocking
//! calls (`Pool::join_timeout`, the executor's `shutdown_timeout`,
//! `IMap::next_timeout`) and under the executor's `terminate_workers` /
//! `kill_workers`: each returns within its bound with the exact error.

mod support;

use std::time::{Duration, Instant};

use pool_core::{CancelFutures, ErrorKind};
use pool_process::{Pool, ProcessPoolExecutor};
use support::{BOUND, Rendezvous, gone, runaway, start_runaway};

#[test]
fn join_timeout_gives_up_on_a_runaway_task_and_terminate_follows() {
    let pool = Pool::new(1).unwrap();
    let (result, pid) = start_runaway(&pool);
    pool.close();
    let start = Instant::now();
    let err = pool.join_timeout(Duration::from_millis(100)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(err.to_string().contains(&pid.to_string()), "{err}");
    assert!(start.elapsed() < BOUND);
    pool.terminate();
    pool.join_timeout(BOUND).unwrap();
    assert!(result.get().unwrap_err().to_string().contains("terminated"));
    gone(pid);
}

#[test]
fn join_timeout_before_close_is_invalid() {
    let pool = Pool::new(1).unwrap();
    let err = pool.join_timeout(Duration::from_millis(1)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidState);
}

#[test]
fn shutdown_timeout_gives_up_and_kill_workers_ends_it() {
    let executor = ProcessPoolExecutor::new(1).unwrap();
    let meet = Rendezvous::new();
    let running = executor.submit(runaway, meet.path()).unwrap();
    drop(meet.arrival());
    let queued = executor.submit(runaway, meet.path()).unwrap();
    let pid = executor.pids()[0];
    let err = executor
        .shutdown_timeout(CancelFutures::Yes, Duration::from_millis(100))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(queued.result().unwrap_err().is_cancelled());
    executor.kill_workers();
    let err = running.result_timeout(BOUND).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Shutdown, "{err}");
    assert!(err.to_string().contains("terminated"), "{err}");
    assert!(executor.pids().is_empty());
    gone(pid);
}

#[test]
fn terminate_workers_fails_running_and_queued_tasks() {
    let executor = ProcessPoolExecutor::new(2).unwrap();
    let meet = Rendezvous::new();
    let first = executor.submit(runaway, meet.path()).unwrap();
    let second = executor.submit(runaway, meet.path()).unwrap();
    drop(meet.arrival());
    drop(meet.arrival());
    let queued = executor.submit(runaway, meet.path()).unwrap();
    let pids = executor.pids();
    let start = Instant::now();
    executor.terminate_workers();
    assert!(start.elapsed() < BOUND);
    for running in [first, second] {
        let err = running.result_timeout(BOUND).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Shutdown, "{err}");
    }
    assert!(queued.result().unwrap_err().is_cancelled());
    assert!(executor.pids().is_empty());
    assert!(executor.submit(runaway, meet.path()).is_err());
    for pid in pids {
        gone(pid);
    }
}

#[test]
fn imap_next_timeout_loses_nothing() {
    let executor = ProcessPoolExecutor::new(1).unwrap();
    let meet = Rendezvous::new();
    let mut results = executor.map(support::held_pid, [meet.path(), meet.path()]);
    let held = meet.arrival();
    let err = results
        .next_timeout(Duration::from_millis(20))
        .unwrap()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    held.release();
    meet.arrival().release();
    let pid = results.next_timeout(BOUND).unwrap().unwrap();
    assert_eq!(results.next_timeout(BOUND).unwrap().unwrap(), pid);
    assert!(results.next_timeout(BOUND).is_none());
}
