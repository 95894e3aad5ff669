//! The direct lane: a blocking `apply` talks to an idle worker's mailbox
//! itself. Results, deaths, time limits, `terminate`, `maxtasksperchild`,
//! metrics and callbacks behave as on the link path, whichever path a
//! call took.

mod support;

use std::error::Error as _;
use std::sync::mpsc;
use std::time::Duration;

use pool_core::{Error, ErrorKind};
use pool_process::{Callbacks, ExitReason, Pool, WorkerExit};
use support::{BOUND, Rendezvous, Tally, gone, held_pid, tally, worker_pid};

fn double(x: u64) -> u64 {
    x * 2
}

fn spin_forever(_: ()) -> u8 {
    loop {
        std::hint::spin_loop()
    }
}

/// A task: adds `byte` to the tally at `path`, returns the worker's pid.
fn mark((path, byte): (String, u8)) -> u32 {
    tally(&path, byte);
    std::process::id()
}

/// Tasks the lane settled: those the pool counts that its scheduler did
/// not run.
fn lane_tasks(pool: &Pool) -> u64 {
    let m = pool.metrics();
    m.completed - m.scheduler.completed
}

/// The worker exit a `WorkerLost` error carries.
fn worker_exit(err: &Error) -> WorkerExit {
    assert_eq!(err.kind(), ErrorKind::WorkerLost, "{err:?}");
    err.source()
        .and_then(|s| s.downcast_ref::<WorkerExit>())
        .unwrap_or_else(|| panic!("no WorkerExit in {err:?}"))
        .clone()
}

/// Runs `f` on a thread of its own and returns its outcome, or fails the
/// test after [`BOUND`].
fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(BOUND)
        .unwrap_or_else(|_| panic!("{what} did not return within {BOUND:?}"))
}

#[test]
fn sequential_applies_take_the_lane_and_count_in_the_metrics() {
    let pool = Pool::new(2).unwrap();
    // The first call may find the links still greeting their children.
    assert_eq!(pool.apply(double, 1).unwrap(), 2);
    let before = lane_tasks(&pool);
    for x in 0..100 {
        assert_eq!(pool.apply(double, x).unwrap(), 2 * x);
    }
    assert_eq!(
        lane_tasks(&pool) - before,
        100,
        "every call found an idle link"
    );
    let m = pool.metrics();
    assert_eq!((m.completed, m.failed, m.deaths), (101, 0, 0));
    let answered: u64 = m.workers.iter().map(|w| w.tasks).sum();
    assert_eq!(answered, 101);
    // A task's failure comes back as on the link path.
    let err = pool.apply(|x: u64| 1 / x, 0).unwrap_err();
    assert!(err.is_panic(), "{err:?}");
    assert_eq!(pool.metrics().failed, 1);
}

#[test]
fn many_threads_apply_while_a_map_runs() {
    let pool = Pool::new(2).unwrap();
    let map = pool
        .map_async_with(double, 0..20_000, Callbacks::new())
        .unwrap();
    std::thread::scope(|s| {
        for t in 0..6u64 {
            let pool = &pool;
            s.spawn(move || {
                for i in 0..300 {
                    let x = t * 1000 + i;
                    assert_eq!(pool.apply(double, x).unwrap(), 2 * x);
                }
            });
        }
    });
    let values = map.get().unwrap();
    assert_eq!(values.len(), 20_000);
    assert!(values.iter().enumerate().all(|(i, &v)| v == 2 * i as u64));
    let m = pool.metrics();
    assert_eq!((m.failed, m.deaths), (0, 0));
    let answered: u64 = m.workers.iter().map(|w| w.tasks).sum();
    assert_eq!(answered, m.completed, "every task answered once");
}

#[test]
fn a_worker_killed_during_a_lane_call_fails_it_with_its_pid_and_signal() {
    let pool = std::sync::Arc::new(Pool::new(1).unwrap());
    let pid = pool.apply(worker_pid, ()).unwrap();
    let lane_before = lane_tasks(&pool);
    let meet = Rendezvous::new();
    let path = meet.path();
    let caller = pool.clone();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(caller.apply(held_pid, path));
    });
    let _held = meet.arrival();
    // SAFETY: kill has no memory-safety preconditions.
    assert_eq!(unsafe { libc::kill(pid as i32, libc::SIGKILL) }, 0);
    let err = rx
        .recv_timeout(BOUND)
        .expect("the call returned")
        .unwrap_err();
    let exit = worker_exit(&err);
    assert_eq!((exit.pid, exit.status), (pid, ExitReason::Signal(9)));
    assert!(err.source().unwrap().to_string().contains(&pid.to_string()));
    assert_eq!(lane_tasks(&pool) - lane_before, 1, "the call took the lane");
    gone(pid);
    // The link replaces the worker; the pool carries on.
    let after = pool.apply(worker_pid, ()).unwrap();
    assert_ne!(after, pid);
    assert_eq!(pool.apply(double, 21).unwrap(), 42);
    let m = pool.metrics();
    assert_eq!((m.deaths, m.failed, m.replacements), (1, 1, 1));
}

#[test]
fn a_time_limit_stops_a_lane_call_and_only_it() {
    let pool = Pool::builder()
        .processes(1)
        .task_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let pid = pool.apply(worker_pid, ()).unwrap();
    let err = pool.apply(spin_forever, ()).unwrap_err();
    assert!(err.is_task_timed_out(), "{err:?}");
    assert!(err.to_string().contains(&pid.to_string()), "{err}");
    gone(pid);
    assert_ne!(pool.apply(worker_pid, ()).unwrap(), pid);
    assert_eq!(pool.metrics().deaths, 1);
}

#[test]
fn terminate_during_a_lane_call_fails_it_without_hanging() {
    let pool = std::sync::Arc::new(Pool::new(1).unwrap());
    let pid = pool.apply(worker_pid, ()).unwrap();
    let meet = Rendezvous::new();
    let path = meet.path();
    let caller = pool.clone();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(caller.apply(held_pid, path));
    });
    let _held = meet.arrival();
    pool.terminate();
    let err = rx
        .recv_timeout(BOUND)
        .expect("the call returned")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Shutdown, "{err:?}");
    gone(pid);
    let joiner = pool.clone();
    assert!(within("join", move || joiner.join_timeout(BOUND).is_ok()));
    assert!(pool.pids().is_empty());
    assert_eq!(
        pool.apply(double, 1).unwrap_err().kind(),
        ErrorKind::Shutdown
    );
}

#[test]
fn maxtasksperchild_retires_workers_whichever_path_a_call_takes() {
    let pool = Pool::builder()
        .processes(1)
        .maxtasksperchild(3)
        .build()
        .unwrap();
    let pids: Vec<u32> = (0..12)
        .map(|_| pool.apply(worker_pid, ()).unwrap())
        .collect();
    for (n, group) in pids.chunks(3).enumerate() {
        assert!(group.iter().all(|&p| p == group[0]), "{pids:?}");
        for other in pids.chunks(3).skip(n + 1) {
            assert_ne!(group[0], other[0], "a new worker every 3 tasks: {pids:?}");
        }
    }
    assert!(
        lane_tasks(&pool) >= 4,
        "the first two of each worker's tasks may take the lane"
    );
    let m = pool.metrics();
    assert_eq!((m.completed, m.deaths), (12, 0));
}

#[test]
fn sequential_calls_run_in_order_and_callbacks_run_once() {
    let pool = Pool::new(2).unwrap();
    let marks = Tally::new();
    let (tx, rx) = mpsc::channel();
    for i in 0..50u8 {
        // A blocking call finishes before the next one starts.
        pool.apply(mark, (marks.path(), b'a' + i % 26)).unwrap();
        let tx = tx.clone();
        let callbacks = Callbacks::new().on_result(move |v: &u64| {
            let _ = tx.send(*v);
        });
        pool.apply_async_with(double, u64::from(i), callbacks)
            .unwrap();
    }
    drop(tx);
    let expected: Vec<u8> = (0..50u8).map(|i| b'a' + i % 26).collect();
    assert_eq!(marks.bytes(), expected);
    let mut got: Vec<u64> = (0..50)
        .map(|_| rx.recv_timeout(BOUND).expect("a callback"))
        .collect();
    got.sort_unstable();
    assert_eq!(got, (0..50u64).map(|i| 2 * i).collect::<Vec<_>>());
    pool.close();
    pool.join().unwrap();
    assert!(rx.try_recv().is_err(), "each callback ran once");
}
