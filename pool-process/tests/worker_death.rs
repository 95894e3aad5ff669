//! A worker process that dies fails only the task it held, with its pid
//! and exact exit code or signal; the pool replaces it, later tasks
//! succeed, and tasks queued or running elsewhere meanwhile are not failed.

mod support;

use std::error::Error as _;

use pool_core::{Error, ErrorKind};
use pool_process::{ExitReason, Pool, ProcessPoolExecutor, WorkerExit};
use support::{BOUND, Rendezvous, gone, held_pid, live_workers, process_state, worker_pid};

fn exit_with(code: i32) -> u32 {
    std::process::exit(code)
}

fn abort(_: ()) -> u32 {
    std::process::abort()
}

fn raise(signal: i32) -> u32 {
    // SAFETY: raising a signal has no memory-safety preconditions.
    unsafe { libc::raise(signal) };
    unreachable!("signal {signal} did not end the worker")
}

/// The worker exit a `WorkerLost` error carries.
fn worker_exit(err: &Error) -> WorkerExit {
    assert_eq!(err.kind(), ErrorKind::WorkerLost, "{err:?}");
    err.source()
        .and_then(|s| s.downcast_ref::<WorkerExit>())
        .unwrap_or_else(|| panic!("no WorkerExit in {err:?}"))
        .clone()
}

/// Runs a task that kills its worker; checks the reported exit, that the
/// dead worker was reaped, and that a new worker serves the next task.
fn dies_with(pool: &Pool, kill: impl FnOnce(&Pool) -> Error, expected: ExitReason) {
    let before = pool.apply(worker_pid, ()).unwrap();
    let err = kill(pool);
    let exit = worker_exit(&err);
    assert_eq!(exit.pid, before, "the pid of the worker that held the task");
    assert_eq!(exit.status, expected);
    let shown = err.source().unwrap().to_string();
    assert!(shown.contains(&before.to_string()), "{shown}");
    gone(before);
    let after = pool.apply(worker_pid, ()).unwrap();
    assert_ne!(after, before, "a new worker");
    assert_eq!(pool.apply(|x: u32| x + 1, 1).unwrap(), 2);
}

#[test]
fn exit_fails_the_task_with_the_exit_code() {
    let pool = Pool::new(1).unwrap();
    dies_with(
        &pool,
        |p| p.apply(exit_with, 3).unwrap_err(),
        ExitReason::Code(3),
    );
    dies_with(
        &pool,
        |p| p.apply(exit_with, 0).unwrap_err(),
        ExitReason::Code(0),
    );
}

#[test]
fn abort_fails_the_task_with_sigabrt() {
    let pool = Pool::new(1).unwrap();
    dies_with(
        &pool,
        |p| p.apply(abort, ()).unwrap_err(),
        ExitReason::Signal(6),
    );
    let err = pool.apply(abort, ()).unwrap_err();
    assert!(
        err.source().unwrap().to_string().contains("SIGABRT"),
        "{err:?}"
    );
}

#[test]
fn sigkill_fails_the_task_with_signal_9() {
    let pool = Pool::new(1).unwrap();
    dies_with(
        &pool,
        |p| p.apply(raise, libc::SIGKILL).unwrap_err(),
        ExitReason::Signal(9),
    );
    dies_with(
        &pool,
        |p| p.apply(raise, libc::SIGSEGV).unwrap_err(),
        ExitReason::Signal(11),
    );
}

#[test]
fn a_death_in_a_map_chunk_fails_the_map_and_names_the_items() {
    let pool = Pool::new(2).unwrap();
    let err = pool
        .map_chunked(
            |x: u32| if x == 5 { std::process::exit(7) } else { x },
            0..12,
            4,
        )
        .unwrap_err();
    assert_eq!(worker_exit(&err).status, ExitReason::Code(7));
    assert!(err.to_string().contains("items 4..8"), "{err}");
    let results: Vec<_> = pool
        .imap_chunked(
            |x: u32| if x == 5 { std::process::exit(7) } else { x },
            0..12,
            4,
        )
        .collect();
    for (i, r) in (0..).zip(&results) {
        match i {
            4..8 => assert_eq!(
                worker_exit(r.as_ref().unwrap_err()).status,
                ExitReason::Code(7)
            ),
            _ => assert_eq!(*r.as_ref().unwrap(), i),
        }
    }
}

#[test]
fn queued_tasks_are_not_failed_by_a_death() {
    let pool = Pool::new(1).unwrap();
    let rendezvous = Rendezvous::new();
    let before = pool.apply(worker_pid, ()).unwrap();
    let blocker = pool.apply_async(held_pid, rendezvous.path()).unwrap();
    let held = rendezvous.arrival();
    let dying = pool.apply_async(exit_with, 3).unwrap();
    let queued: Vec<_> = (0..5)
        .map(|i| pool.apply_async(|x: u32| x * 2, i).unwrap())
        .collect();
    held.release();
    assert_eq!(blocker.get_timeout(BOUND).unwrap(), before);
    let exit = worker_exit(&dying.get_timeout(BOUND).unwrap_err());
    assert_eq!((exit.pid, exit.status), (before, ExitReason::Code(3)));
    for (i, r) in (0..).zip(&queued) {
        assert_eq!(r.get_timeout(BOUND).unwrap(), i * 2);
    }
}

#[test]
fn a_task_running_on_another_worker_is_not_failed_by_a_death() {
    let pool = Pool::new(2).unwrap();
    let rendezvous = Rendezvous::new();
    let survivor = pool.apply_async(held_pid, rendezvous.path()).unwrap();
    let held = rendezvous.arrival();
    let err = pool.apply(raise, libc::SIGKILL).unwrap_err();
    let dead = worker_exit(&err);
    assert_eq!(dead.status, ExitReason::Signal(9));
    held.release();
    let survivor_pid = survivor.get_timeout(BOUND).unwrap();
    assert_ne!(survivor_pid, dead.pid);
    assert_eq!(pool.map(|x: u32| x + 1, 0..10).unwrap().len(), 10);
}

#[test]
fn repeated_deaths_are_replaced_each_time() {
    let pool = Pool::new(2).unwrap();
    let mut dead = Vec::new();
    for code in 1..=6 {
        let exit = worker_exit(&pool.apply(exit_with, code).unwrap_err());
        assert_eq!(exit.status, ExitReason::Code(code));
        dead.push(exit.pid);
    }
    assert_eq!(pool.map(|x: u32| x * x, 0..20).unwrap()[19], 361);
    for pid in dead {
        gone(pid);
    }
}

#[test]
fn an_executor_future_reports_the_death() {
    let executor = ProcessPoolExecutor::new(1).unwrap();
    let before = executor.submit(worker_pid, ()).unwrap().result().unwrap();
    let future = executor.submit(exit_with, 42).unwrap();
    let exit = worker_exit(&future.result_timeout(BOUND).unwrap_err());
    assert_eq!(
        exit,
        WorkerExit {
            pid: before,
            status: ExitReason::Code(42)
        }
    );
    assert!(executor.submit(worker_pid, ()).unwrap().result().is_ok());
}

/// A worker killed from outside while it held no task must not fail the
/// next task: it held nothing.
#[test]
fn a_worker_killed_while_idle_fails_no_task() {
    let pool = Pool::new(1).unwrap();
    let victim = live_workers(1, || pool.pids())[0];
    assert_eq!(pool.apply(worker_pid, ()).unwrap(), victim);
    // SAFETY: sending a signal has no memory-safety preconditions.
    assert_eq!(unsafe { libc::kill(victim as i32, libc::SIGKILL) }, 0);
    support::eventually("the idle worker to die", || {
        matches!(process_state(victim), None | Some('Z'))
    });
    let next = pool
        .apply(worker_pid, ())
        .expect("the next task runs on a new worker");
    assert_ne!(next, victim);
    gone(victim);
}
