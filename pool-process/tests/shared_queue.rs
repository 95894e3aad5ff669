//! `Queue` and `JoinableQueue` across processes: completeness and order
//! with several producers, a bounded queue blocking a producer until the
//! consumer takes, every timeout and error path, and the rule that a queue
//! reaches a child only as an argument of its `Process`.

mod support;

use std::time::Duration;

use pool_core::ErrorKind;
use pool_process::{Daemon, GetError, JoinableQueue, Pool, Process, PutError, Queue};
use serde::{Serialize, Serializer};
use support::BOUND;

fn produce(q: Queue<(u32, u32)>, producer: u32, count: u32) {
    for i in 0..count {
        q.put((producer, i)).unwrap();
    }
}

#[test]
fn items_from_several_producer_processes_all_arrive_in_order_per_producer() {
    let q = Queue::new(0).unwrap();
    let producers: Vec<Process> = (0..3)
        .map(|p| Process::new(produce, (q.clone(), p, 2_000)))
        .collect();
    for p in &producers {
        p.start().unwrap();
    }
    let mut next = [0u32; 3];
    for _ in 0..6_000 {
        let (producer, i) = q.get_timeout(BOUND).unwrap();
        assert_eq!(i, next[producer as usize], "FIFO per producer");
        next[producer as usize] += 1;
    }
    assert_eq!(next, [2_000; 3]);
    for p in &producers {
        p.join().unwrap();
    }
    assert!(q.empty());
    assert!(q.get_nowait().unwrap_err().is_empty());
}

fn consume_n(q: Queue<String>, results: Queue<usize>, n: usize) {
    let mut total = 0;
    for _ in 0..n {
        total += q.get().unwrap().len();
    }
    results.put(total).unwrap();
}

#[test]
fn a_bounded_queue_makes_the_producer_wait_for_a_consumer_process() {
    let q = Queue::new(2).unwrap();
    let results = Queue::new(0).unwrap();
    q.put("ab".to_owned()).unwrap();
    q.put("cde".to_owned()).unwrap();
    assert!(q.full());
    let refused = q.put_nowait("x".to_owned()).unwrap_err();
    assert!(refused.is_full());
    assert_eq!(refused.into_inner(), "x", "the item is handed back");
    let timed_out = q
        .put_timeout("y".to_owned(), Duration::from_millis(20))
        .unwrap_err();
    assert!(matches!(timed_out, PutError::Full(ref y) if y == "y"));
    // A consumer process takes 5 items: the parent's blocking puts of the
    // other 3 go through only as it makes room.
    let consumer = Process::new(consume_n, (q.clone(), results.clone(), 5));
    consumer.start().unwrap();
    for s in ["f", "gh", "ijkl"] {
        q.put(s.to_owned()).unwrap();
    }
    assert_eq!(results.get_timeout(BOUND).unwrap(), 2 + 3 + 1 + 2 + 4);
    consumer.join().unwrap();
    assert!(q.empty());
}

#[test]
fn get_timeout_waits_then_reports_empty() {
    let q: Queue<u8> = Queue::new(0).unwrap();
    let error = q.get_timeout(Duration::from_millis(20)).unwrap_err();
    assert!(matches!(error, GetError::Empty));
    assert_eq!(error.to_string(), "queue is empty");
    assert_eq!(q.qsize(), 0);
}

struct Unserializable;

impl Serialize for Unserializable {
    fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom("stays home"))
    }
}

impl<'de> serde::Deserialize<'de> for Unserializable {
    fn deserialize<D: serde::Deserializer<'de>>(_: D) -> Result<Self, D::Error> {
        Ok(Unserializable)
    }
}

#[test]
fn unserializable_items_are_refused_and_handed_back() {
    let q = Queue::new(0).unwrap();
    let error = q.put(Unserializable).unwrap_err();
    let PutError::Failed(_, cause) = error else {
        panic!("expected Failed");
    };
    assert_eq!(cause.kind(), ErrorKind::Serialize);

    let small = Queue::with_capacity(0, 64).unwrap();
    // An item larger than the buffer travels apart (`queue_large_items`).
    let big = vec![7u8; 100];
    small.put(big.clone()).unwrap();
    assert_eq!(small.get().unwrap(), big);
    assert!(small.empty());
    // Items that fit wrap around the ring many times.
    for round in 0..100u8 {
        small.put(vec![round; 20]).unwrap();
        small.put(vec![round; 21]).unwrap();
        assert_eq!(small.get().unwrap(), vec![round; 20]);
        assert_eq!(small.get().unwrap(), vec![round; 21]);
    }
    assert_eq!(
        Queue::<u8>::with_capacity(0, 2).unwrap_err().kind(),
        ErrorKind::InvalidConfig
    );
}

fn queue_len(q: Queue<u8>) -> usize {
    q.qsize()
}

#[test]
fn a_queue_cannot_travel_through_a_pool() {
    let q: Queue<u8> = Queue::new(0).unwrap();
    let pool = Pool::new(1).unwrap();
    let error = pool.apply(queue_len, q).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Serialize);
    let text = format!("{error} {:?}", std::error::Error::source(&error));
    assert!(text.contains("only be passed"), "{text}");
}

fn work_through(q: JoinableQueue<u32>, done: Queue<u32>) {
    loop {
        let n = q.get().unwrap();
        done.put(n * 10).unwrap();
        q.task_done().unwrap();
    }
}

#[test]
fn joinable_queue_join_waits_for_task_done_in_consumer_processes() {
    let q = JoinableQueue::new(0).unwrap();
    let done = Queue::new(0).unwrap();
    assert!(q.join_timeout(Duration::ZERO), "nothing put yet");
    for n in 0..20 {
        q.put(n).unwrap();
    }
    assert!(
        !q.join_timeout(Duration::from_millis(10)),
        "nothing done yet"
    );
    let consumers: Vec<Process> = (0..2)
        .map(|_| {
            Process::builder()
                .daemon(Daemon::Yes)
                .target(work_through, (q.clone(), done.clone()))
        })
        .collect();
    for c in &consumers {
        c.start().unwrap();
    }
    assert!(q.join_timeout(BOUND), "every item was marked done");
    let mut seen: Vec<u32> = (0..20).map(|_| done.get_nowait().unwrap()).collect();
    seen.sort_unstable();
    assert_eq!(seen, (0..20).map(|n| n * 10).collect::<Vec<_>>());
    for c in &consumers {
        c.terminate().unwrap();
        assert!(c.join().is_err());
    }
}

#[test]
fn task_done_more_often_than_puts_is_an_error() {
    let q = JoinableQueue::new(0).unwrap();
    q.put(1u8).unwrap();
    assert_eq!(q.get().unwrap(), 1);
    q.task_done().unwrap();
    let error = q.task_done().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidState);
    assert!(error.to_string().contains("task_done"), "{error}");
}

fn join_then_report(q: JoinableQueue<u8>, done: Queue<u32>) {
    q.join();
    done.put(std::process::id()).unwrap();
}

#[test]
fn every_process_blocked_in_join_wakes_when_the_last_task_is_done() {
    let q = JoinableQueue::new(0).unwrap();
    let done = Queue::new(0).unwrap();
    q.put(1u8).unwrap();
    let joiners: Vec<Process> = (0..3)
        .map(|_| Process::new(join_then_report, (q.clone(), done.clone())))
        .collect();
    for j in &joiners {
        j.start().unwrap();
    }
    assert_eq!(q.get().unwrap(), 1);
    q.task_done().unwrap();
    for j in &joiners {
        assert!(j.join_timeout(BOUND).unwrap(), "{j:?} woke");
    }
    assert_eq!(done.qsize(), 3);
}

fn put_then_report(q: Queue<u8>, done: Queue<u32>) {
    q.put(9).unwrap();
    done.put(std::process::id()).unwrap();
}

#[test]
fn every_producer_blocked_on_a_full_queue_gets_room_in_turn() {
    let q = Queue::new(1).unwrap();
    let done = Queue::new(0).unwrap();
    q.put(0u8).unwrap();
    let producers: Vec<Process> = (0..3)
        .map(|_| Process::new(put_then_report, (q.clone(), done.clone())))
        .collect();
    for p in &producers {
        p.start().unwrap();
    }
    for _ in 0..4 {
        q.get_timeout(BOUND).unwrap();
    }
    for p in &producers {
        assert!(p.join_timeout(BOUND).unwrap(), "{p:?} got room");
    }
    assert_eq!(done.qsize(), 3);
}
