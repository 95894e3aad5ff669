//! A worker that does not exit when its pool tells it to (here: an exit
//! hook of its own that never returns) does not hold up the pool's
//! shutdown: it is killed after the grace period and reaped, and the
//! other workers exit as usual.

mod support;

use std::sync::mpsc;

use pool_process::Pool;
use support::{BOUND, Rendezvous, process_state, signal};

/// A hook that keeps the worker from exiting.
fn stall() {
    std::thread::sleep(BOUND * 100);
}

/// A task: makes its worker stall at exit, tells the test, and returns
/// the worker's pid.
fn stall_at_exit(path: String) -> u32 {
    pool_core::exit::on_child_exit(stall);
    signal(&path);
    std::process::id()
}

#[test]
fn a_worker_that_ignores_the_exit_request_is_killed_and_reaped_at_shutdown() {
    let pool = Pool::new(2).unwrap();
    let meet = Rendezvous::new();
    let stuck = pool.apply(stall_at_exit, meet.path()).unwrap();
    drop(meet.arrival());
    let workers = pool.pids();
    assert_eq!(workers.len(), 2);
    assert!(workers.contains(&stuck));

    pool.close();
    let (done, joined) = mpsc::channel();
    std::thread::spawn(move || {
        let outcome = pool.join();
        let left = pool.pids();
        let _ = done.send((outcome, left));
    });
    let (outcome, left) = joined
        .recv_timeout(BOUND)
        .expect("join returned although a worker ignored the exit request");
    outcome.unwrap();
    assert!(left.is_empty(), "workers left: {left:?}");
    for pid in workers {
        assert_eq!(process_state(pid), None, "worker {pid} was reaped");
    }
}
