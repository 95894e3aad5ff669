//! `maxtasksperchild`: a worker is replaced after that many tasks, the
//! retired ones are reaped, and planned replacements are not slowed by the
//! rate limit meant for crashing workers.

mod support;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use pool_core::ErrorKind;
use pool_process::Pool;
use support::{eventually, gone, worker_pid};

#[test]
fn one_task_per_child_gives_a_new_pid_per_task() {
    let pool = Pool::builder()
        .processes(1)
        .maxtasksperchild(1)
        .build()
        .unwrap();
    let pids: Vec<u32> = (0..6)
        .map(|_| pool.apply(worker_pid, ()).unwrap())
        .collect();
    let distinct: HashSet<_> = pids.iter().collect();
    assert_eq!(distinct.len(), pids.len(), "{pids:?}");
    assert!(!pids.contains(&std::process::id()));
    // Every retired worker is reaped at once, not left as a zombie.
    for &pid in &pids[..pids.len() - 1] {
        gone(pid);
    }
    pool.close();
    pool.join().unwrap();
    gone(pids[pids.len() - 1]);
}

#[test]
fn a_child_runs_exactly_n_tasks() {
    let pool = Pool::builder()
        .processes(1)
        .maxtasksperchild(3)
        .build()
        .unwrap();
    let pids: Vec<u32> = (0..9)
        .map(|_| pool.apply(worker_pid, ()).unwrap())
        .collect();
    for group in pids.chunks(3) {
        assert!(group.iter().all(|&p| p == group[0]), "{pids:?}");
    }
    assert_ne!(pids[0], pids[3]);
    assert_ne!(pids[3], pids[6]);
}

#[test]
fn each_item_of_a_map_chunk_counts_as_one_task_run_by_one_child() {
    // A chunk is one request: all its items run in the same child.
    let pool = Pool::builder()
        .processes(2)
        .maxtasksperchild(1)
        .build()
        .unwrap();
    let pids = pool
        .map_chunked(|_: u32| std::process::id(), 0..20, 5)
        .unwrap();
    for chunk in pids.chunks(5) {
        assert!(chunk.iter().all(|&p| p == chunk[0]), "{pids:?}");
    }
    let distinct: HashSet<_> = pids.iter().collect();
    assert_eq!(distinct.len(), 4, "one child per chunk: {pids:?}");
}

#[test]
fn zero_is_an_invalid_configuration() {
    let err = Pool::builder()
        .processes(1)
        .maxtasksperchild(0)
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig);
}

/// Regression: retiring a worker counted as a respawn after a death, so
/// with `maxtasksperchild(1)` a link paused after every ten tasks until a
/// second had passed since the first: 40 replacements took at least three
/// seconds, whatever the machine. Without the pause they take 40 start-ups
/// (a few milliseconds each here, tens under heavy load).
#[test]
fn planned_replacements_are_not_rate_limited() {
    let pool = Pool::builder()
        .processes(1)
        .maxtasksperchild(1)
        .build()
        .unwrap();
    pool.apply(worker_pid, ()).unwrap();
    let start = Instant::now();
    for _ in 0..40 {
        pool.apply(worker_pid, ()).unwrap();
    }
    let took = start.elapsed();
    assert!(
        took < Duration::from_millis(2500),
        "40 replacements took {took:?}"
    );
}

#[test]
fn a_retired_worker_is_replaced_at_once_so_an_idle_pool_keeps_its_size() {
    // CPython: `Pool(3, maxtasksperchild=1)` is back to 3 workers while
    // idle. (The replacement starts before the task that retired its
    // predecessor completes; the wait covers workers still starting from
    // `build`, which starts them in the background.)
    let pool = Pool::builder()
        .processes(3)
        .maxtasksperchild(1)
        .build()
        .unwrap();
    let ran: Vec<u32> = pool.map_chunked(worker_pid, [(); 6], 1).unwrap();
    eventually("three live workers while idle", || pool.pids().len() == 3);
    let after = pool.pids();
    for used in ran {
        assert!(
            !after.contains(&used),
            "worker {used} was retired: {after:?}"
        );
    }
}
