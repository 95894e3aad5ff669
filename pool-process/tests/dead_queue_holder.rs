//! A process SIGKILLed inside a `Queue` or `JoinableQueue` operation
//! (holding the queue's internal lock): nobody hangs; the queue reports
//! itself broken, naming the dead thread, on every later operation,
//! including a `get` that was already waiting.

mod support;

use std::time::{Duration, Instant};

use pool_core::ErrorKind;
use pool_process::{GetError, JoinableQueue, Process, PutError, Queue};
use support::{BOUND, Rendezvous, report_and_hold};

/// This thread's kernel id.
fn thread_id() -> u64 {
    let link = std::fs::read_link("/proc/thread-self").unwrap();
    link.file_name().unwrap().to_str().unwrap().parse().unwrap()
}

/// Stands for a `put` or `get` caught half-way: holds the internal lock.
fn die_inside(q: Queue<u64>, path: String) {
    q.fault_hold_internal_lock();
    report_and_hold(&path, thread_id());
}

fn die_inside_joinable(q: JoinableQueue<u64>, path: String) {
    q.fault_hold_internal_lock();
    report_and_hold(&path, thread_id());
}

/// Starts `p`, returns the tid it reported once inside; then kills it.
fn kill_inside(p: &Process, rendezvous: &Rendezvous) -> u64 {
    p.start().unwrap();
    // Held until the kill: dropping it would let the child go on.
    let mut held = rendezvous.arrival();
    let tid = held.read_u64();
    p.kill().unwrap();
    drop(held);
    assert!(p.join().is_err());
    assert_eq!(p.exitcode(), Some(-9));
    tid
}

fn assert_broken_by(error: &pool_core::Error, tid: u64) {
    assert_eq!(error.kind(), ErrorKind::Broken, "{error}");
    let text = format!("{error:?} {error}");
    assert!(text.contains(&format!("thread {tid} died")), "{text}");
}

#[test]
fn a_holder_killed_inside_a_put_or_get_breaks_the_queue_for_everyone() {
    let q: Queue<u64> = Queue::new(0).unwrap();
    q.put(1).unwrap();
    let rendezvous = Rendezvous::new();
    let p = Process::new(die_inside, (q.clone(), rendezvous.path()));
    let tid = kill_inside(&p, &rendezvous);

    let start = Instant::now();
    match q.get_timeout(BOUND) {
        Err(GetError::Failed(e)) => assert_broken_by(&e, tid),
        other => panic!("expected a broken queue, got {other:?}"),
    }
    assert!(start.elapsed() < BOUND);
    // Broken for good, with the same cause.
    match q.put(2) {
        Err(PutError::Failed(item, e)) => {
            assert_eq!(item, 2, "the item is handed back");
            assert_broken_by(&e, tid);
        }
        other => panic!("expected a broken queue, got {other:?}"),
    }
    match q.get_nowait() {
        Err(GetError::Failed(e)) => assert_broken_by(&e, tid),
        other => panic!("expected a broken queue, got {other:?}"),
    }
}

#[test]
fn a_get_already_waiting_when_the_holder_dies_fails_instead_of_hanging() {
    let q: Queue<u64> = Queue::new(0).unwrap();
    let rendezvous = Rendezvous::new();
    let p = Process::new(die_inside, (q.clone(), rendezvous.path()));
    p.start().unwrap();
    // Held until the kill: dropping it would let the child go on.
    let mut held = rendezvous.arrival();
    let tid = held.read_u64();
    std::thread::scope(|s| {
        // Blocks on the internal lock the child holds.
        let waiter = s.spawn(|| q.get());
        p.kill().unwrap();
        assert!(p.join().is_err());
        match waiter.join().unwrap() {
            Err(GetError::Failed(e)) => assert_broken_by(&e, tid),
            other => panic!("expected a broken queue, got {other:?}"),
        }
    });
}

#[test]
fn a_joinable_queue_whose_holder_died_fails_task_done_and_join_returns() {
    let q: JoinableQueue<u64> = JoinableQueue::new(0).unwrap();
    q.put(7).unwrap();
    let rendezvous = Rendezvous::new();
    let p = Process::new(die_inside_joinable, (q.clone(), rendezvous.path()));
    let tid = kill_inside(&p, &rendezvous);

    let error = q.task_done().unwrap_err();
    assert_broken_by(&error, tid);
    let start = Instant::now();
    assert!(!q.join_timeout(BOUND), "not done: broken");
    assert!(start.elapsed() < BOUND);
    q.join(); // returns at once
    assert!(start.elapsed() < BOUND);
    assert!(matches!(
        q.get_timeout(Duration::ZERO),
        Err(GetError::Failed(_))
    ));
}
