//! The executor's `submit(..).result()` on the direct lane: the future's
//! first untimed wait runs a task that has not started on an idle worker
//! from the waiting thread. The task still runs exactly once, whether or
//! not anyone waits; cancelling, shutting down, a worker's death and done
//! callbacks behave as on the link path.

mod support;

use std::error::Error as _;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use pool_core::{CancelFutures, ErrorKind, Wait};
use pool_process::{ExitReason, ProcessPoolExecutor, WorkerExit};
use support::{BOUND, Rendezvous, Tally, gone, held_pid, tally, worker_pid};

/// Deserializing it panics, in the parent (on the waiter's thread when
/// the lane ran the task).
#[derive(Debug, serde::Serialize)]
struct PanicsWhenDeserialized(u32);

impl<'de> serde::Deserialize<'de> for PanicsWhenDeserialized {
    fn deserialize<D: serde::Deserializer<'de>>(_: D) -> Result<Self, D::Error> {
        panic!("deserializing panicked")
    }
}

fn double(x: u64) -> u64 {
    x * 2
}

/// A task: adds `byte` to the tally at `path`.
fn mark((path, byte): (String, u8)) -> u8 {
    tally(&path, byte);
    byte
}

#[test]
fn submit_then_result_from_many_threads_while_a_map_runs() {
    let executor = ProcessPoolExecutor::new(2).unwrap();
    std::thread::scope(|s| {
        let mapper = s.spawn(|| {
            executor
                .map_chunked(double, 0..5_000u64, 50)
                .map(Result::unwrap)
                .sum::<u64>()
        });
        for t in 0..6u64 {
            let executor = &executor;
            s.spawn(move || {
                for i in 0..200 {
                    let x = t * 1000 + i;
                    let future = executor.submit(double, x).unwrap();
                    assert_eq!(future.result().unwrap(), 2 * x);
                    assert!(future.done());
                    assert_eq!(future.result().unwrap_err().kind(), ErrorKind::Retrieved);
                }
            });
        }
        assert_eq!(mapper.join().unwrap(), (0..5_000u64).map(double).sum());
    });
}

#[test]
fn every_submitted_task_runs_once_whether_or_not_anyone_waits() {
    let executor = ProcessPoolExecutor::new(2).unwrap();
    let marks = Tally::new();
    let mut waited = Vec::new();
    for i in 0..40u8 {
        let future = executor.submit(mark, (marks.path(), i)).unwrap();
        if i % 2 == 0 {
            waited.push((i, future));
        } else {
            drop(future);
        }
    }
    for (i, future) in waited {
        assert_eq!(future.result().unwrap(), i);
    }
    executor.shutdown();
    let m = executor.metrics();
    assert_eq!(
        (m.completed, m.failed, m.queued),
        (40, 0, 0),
        "each task counted once"
    );
    assert_eq!(
        m.scheduler.completed, 40,
        "a task its waiter ran leaves a no-op job"
    );
    let mut bytes = marks.bytes();
    bytes.sort_unstable();
    assert_eq!(
        bytes,
        (0..40u8).collect::<Vec<_>>(),
        "each task ran exactly once"
    );
}

#[test]
fn a_worker_killed_while_the_waiter_runs_its_task_fails_it_with_pid_and_signal() {
    let executor = Arc::new(ProcessPoolExecutor::new(1).unwrap());
    let pid = executor.submit(worker_pid, ()).unwrap().result().unwrap();
    let meet = Rendezvous::new();
    let future = executor.submit(held_pid, meet.path()).unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(future.result());
    });
    let _held = meet.arrival();
    // SAFETY: kill has no memory-safety preconditions.
    assert_eq!(unsafe { libc::kill(pid as i32, libc::SIGKILL) }, 0);
    let err = rx
        .recv_timeout(BOUND)
        .expect("result returned")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WorkerLost, "{err:?}");
    let exit = err
        .source()
        .and_then(|s| s.downcast_ref::<WorkerExit>())
        .unwrap_or_else(|| panic!("no WorkerExit in {err:?}"))
        .clone();
    assert_eq!((exit.pid, exit.status), (pid, ExitReason::Signal(9)));
    gone(pid);
    let after = executor.submit(worker_pid, ()).unwrap().result().unwrap();
    assert_ne!(after, pid);
}

#[test]
fn a_cancelled_task_never_runs_and_shutdown_cancels_queued_ones() {
    let executor = ProcessPoolExecutor::new(1).unwrap();
    // Start the worker, then keep it busy.
    executor.submit(worker_pid, ()).unwrap().result().unwrap();
    let meet = Rendezvous::new();
    let busy = executor.submit(held_pid, meet.path()).unwrap();
    let held = meet.arrival();
    let marks = Tally::new();
    let cancelled = executor.submit(mark, (marks.path(), b'c')).unwrap();
    assert!(cancelled.cancel());
    assert!(cancelled.cancelled());
    assert!(cancelled.result().unwrap_err().is_cancelled());
    let queued = executor.submit(mark, (marks.path(), b'q')).unwrap();
    let (tx, rx) = mpsc::channel();
    queued.add_done_callback(move |outcome| {
        let _ = tx.send(outcome.copied().map_err(|e| e.kind()));
    });
    let n = executor.shutdown_with(Wait::No, CancelFutures::Yes);
    assert_eq!(n, 1, "the queued task");
    assert!(queued.cancelled());
    assert_eq!(
        rx.recv_timeout(BOUND).expect("the callback ran"),
        Err(ErrorKind::Cancelled)
    );
    held.release();
    assert!(busy.result().is_ok());
    executor.shutdown();
    assert!(marks.bytes().is_empty(), "{:?}", marks.bytes());
    assert!(rx.try_recv().is_err(), "the callback ran once");
}

#[test]
fn timed_waits_and_callbacks_see_the_outcome_once() {
    let executor = ProcessPoolExecutor::new(2).unwrap();
    let (tx, rx) = mpsc::channel();
    let mut futures = Vec::new();
    for x in 0..20u64 {
        let future = executor.submit(double, x).unwrap();
        let tx = tx.clone();
        future.add_done_callback(move |outcome| {
            let _ = tx.send(*outcome.unwrap());
        });
        futures.push(future);
    }
    drop(tx);
    for (x, future) in futures.iter().enumerate() {
        let value = if x % 2 == 0 {
            future.result_timeout(BOUND).unwrap()
        } else {
            future.result().unwrap()
        };
        assert_eq!(value, 2 * x as u64);
    }
    let mut seen: Vec<u64> = rx.iter().take(20).collect();
    seen.sort_unstable();
    assert_eq!(seen, (0..20u64).map(double).collect::<Vec<_>>());
    let panicked = executor.submit(|x: u64| 10 / x, 0).unwrap();
    assert!(panicked.result().unwrap_err().is_panic());
    let meet = Rendezvous::new();
    let slow = executor.submit(held_pid, meet.path()).unwrap();
    let held = meet.arrival();
    let err = slow.result_timeout(Duration::from_millis(10)).unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    held.release();
    assert!(slow.result().is_ok());
}

#[test]
fn a_result_whose_deserialize_panics_fails_that_task_only() {
    let executor = ProcessPoolExecutor::new(1).unwrap();
    let before = executor.submit(worker_pid, ()).unwrap().result().unwrap();
    let err = executor
        .submit(|n: u32| PanicsWhenDeserialized(n), 1)
        .unwrap()
        .result()
        .unwrap_err();
    assert_eq!(
        err.panic().unwrap_or_else(|| panic!("{err:?}")).message(),
        "deserializing panicked"
    );
    let after = executor.submit(worker_pid, ()).unwrap().result().unwrap();
    assert_eq!(after, before, "same worker");
    assert_eq!(executor.submit(double, 4).unwrap().result().unwrap(), 8);
}
