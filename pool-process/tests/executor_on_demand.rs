//! `ProcessPoolExecutor` starts its workers as tasks need them and reuses
//! idle ones first, as CPython's does since 3.9 (`len(ex._processes)` is 0
//! before the first submit); a `Pool` starts all of its workers at once,
//! as CPython's `Pool` does.

mod support;

use pool_process::{Pool, ProcessPoolExecutor};
use support::{BOUND, Rendezvous, eventually, hold};

fn square(x: u64) -> u64 {
    x * x
}

fn held(path: String) -> u32 {
    hold(&path);
    std::process::id()
}

#[test]
fn no_worker_before_the_first_task_and_idle_ones_are_reused() {
    let executor = ProcessPoolExecutor::new(4).unwrap();
    assert!(executor.pids().is_empty(), "started on demand");
    for i in 0..10 {
        assert_eq!(executor.submit(square, i).unwrap().result().unwrap(), i * i);
    }
    // One task at a time: the idle worker takes the next one (a second
    // may start if a submit comes before the first is back to idle;
    // CPython 3.11 ends this loop with 4).
    let workers = executor.pids().len();
    assert!(
        (1..=2).contains(&workers),
        "{workers} workers for 10 sequential tasks"
    );
}

#[test]
fn busy_workers_make_room_for_new_ones_up_to_the_limit() {
    let executor = ProcessPoolExecutor::new(2).unwrap();
    let rendezvous = Rendezvous::new();
    let running: Vec<_> = (0..3)
        .map(|_| executor.submit(held, rendezvous.path()).unwrap())
        .collect();
    let first = rendezvous.arrival_within(BOUND).expect("a task runs");
    let second = rendezvous
        .arrival_within(BOUND)
        .expect("a second worker started");
    assert_eq!(executor.pids().len(), 2, "never more than max_workers");
    first.release();
    second.release();
    rendezvous
        .arrival_within(BOUND)
        .expect("the third task runs")
        .release();
    let pids: std::collections::HashSet<u32> = running
        .iter()
        .map(|f| f.result_timeout(BOUND).unwrap())
        .collect();
    assert_eq!(pids.len(), 2);
}

#[test]
fn a_pool_starts_all_its_workers_at_once() {
    let pool = Pool::new(3).unwrap();
    eventually("three workers without any task", || pool.pids().len() == 3);
}
