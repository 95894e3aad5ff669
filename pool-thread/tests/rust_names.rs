//! The Rust names beside Python's (`len` beside `qsize`, `is_empty`
//! beside `empty`, `is_locked` beside `locked`…) answer as their Python
//! namesakes do, in every state: one test per type family.

use pool_thread::{
    Barrier, LifoQueue, Lock, PriorityQueue, Queue, RLock, SimpleQueue, ThreadPoolExecutor,
};

#[test]
fn the_ordered_queues_len_is_empty_is_full() {
    let q = Queue::new(2).unwrap();
    let lifo = LifoQueue::new(2).unwrap();
    let prio = PriorityQueue::new(2).unwrap();
    for n in 0..=2 {
        assert_eq!((q.len(), q.is_empty(), q.is_full()), (n, n == 0, n == 2));
        assert_eq!(
            (q.len(), q.is_empty(), q.is_full()),
            (q.qsize(), q.empty(), q.full())
        );
        assert_eq!(
            (lifo.len(), lifo.is_empty(), lifo.is_full()),
            (lifo.qsize(), lifo.empty(), lifo.full())
        );
        assert_eq!(
            (prio.len(), prio.is_empty(), prio.is_full()),
            (prio.qsize(), prio.empty(), prio.full())
        );
        if n < 2 {
            q.put(n).unwrap();
            lifo.put(n).unwrap();
            prio.put(n).unwrap();
        }
    }
    q.get().unwrap();
    assert_eq!((q.len(), q.is_full()), (1, false));
}

#[test]
fn the_simple_queue_len_is_empty() {
    let q = SimpleQueue::new().unwrap();
    assert_eq!((q.len(), q.is_empty()), (0, true));
    q.put("a").unwrap();
    q.put("b").unwrap();
    assert_eq!((q.len(), q.is_empty()), (2, false));
    assert_eq!((q.len(), q.is_empty()), (q.qsize(), q.empty()));
}

#[test]
fn the_locks_is_locked() {
    let lock = Lock::new().unwrap();
    let rlock = RLock::new().unwrap();
    assert!(!lock.is_locked() && !rlock.is_locked());
    let guard = lock.lock();
    let rguard = rlock.lock();
    assert!(lock.is_locked() && lock.locked());
    assert!(rlock.is_locked() && rlock.locked());
    drop((guard, rguard));
    assert!(!lock.is_locked() && !rlock.is_locked());
}

#[test]
fn the_barrier_is_broken() {
    let barrier = Barrier::new(3).unwrap();
    assert!(!barrier.is_broken());
    barrier.abort();
    assert!(barrier.is_broken() && barrier.broken());
    barrier.reset();
    assert!(!barrier.is_broken());
}

#[test]
fn the_future_is_done_is_running_is_cancelled() {
    let executor = ThreadPoolExecutor::new(1).unwrap();
    let gate = pool_test_support::Gate::new();
    let (started, wait_started) = pool_test_support::started_signal();
    let task_gate = gate.clone();
    let running = executor
        .submit(move || {
            started.send(()).unwrap();
            task_gate.wait();
        })
        .unwrap();
    let queued = executor.submit(|| ()).unwrap();
    wait_started();
    assert!(running.is_running() && !running.is_done() && !running.is_cancelled());
    assert!(!queued.is_running());
    assert!(queued.cancel());
    assert!(queued.is_cancelled() && queued.is_done() && queued.cancelled());
    gate.open();
    running.result().unwrap();
    assert!(running.is_done() && running.done() && !running.is_running());
}
