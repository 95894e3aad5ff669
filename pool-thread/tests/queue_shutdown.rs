//! `shutdown(immediate)` with Python 3.13's semantics.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};

use pool_thread::{Immediate, LifoQueue, PriorityQueue, PutError, Queue};
use support::{SHORT, finishes, until};

#[test]
fn puts_fail_after_shutdown_and_hand_the_item_back() {
    let q = Queue::new(0).unwrap();
    q.shutdown(Immediate::No);
    assert!(q.is_shutdown());
    assert_eq!(q.put("a").unwrap_err().into_inner(), "a");
    assert!(matches!(q.put_nowait("b"), Err(PutError::ShutDown("b"))));
    let err = q.put_timeout("c", SHORT).unwrap_err();
    assert!(err.is_shutdown() && !err.is_full());
    assert_eq!(err.to_string(), "queue is shut down");
    assert_eq!(q.qsize(), 0);
}

#[test]
fn gets_drain_the_queue_then_fail() {
    let q = Queue::new(0).unwrap();
    q.put(1).unwrap();
    q.put(2).unwrap();
    q.shutdown(Immediate::No);
    assert_eq!(q.get().unwrap(), 1);
    assert_eq!(q.get_nowait().unwrap(), 2);
    assert!(q.get().is_err());
    assert!(q.get_nowait().unwrap_err().is_shutdown());
    assert!(q.get_timeout(SHORT).unwrap_err().is_shutdown());
}

#[test]
fn immediate_shutdown_discards_the_items_and_releases_join() {
    let q = Arc::new(Queue::new(0).unwrap());
    for i in 0..3 {
        q.put(i).unwrap();
    }
    let joiner = {
        let q = q.clone();
        std::thread::spawn(move || q.join())
    };
    assert!(!q.join_timeout(SHORT));
    q.shutdown(Immediate::Yes);
    finishes("the joiner", move || joiner.join().unwrap());
    assert!(q.empty());
    assert!(q.get_nowait().unwrap_err().is_shutdown());
    assert!(
        q.task_done().is_err(),
        "the discarded items were counted as done"
    );
}

#[test]
fn immediate_shutdown_does_not_mark_taken_items_done() {
    let q = Queue::new(0).unwrap();
    q.put(1).unwrap();
    q.put(2).unwrap();
    q.get().unwrap(); // taken, not yet done
    q.shutdown(Immediate::Yes);
    assert!(!q.join_timeout(SHORT), "the taken item is still unfinished");
    q.task_done().unwrap();
    assert!(q.join_timeout(SHORT));
}

#[test]
fn a_drain_shutdown_does_not_release_join_while_items_remain() {
    let q = Queue::new(0).unwrap();
    q.put(1).unwrap();
    q.shutdown(Immediate::No);
    assert!(!q.join_timeout(SHORT));
    q.get().unwrap();
    q.task_done().unwrap();
    assert!(q.join_timeout(SHORT));
}

#[test]
fn a_blocked_getter_is_woken_with_shutdown() {
    let q: Arc<Queue<u8>> = Arc::new(Queue::new(0).unwrap());
    let waiting = Arc::new(AtomicBool::new(false));
    let getter = {
        let (q, waiting) = (q.clone(), waiting.clone());
        std::thread::spawn(move || {
            waiting.store(true, SeqCst);
            q.get()
        })
    };
    until("the getter started", || waiting.load(SeqCst));
    q.shutdown(Immediate::No);
    let result = finishes("the getter", move || getter.join().unwrap());
    assert!(result.is_err());
}

#[test]
fn a_blocked_putter_is_woken_with_shutdown_and_gets_its_item_back() {
    let q = Arc::new(Queue::new(1).unwrap());
    q.put("first").unwrap();
    let putter = {
        let q = q.clone();
        std::thread::spawn(move || q.put("second"))
    };
    q.shutdown(Immediate::No);
    let err = finishes("the putter", move || putter.join().unwrap()).unwrap_err();
    assert_eq!(err.into_inner(), "second");
    assert_eq!(q.get().unwrap(), "first");
}

#[test]
fn lifo_and_priority_queues_shut_down_the_same_way() {
    let lifo = LifoQueue::new(0).unwrap();
    lifo.put(1).unwrap();
    lifo.put(2).unwrap();
    lifo.shutdown(Immediate::No);
    assert!(lifo.put(3).is_err());
    assert_eq!(lifo.get().unwrap(), 2);
    assert_eq!(lifo.get().unwrap(), 1);
    assert!(lifo.get().is_err());

    let prio = PriorityQueue::new(0).unwrap();
    prio.put(5).unwrap();
    prio.shutdown(Immediate::Yes);
    assert!(prio.is_shutdown());
    assert!(prio.get_nowait().unwrap_err().is_shutdown());
    assert!(prio.join_timeout(SHORT));
}
