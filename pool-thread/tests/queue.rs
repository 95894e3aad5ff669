//! The queue family: order, bounds, the three blocking shapes, task
//! accounting, errors.

mod support;

use std::cmp::Reverse;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::time::Instant;

use pool_thread::{GetError, LifoQueue, PriorityQueue, PutError, Queue, SimpleQueue};
use support::{SHORT, finishes, until};

fn drain<T>(mut get: impl FnMut() -> Result<T, GetError>) -> Vec<T> {
    std::iter::from_fn(|| get().ok()).collect()
}

#[test]
fn queue_is_first_in_first_out() {
    let q = Queue::new(0).unwrap();
    for i in 0..5 {
        q.put(i).unwrap();
    }
    assert_eq!(drain(|| q.get_nowait()), [0, 1, 2, 3, 4]);
}

#[test]
fn lifo_queue_is_last_in_first_out() {
    let q = LifoQueue::new(0).unwrap();
    for i in 0..5 {
        q.put(i).unwrap();
    }
    assert_eq!(drain(|| q.get_nowait()), [4, 3, 2, 1, 0]);
}

#[test]
fn priority_queue_is_smallest_first_and_fifo_among_equals() {
    let q = PriorityQueue::new(0).unwrap();
    for item in [(2, "c"), (1, "b"), (3, "d"), (1, "a")] {
        q.put(item).unwrap();
    }
    assert_eq!(
        drain(|| q.get_nowait()),
        [(1, "a"), (1, "b"), (2, "c"), (3, "d")]
    );

    #[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
    struct Job(u8);
    let q = PriorityQueue::new(0).unwrap();
    q.put(Reverse(Job(1))).unwrap();
    q.put(Reverse(Job(9))).unwrap();
    assert_eq!(
        q.get().unwrap(),
        Reverse(Job(9)),
        "Reverse gives largest first"
    );
}

#[test]
fn a_full_queue_hands_the_item_back() {
    let q = Queue::new(2).unwrap();
    q.put("a").unwrap();
    q.put("b").unwrap();
    assert!(q.full());
    match q.put_nowait("c") {
        Err(PutError::Full(item)) => assert_eq!(item, "c"),
        other => panic!("expected Full, got {other:?}"),
    }
    let start = Instant::now();
    let err = q.put_timeout("d", SHORT).unwrap_err();
    assert!(start.elapsed() >= SHORT);
    assert!(err.is_full() && !err.is_shutdown());
    assert_eq!(err.to_string(), "queue is full");
    assert_eq!(err.into_inner(), "d");
    assert_eq!(q.qsize(), 2);
}

#[test]
fn an_empty_queue_is_an_error_value_without_blocking_or_after_the_timeout() {
    let q: Queue<u8> = Queue::new(0).unwrap();
    assert!(q.get_nowait().unwrap_err().is_empty());
    let start = Instant::now();
    let err = q.get_timeout(SHORT).unwrap_err();
    assert!(start.elapsed() >= SHORT);
    assert!(err.is_empty());
    assert_eq!(err.to_string(), "queue is empty");
    let lifo: LifoQueue<u8> = LifoQueue::new(0).unwrap();
    assert!(lifo.get_timeout(SHORT).unwrap_err().is_empty());
    let prio: PriorityQueue<u8> = PriorityQueue::new(0).unwrap();
    assert!(prio.get_timeout(SHORT).unwrap_err().is_empty());
}

#[test]
fn a_blocked_put_proceeds_once_a_get_makes_room() {
    let q = Arc::new(Queue::new(1).unwrap());
    q.put(1).unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let putter = {
        let (q, done) = (q.clone(), done.clone());
        std::thread::spawn(move || {
            q.put(2).unwrap();
            done.store(true, SeqCst);
        })
    };
    assert_eq!(q.get().unwrap(), 1);
    until("the blocked put went through", || done.load(SeqCst));
    putter.join().unwrap();
    assert_eq!(q.get().unwrap(), 2);
}

#[test]
fn a_blocked_get_proceeds_once_a_put_arrives() {
    let q = Arc::new(Queue::new(0).unwrap());
    let getter = {
        let q = q.clone();
        std::thread::spawn(move || q.get().unwrap())
    };
    q.put("food").unwrap();
    assert_eq!(
        finishes("the getter", move || getter.join().unwrap()),
        "food"
    );
}

#[test]
fn maxsize_zero_is_unbounded() {
    let q = Queue::new(0).unwrap();
    for i in 0..10_000 {
        q.put_nowait(i).unwrap();
    }
    assert!(!q.full());
    assert_eq!(q.qsize(), 10_000);
}

#[test]
fn qsize_empty_and_full_track_the_contents() {
    let q = Queue::new(2).unwrap();
    assert!(q.empty() && !q.full() && q.qsize() == 0);
    q.put(()).unwrap();
    assert!(!q.empty() && !q.full() && q.qsize() == 1);
    q.put(()).unwrap();
    assert!(q.full() && q.qsize() == 2);
}

#[test]
fn join_waits_until_every_item_is_marked_done() {
    let q = Arc::new(Queue::new(0).unwrap());
    for i in 0..3 {
        q.put(i).unwrap();
    }
    let joined = Arc::new(AtomicBool::new(false));
    let joiner = {
        let (q, joined) = (q.clone(), joined.clone());
        std::thread::spawn(move || {
            q.join();
            joined.store(true, SeqCst);
        })
    };
    for _ in 0..3 {
        q.get().unwrap();
    }
    q.task_done().unwrap();
    q.task_done().unwrap();
    assert!(!q.join_timeout(SHORT), "one task is still unfinished");
    assert!(!joined.load(SeqCst));
    q.task_done().unwrap();
    until("join returned", || joined.load(SeqCst));
    joiner.join().unwrap();
    assert!(q.join_timeout(SHORT));
}

#[test]
fn task_done_more_times_than_items_is_an_error() {
    let q = Queue::new(0).unwrap();
    q.put(1).unwrap();
    q.get().unwrap();
    q.task_done().unwrap();
    let err = q.task_done().unwrap_err();
    assert_eq!(err.to_string(), "task_done() called too many times");
    let lifo: LifoQueue<u8> = LifoQueue::new(0).unwrap();
    assert!(lifo.task_done().is_err());
    let prio: PriorityQueue<u8> = PriorityQueue::new(0).unwrap();
    assert!(prio.task_done().is_err());
}

#[test]
fn four_producers_and_four_consumers_pass_every_item_exactly_once() {
    const PER_PRODUCER: usize = 5_000;
    let q = Arc::new(Queue::new(16).unwrap());
    let sum = Arc::new(AtomicUsize::new(0));
    let count = Arc::new(AtomicUsize::new(0));
    let producers: Vec<_> = (0..4)
        .map(|p| {
            let q = q.clone();
            std::thread::spawn(move || {
                for i in 0..PER_PRODUCER {
                    q.put(p * PER_PRODUCER + i).unwrap();
                }
            })
        })
        .collect();
    let consumers: Vec<_> = (0..4)
        .map(|_| {
            let (q, sum, count) = (q.clone(), sum.clone(), count.clone());
            std::thread::spawn(move || {
                while let Ok(item) = q.get() {
                    sum.fetch_add(item, SeqCst);
                    count.fetch_add(1, SeqCst);
                    q.task_done().unwrap();
                }
            })
        })
        .collect();
    let q2 = q.clone();
    finishes("producers, join and consumers", move || {
        for p in producers {
            p.join().unwrap();
        }
        q2.join();
        q2.shutdown(pool_thread::Immediate::No);
        for c in consumers {
            c.join().unwrap();
        }
    });
    let n = 4 * PER_PRODUCER;
    assert_eq!(count.load(SeqCst), n);
    assert_eq!(sum.load(SeqCst), n * (n - 1) / 2);
}

#[test]
fn simple_queue_is_fifo_and_never_full() {
    let q = SimpleQueue::new().unwrap();
    for i in 0..3 {
        q.put(i).unwrap();
    }
    assert_eq!(q.qsize(), 3);
    assert_eq!(q.get().unwrap(), 0);
    assert_eq!(q.get_nowait().unwrap(), 1);
    assert_eq!(q.get_timeout(SHORT).unwrap(), 2);
    assert!(q.empty());
    assert!(q.get_nowait().unwrap_err().is_empty());
    let start = Instant::now();
    assert!(q.get_timeout(SHORT).is_err());
    assert!(start.elapsed() >= SHORT);
}

#[test]
fn simple_queue_wakes_a_blocked_getter() {
    let q = Arc::new(SimpleQueue::new().unwrap());
    let getter = {
        let q = q.clone();
        std::thread::spawn(move || q.get().unwrap())
    };
    q.put([42]).unwrap();
    assert_eq!(finishes("the getter", move || getter.join().unwrap()), [42]);
}
