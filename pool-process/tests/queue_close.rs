//! `close()`, `join_thread()` and `cancel_join_thread()` on the process
//! queues.
//!
//! CPython 3.11 (checked with `python3`): after `q.close()`, `put` and
//! `get` raise `ValueError("Queue ... is closed")`, `qsize()` still
//! answers, a second `close()` does nothing, and a `JoinableQueue`'s
//! `task_done()` still works; `join_thread()` before `close()` raises
//! `AssertionError` ("not closed"), even after `cancel_join_thread()`.
//! A child's `close()` closes only its own copy: the parent's goes on.
//! `join_thread()` waits for the feeder thread to flush the buffered puts
//! into the pipe; poolrt has no feeder thread (a put is in shared memory
//! when it returns), so it returns at once, and `cancel_join_thread()`
//! loses nothing.

mod support;

use pool_core::ErrorKind;
use pool_process::{
    Connection, GetError, JoinableQueue, Pipe, Process, PutError, Queue, SimpleQueue,
};
use support::BOUND;

fn assert_closed(error: &pool_core::Error, operation: &str) {
    assert_eq!(error.kind(), ErrorKind::Closed, "{error:?}");
    let text = error.to_string();
    assert!(text.contains(operation), "{text}");
    assert!(text.contains("Queue::close"), "{text}");
}

#[test]
fn a_closed_queue_refuses_puts_and_gets_but_still_answers_sizes() {
    let q: Queue<u32> = Queue::new(2).unwrap();
    q.put(1).unwrap();
    let clone = q.clone();
    q.close();
    q.close(); // twice: nothing more
    for handle in [&q, &clone] {
        // Every clone in this process is the same queue object, as in Python.
        match handle.put(2) {
            Err(PutError::Failed(item, e)) => {
                assert_eq!(item, 2, "the item is handed back");
                assert_closed(&e, "put");
            }
            other => panic!("expected a closed queue, got {other:?}"),
        }
        for result in [handle.put_nowait(3), handle.put_timeout(4, BOUND)] {
            assert_eq!(
                result.unwrap_err().error().unwrap().kind(),
                ErrorKind::Closed
            );
        }
        for result in [handle.get(), handle.get_nowait(), handle.get_timeout(BOUND)] {
            match result {
                Err(GetError::Failed(e)) => assert_closed(&e, "get"),
                other => panic!("expected a closed queue, got {other:?}"),
            }
        }
    }
    assert_eq!(q.qsize(), 1);
    assert!(!q.empty());
    assert!(!q.full());
}

#[test]
fn join_thread_needs_close_first_and_then_returns_at_once() {
    let q: Queue<u32> = Queue::new(0).unwrap();
    q.put(1).unwrap();
    q.cancel_join_thread();
    let error = q.join_thread().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidState);
    assert!(error.to_string().contains("before close()"), "{error}");
    q.close();
    q.join_thread().unwrap();
    q.join_thread().unwrap();
    assert_eq!(q.qsize(), 1, "the put is in the queue");
}

#[test]
fn a_closed_joinable_queue_still_counts_tasks() {
    let q: JoinableQueue<u32> = JoinableQueue::new(0).unwrap();
    q.put(1).unwrap();
    let consumer = q.clone();
    assert_eq!(consumer.get().unwrap(), 1);
    q.close();
    q.task_done().unwrap();
    assert!(q.join_timeout(BOUND));
    assert!(q.get_nowait().unwrap_err().error().is_some());
}

#[test]
fn a_simple_queue_closes_too() {
    let q: SimpleQueue<u32> = SimpleQueue::new().unwrap();
    q.close();
    assert!(matches!(q.put(1), Err(PutError::Failed(1, _))));
    assert!(matches!(q.get(), Err(GetError::Failed(_))));
}

/// In a child: puts `n` items, closes its copy, joins the (absent) feeder
/// thread, and reports what its closed copy answers.
fn put_close_join(q: Queue<u64>, n: u64, cancel: bool, report: Connection) {
    for i in 0..n {
        q.put(i).unwrap();
    }
    if cancel {
        q.cancel_join_thread();
    }
    q.close();
    let joined = q.join_thread().is_ok();
    let refused = q.put(n).is_err();
    report.send(&(joined, refused)).unwrap();
}

#[test]
fn a_child_that_closes_and_exits_loses_nothing_and_leaves_the_parent_open() {
    for cancel in [false, true] {
        // More items than a pipe's buffer would hold: in Python they would
        // wait in the feeder thread (and be lost with cancel_join_thread).
        let n = 20_000;
        let q: Queue<u64> = Queue::new(0).unwrap();
        let (report, child_end) = Pipe(false).unwrap();
        let child = Process::new(put_close_join, (q.clone(), n, cancel, child_end));
        child.start().unwrap();
        let (joined, refused): (bool, bool) = report.recv_timeout(BOUND).unwrap();
        assert!(joined && refused, "join_thread after close, then no puts");
        assert!(child.join_timeout(BOUND).unwrap());
        assert_eq!(child.exitcode(), Some(0));
        // The child is gone; every item it put is here, in order, and the
        // parent's copy is still open.
        assert_eq!(q.qsize(), n as usize);
        for i in 0..n {
            assert_eq!(q.get_nowait().unwrap(), i);
        }
        q.put(7).unwrap();
        assert_eq!(q.get().unwrap(), 7);
    }
}

/// In a child: is its copy of a queue the parent closed still open?
fn use_inherited(q: Queue<u64>, report: Connection) {
    let outcome = q.put(5).is_ok() && q.get().ok() == Some(1);
    report.send(&outcome).unwrap();
}

#[test]
fn closing_in_the_parent_leaves_a_child_copy_open() {
    let q: Queue<u64> = Queue::new(0).unwrap();
    q.put(1).unwrap();
    let (report, child_end) = Pipe(false).unwrap();
    let child = Process::new(use_inherited, (q.clone(), child_end));
    q.close();
    child.start().unwrap();
    assert!(report.recv_timeout::<bool>(BOUND).unwrap());
    assert!(child.join_timeout(BOUND).unwrap());
    assert_eq!(q.qsize(), 1, "the child's put");
}
