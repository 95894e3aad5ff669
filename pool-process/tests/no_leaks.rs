//! No zombies and no leaked descriptors: after `close` + `join` (or
//! `terminate`, or drop) every former worker is gone from `/proc`, and the
//! test process has as many open descriptors as before the pool existed.
//!
//! Descriptor counts are process-wide, so the tests of this file run one
//! at a time.

mod support;

use std::collections::BTreeSet;
use std::sync::{Mutex, MutexGuard};

use pool_process::{Pool, ProcessPoolExecutor};
use support::{Rendezvous, held_pid, live_workers, open_fds, process_state, worker_pid};

fn one_at_a_time() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Asserts that none of `pids` exists any more, not even as a zombie:
/// `join` reaps every worker before it returns, so there is nothing to
/// wait for.
fn all_gone(pids: &BTreeSet<u32>) {
    for &pid in pids {
        assert_eq!(process_state(pid), None, "worker {pid} is still there");
    }
}

fn exit_with(code: i32) -> u32 {
    std::process::exit(code)
}

/// Runs a mix of work that makes the pool start, retire and lose workers,
/// and returns every worker pid seen.
fn churn(pool: &Pool) -> BTreeSet<u32> {
    let mut pids: BTreeSet<u32> = pool.pids().into_iter().collect();
    for _ in 0..6 {
        pids.insert(pool.apply(worker_pid, ()).unwrap());
    }
    pids.extend(
        pool.map_chunked(|_: u8| std::process::id(), 0..40, 4)
            .unwrap(),
    );
    let err = pool.apply(exit_with, 3).unwrap_err();
    assert!(err.is_worker_lost());
    pids.extend(
        pool.imap(|_: u8| std::process::id(), 0..20)
            .map(Result::unwrap),
    );
    pids.extend(pool.pids());
    pids
}

#[test]
fn close_and_join_leave_no_zombie_and_no_descriptor() {
    let _serial = one_at_a_time();
    let before = open_fds();
    let pool = Pool::builder()
        .processes(2)
        .maxtasksperchild(3)
        .build()
        .unwrap();
    let mut pids = churn(&pool);
    pool.close();
    pool.join().unwrap();
    pids.extend(pool.pids());
    assert!(pool.pids().is_empty());
    assert!(
        pids.len() > 2,
        "retirements and a death started workers: {pids:?}"
    );
    all_gone(&pids);
    drop(pool);
    assert_eq!(open_fds(), before, "descriptors leaked by the pool");
}

#[test]
fn terminate_leaves_no_zombie_and_no_descriptor() {
    let _serial = one_at_a_time();
    let before = open_fds();
    let pool = Pool::new(2).unwrap();
    let rendezvous = Rendezvous::new();
    let running = pool.apply_async(held_pid, rendezvous.path()).unwrap();
    let held = rendezvous.arrival();
    let pids: BTreeSet<u32> = live_workers(2, || pool.pids()).into_iter().collect();
    pool.terminate();
    pool.join().unwrap();
    assert!(running.get().is_err());
    all_gone(&pids);
    drop((pool, running, held, rendezvous));
    assert_eq!(open_fds(), before, "descriptors leaked by the pool");
}

#[test]
fn dropping_pools_and_executors_leaks_nothing() {
    let _serial = one_at_a_time();
    let before = open_fds();
    let mut pids = BTreeSet::new();
    for round in 0..3 {
        let pool = Pool::new(2).unwrap();
        pids.extend(pool.map(|_: u32| std::process::id(), 0..8).unwrap());
        pids.extend(live_workers(2, || pool.pids()));
        drop(pool);
        let executor = ProcessPoolExecutor::new(2).unwrap();
        let future = executor.submit(worker_pid, ()).unwrap();
        pids.insert(future.result().unwrap());
        pids.extend(live_workers(2, || executor.pids()));
        drop(executor);
        all_gone(&pids);
        assert_eq!(open_fds(), before, "descriptors leaked in round {round}");
    }
}

#[test]
fn a_pool_that_breaks_at_start_up_leaks_nothing() {
    let _serial = one_at_a_time();
    let before = open_fds();
    let pool = Pool::builder()
        .processes(2)
        .executable("/bin/true")
        .build()
        .unwrap();
    assert!(pool.apply(worker_pid, ()).is_err());
    pool.close();
    pool.join().unwrap();
    drop(pool);
    assert_eq!(open_fds(), before, "descriptors leaked by the pool");
}
