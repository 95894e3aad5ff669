//! The pool's lifecycle: `join` before `close`/`terminate` is an error,
//! submitting after `close` is an error, `close` + `join` waits for queued
//! work, `terminate` returns promptly and fails a running task, `Drop` is
//! `close` + `join`.

mod support;

use std::sync::mpsc;
use std::time::Instant;

use pool_core::ErrorKind;
use pool_process::Pool;
use support::{BOUND, Rendezvous, gone, held_pid, live_workers, worker_pid};

fn square(x: u64) -> u64 {
    x * x
}

/// Runs `f` on its own thread; fails the test if it takes longer than
/// [`BOUND`].
fn finishes<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(BOUND)
        .unwrap_or_else(|_| panic!("{what} did not finish"))
}

#[test]
fn join_before_close_or_terminate_is_an_error() {
    let pool = Pool::new(1).unwrap();
    let err = pool.join().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidState);
    assert_eq!(pool.apply(square, 3).unwrap(), 9, "the pool still runs");
    pool.close();
    pool.join().unwrap();
    pool.join().unwrap();
}

#[test]
fn join_after_terminate_is_fine() {
    let pool = Pool::new(1).unwrap();
    pool.terminate();
    finishes("join after terminate", move || pool.join()).unwrap();
}

#[test]
fn submitting_after_close_is_an_error() {
    let pool = Pool::new(1).unwrap();
    pool.close();
    assert_eq!(
        pool.apply(square, 1).unwrap_err().kind(),
        ErrorKind::Shutdown
    );
    assert_eq!(
        pool.apply_async(square, 1).unwrap_err().kind(),
        ErrorKind::Shutdown
    );
    assert_eq!(
        pool.map(square, 0..3).unwrap_err().kind(),
        ErrorKind::Shutdown
    );
    assert_eq!(
        pool.starmap(|a: u32, b: u32| a + b, [(1, 2)])
            .unwrap_err()
            .kind(),
        ErrorKind::Shutdown
    );
    let mut imap = pool.imap(square, 0..3);
    assert_eq!(
        imap.next().unwrap().unwrap_err().kind(),
        ErrorKind::Shutdown
    );
    assert!(imap.next().is_none());
    pool.join().unwrap();
}

#[test]
fn close_then_join_waits_for_queued_work() {
    let pool = Pool::new(1).unwrap();
    let rendezvous = Rendezvous::new();
    let running = pool.apply_async(held_pid, rendezvous.path()).unwrap();
    let held = rendezvous.arrival();
    // The only worker is held: these wait in the queue.
    let queued: Vec<_> = (0..5)
        .map(|i| pool.apply_async(square, i).unwrap())
        .collect();
    let mapped = pool.map_async(square, 0..20).unwrap();
    pool.close();
    assert!(queued.iter().all(|r| !r.ready()));
    let joiner = std::thread::spawn(move || {
        pool.join().unwrap();
        pool
    });
    held.release();
    let pool = finishes("join", move || joiner.join().unwrap());
    assert!(running.ready());
    let pid = running.get().unwrap();
    for (i, r) in (0..).zip(&queued) {
        assert!(r.ready(), "task {i} was done when join returned");
        assert_eq!(r.get().unwrap(), i * i);
    }
    assert!(mapped.ready());
    assert_eq!(mapped.get().unwrap().len(), 20);
    assert!(pool.pids().is_empty());
    gone(pid);
}

#[test]
fn terminate_returns_promptly_and_fails_the_running_task() {
    let pool = Pool::new(2).unwrap();
    let rendezvous = Rendezvous::new();
    let running = pool.apply_async(held_pid, rendezvous.path()).unwrap();
    let held = rendezvous.arrival();
    let pids = live_workers(2, || pool.pids());
    let start = Instant::now();
    pool.terminate();
    let pool = finishes("join after terminate", move || {
        pool.join().unwrap();
        pool
    });
    assert!(start.elapsed() < BOUND);
    let err = running.get_timeout(BOUND).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Shutdown, "{err:?}");
    assert!(err.to_string().contains("terminated"), "{err}");
    drop(held);
    assert!(pool.pids().is_empty());
    for pid in pids {
        gone(pid);
    }
    assert_eq!(
        pool.apply(square, 2).unwrap_err().kind(),
        ErrorKind::Shutdown
    );
}

#[test]
fn terminate_cancels_queued_tasks() {
    let pool = Pool::new(1).unwrap();
    let rendezvous = Rendezvous::new();
    let running = pool.apply_async(held_pid, rendezvous.path()).unwrap();
    let _held = rendezvous.arrival();
    let queued: Vec<_> = (0..3)
        .map(|i| pool.apply_async(square, i).unwrap())
        .collect();
    pool.terminate();
    for r in &queued {
        let err = r.get_timeout(BOUND).unwrap_err();
        assert!(err.is_cancelled(), "{err:?}");
    }
    assert!(running.get_timeout(BOUND).is_err());
    finishes("join", move || pool.join()).unwrap();
}

/// An initializer that holds at the rendezvous until released.
fn init_hold(path: String) {
    support::hold(&path);
}

/// Regression: a worker being started (here: still in its initializer)
/// while `terminate` ran was not yet listed for killing, so once started
/// it ran the task its link had already taken, and `join` waited for that
/// task (here: forever).
#[test]
fn terminate_while_a_replacement_starts_runs_no_more_tasks() {
    let (init, task) = (Rendezvous::new(), Rendezvous::new());
    let pool = Pool::builder()
        .processes(1)
        .maxtasksperchild(1)
        .initializer(init_hold, init.path())
        .build()
        .unwrap();
    init.arrival().release();
    // The first worker retires after this task; the next task needs a new
    // one, whose initializer holds.
    pool.apply(worker_pid, ()).unwrap();
    let taken = pool.apply_async(held_pid, task.path()).unwrap();
    let starting = init.arrival();
    pool.terminate();
    starting.release();
    let pool = finishes("join after terminate", move || {
        pool.join().unwrap();
        pool
    });
    let err = taken.get_timeout(BOUND).unwrap_err();
    // Usually its link has taken the task and waits for the replacement
    // (the task fails with the shutdown); a replacement forked fast can
    // reach its initializer before the link took the task from the queue,
    // and then terminate cancels it. Either way it never runs.
    assert!(
        matches!(err.kind(), ErrorKind::Shutdown | ErrorKind::Cancelled),
        "{err:?}"
    );
    assert!(
        task.arrival_within(std::time::Duration::ZERO).is_none(),
        "the task ran after terminate"
    );
    assert!(pool.pids().is_empty());
}

#[test]
fn dropping_the_pool_closes_and_joins_it() {
    let pool = Pool::new(1).unwrap();
    let rendezvous = Rendezvous::new();
    let running = pool.apply_async(held_pid, rendezvous.path()).unwrap();
    let held = rendezvous.arrival();
    let queued = pool.apply_async(square, 7).unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        drop(pool);
        tx.send(()).unwrap();
    });
    held.release();
    rx.recv_timeout(BOUND).expect("drop finished");
    assert!(queued.ready(), "queued work ran before drop returned");
    assert_eq!(queued.get().unwrap(), 49);
    gone(running.get().unwrap());
}

#[test]
fn an_idle_pool_drops_cleanly() {
    let pool = Pool::new(2).unwrap();
    let pids = live_workers(2, || pool.pids());
    finishes("drop", move || drop(pool));
    for pid in pids {
        gone(pid);
    }
}

#[test]
fn an_unused_pool_can_be_closed_and_joined_at_once() {
    let pool = Pool::new(2).unwrap();
    pool.close();
    finishes("join", move || pool.join()).unwrap();
}

#[test]
fn zero_processes_is_an_invalid_configuration() {
    assert_eq!(Pool::new(0).unwrap_err().kind(), ErrorKind::InvalidConfig);
    let pool = Pool::builder().build().unwrap();
    assert_eq!(pool.processes(), pool_process::default_processes());
    assert!(pool.apply(worker_pid, ()).is_ok());
}
