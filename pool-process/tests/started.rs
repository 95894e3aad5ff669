//! A `Pool`'s workers are started when its build returns, as Python's
//! `Pool()` has started its processes: `pids()` lists every one at once,
//! even while their initializer still runs.

mod support;

use pool_process::Pool;
use support::{BOUND, Rendezvous, hold, process_state, worker_pid};

/// An initializer that waits for the test to release it.
fn held_init(path: String) {
    hold(&path);
}

#[test]
fn every_worker_is_started_when_the_pool_is_built() {
    let pool = Pool::new(3).unwrap();
    let mut pids = pool.pids();
    assert_eq!(pids.len(), 3, "{pids:?}");
    pids.sort_unstable();
    pids.dedup();
    assert_eq!(pids.len(), 3, "three distinct processes");
    for &pid in &pids {
        assert_ne!(pid, std::process::id());
        assert!(process_state(pid).is_some(), "worker {pid} exists");
    }
    let worker = pool.apply(worker_pid, ()).unwrap();
    assert!(pids.contains(&worker));
}

#[test]
fn workers_are_listed_while_their_initializer_still_runs() {
    let rendezvous = Rendezvous::new();
    let pool = Pool::builder()
        .processes(1)
        .initializer(held_init, rendezvous.path())
        .build()
        .unwrap();
    // The initializer waits for the release below: the worker is started,
    // not yet ready.
    let pids = pool.pids();
    assert_eq!(pids.len(), 1, "{pids:?}");
    let held = rendezvous.arrival();
    held.release();
    let result = pool.apply_async(worker_pid, ()).unwrap();
    assert_eq!(result.get_timeout(BOUND).unwrap(), pids[0]);
}
