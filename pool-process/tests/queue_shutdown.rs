//! `shutdown(immediate)` on the process queues: Python 3.13's
//! `Queue.shutdown`, with the thread backend's semantics, seen from other
//! processes.
//!
//! CPython 3.13 (`queue.Queue`, whose semantics `thread::Queue` and these
//! follow): after `shutdown()` a `put` raises `ShutDown`; a `get` returns
//! what is left, then raises `ShutDown`; `shutdown(immediate=True)` drops
//! what is left, calls `task_done` for each dropped item (releasing
//! `join`), and gets raise at once; every blocked `put` and `get` wakes up
//! and raises.

mod support;

use std::time::{Duration, Instant};

use pool_process::{
    Connection, GetError, Immediate, JoinableQueue, Pipe, Process, PutError, Queue,
};
use support::{BOUND, Rendezvous, eventually, process_state, signal};

/// How a get ended, as text the child sends back.
fn got(result: Result<u64, GetError>) -> String {
    match result {
        Ok(n) => format!("item {n}"),
        Err(GetError::Empty) => "empty".to_owned(),
        Err(GetError::ShutDown) => "shut down".to_owned(),
        Err(GetError::Failed(e)) => format!("failed: {e}"),
    }
}

/// How a put ended.
fn put(result: Result<(), PutError<u64>>) -> String {
    match result {
        Ok(()) => "put".to_owned(),
        Err(PutError::Full(n)) => format!("full {n}"),
        Err(PutError::ShutDown(n)) => format!("shut down {n}"),
        Err(PutError::Failed(n, e)) => format!("failed {n}: {e}"),
    }
}

/// In a child: says it is about to get, then waits for an item.
fn blocked_get(q: Queue<u64>, path: String, report: Connection) {
    signal(&path);
    report.send(&got(q.get_timeout(BOUND))).unwrap();
}

/// In a child: says it is about to put into the full queue, then waits.
fn blocked_put(q: Queue<u64>, path: String, report: Connection) {
    signal(&path);
    report.send(&put(q.put_timeout(7, BOUND))).unwrap();
}

/// In a child: says it is about to join, then waits; reports whether
/// everything was done.
fn blocked_join(q: JoinableQueue<u64>, path: String, report: Connection) {
    signal(&path);
    report.send(&q.join_timeout(BOUND)).unwrap();
}

/// In a child: everything a shut-down queue answers.
fn after_shutdown(q: Queue<u64>, report: Connection) {
    let answers = vec![
        q.is_shutdown().to_string(),
        put(q.put(9)),
        got(q.get()),
        got(q.get_nowait()),
        got(q.get()),
        got(q.get_timeout(BOUND)),
    ];
    report.send(&answers).unwrap();
}

/// Starts `target`'s child, waits until it is about to block and then
/// asleep, runs `act`, and returns what the child reports and how long
/// that took.
fn wake_blocked<R: pool_process::Wire>(
    start: impl FnOnce(String, Connection) -> Process,
    act: impl FnOnce(),
) -> (R, Duration) {
    let meet = Rendezvous::new();
    let (report, child_end) = Pipe(false).unwrap();
    let child = start(meet.path(), child_end);
    child.start().unwrap();
    drop(meet.arrival());
    // Asleep in the kernel (the futex), not merely about to call.
    let pid = child.pid().unwrap();
    eventually("the child asleep", || process_state(pid) == Some('S'));
    let begun = Instant::now();
    act();
    let answer = report.recv_timeout::<R>(BOUND).unwrap();
    let took = begun.elapsed();
    assert!(child.join_timeout(BOUND).unwrap());
    assert_eq!(child.exitcode(), Some(0));
    (answer, took)
}

#[test]
fn a_get_blocked_in_another_process_wakes_with_shut_down() {
    let q: Queue<u64> = Queue::new(0).unwrap();
    let (answer, took) = wake_blocked::<String>(
        |path, report| Process::new(blocked_get, (q.clone(), path, report)),
        || q.shutdown(Immediate::No).unwrap(),
    );
    assert_eq!(answer, "shut down");
    assert!(took < BOUND / 2, "woken, not timed out: {took:?}");
}

#[test]
fn a_put_blocked_in_another_process_wakes_with_shut_down_and_its_item() {
    let q: Queue<u64> = Queue::new(1).unwrap();
    q.put(0).unwrap();
    let (answer, took) = wake_blocked::<String>(
        |path, report| Process::new(blocked_put, (q.clone(), path, report)),
        || q.shutdown(Immediate::No).unwrap(),
    );
    assert_eq!(answer, "shut down 7");
    assert!(took < BOUND / 2, "woken, not timed out: {took:?}");
    assert_eq!(q.get().unwrap(), 0, "the queued item is still there");
    assert!(q.get().unwrap_err().is_shutdown());
}

#[test]
fn immediate_releases_a_join_blocked_in_another_process() {
    let q: JoinableQueue<u64> = JoinableQueue::new(0).unwrap();
    for n in 0..3 {
        q.put(n).unwrap();
    }
    let (all_done, took) = wake_blocked::<bool>(
        |path, report| Process::new(blocked_join, (q.clone(), path, report)),
        || q.shutdown(Immediate::Yes).unwrap(),
    );
    assert!(all_done, "the dropped items count as done");
    assert!(took < BOUND / 2, "woken, not timed out: {took:?}");
    assert_eq!(q.qsize(), 0);
    assert!(matches!(q.get_nowait(), Err(GetError::ShutDown)));
    assert!(q.join_timeout(Duration::ZERO));
}

#[test]
fn another_process_sees_the_shutdown_drains_what_is_left_then_fails() {
    let q: Queue<u64> = Queue::new(0).unwrap();
    q.put(1).unwrap();
    q.put(2).unwrap();
    q.shutdown(Immediate::No).unwrap();
    let (report, child_end) = Pipe(false).unwrap();
    let child = Process::new(after_shutdown, (q.clone(), child_end));
    child.start().unwrap();
    let answers: Vec<String> = report.recv_timeout(BOUND).unwrap();
    assert!(child.join_timeout(BOUND).unwrap());
    assert_eq!(
        answers,
        [
            "true",
            "shut down 9",
            "item 1",
            "item 2",
            "shut down",
            "shut down"
        ]
    );
}

#[test]
fn immediate_drops_what_is_left_for_every_process() {
    let q: Queue<u64> = Queue::new(0).unwrap();
    q.put(1).unwrap();
    q.put(2).unwrap();
    q.shutdown(Immediate::Yes).unwrap();
    assert_eq!(q.qsize(), 0);
    let (report, child_end) = Pipe(false).unwrap();
    let child = Process::new(after_shutdown, (q.clone(), child_end));
    child.start().unwrap();
    let answers: Vec<String> = report.recv_timeout(BOUND).unwrap();
    assert!(child.join_timeout(BOUND).unwrap());
    assert_eq!(
        answers,
        [
            "true",
            "shut down 9",
            "shut down",
            "shut down",
            "shut down",
            "shut down"
        ]
    );
}

#[test]
fn shutdown_matches_the_thread_queue_in_one_process() {
    // As `thread::Queue`: the put hands its item back, a later immediate
    // shutdown still drops what is left, and a second one is harmless.
    let q: JoinableQueue<u64> = JoinableQueue::new(0).unwrap();
    assert!(!q.is_shutdown());
    for n in 0..4 {
        q.put(n).unwrap();
    }
    assert_eq!(q.get().unwrap(), 0); // taken, not yet done
    q.shutdown(Immediate::No).unwrap();
    assert!(q.is_shutdown());
    assert_eq!(q.put(5).unwrap_err().into_inner(), 5);
    assert!(q.put_nowait(5).unwrap_err().is_shutdown());
    assert!(
        q.put_timeout(5, Duration::from_millis(1))
            .unwrap_err()
            .is_shutdown()
    );
    assert_eq!(q.get().unwrap(), 1);
    q.task_done().unwrap();
    q.shutdown(Immediate::Yes).unwrap();
    assert_eq!(q.qsize(), 0);
    assert!(q.get_timeout(BOUND).unwrap_err().is_shutdown());
    // Items 2 and 3 were dropped as done; item 0 is still unfinished.
    assert!(!q.join_timeout(Duration::from_millis(1)));
    q.task_done().unwrap();
    assert!(q.join_timeout(Duration::ZERO));
    assert!(q.task_done().is_err(), "nothing more to mark done");
    q.shutdown(Immediate::Yes).unwrap();
    assert!(format!("{:?}", *q).contains("shut_down: true"));
}
