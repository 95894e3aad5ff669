//! `Event`, `Semaphore`, `BoundedSemaphore` and `RLock` across processes:
//! an event set by a child wakes every waiting process, a semaphore caps
//! how many processes run at once, the bound and ownership rules are
//! error values, and every wait has a timeout.

mod support;

use std::time::Duration;

use pool_process::{BoundedSemaphore, Event, Process, Queue, RLock, Semaphore, Value};
use support::BOUND;

fn wait_for(go: Event, done: Queue<u32>) {
    go.wait();
    done.put(std::process::id()).unwrap();
}

#[test]
fn setting_an_event_wakes_every_waiting_process() {
    let go = Event::new().unwrap();
    let done = Queue::new(0).unwrap();
    let waiters: Vec<Process> = (0..3)
        .map(|_| Process::new(wait_for, (go.clone(), done.clone())))
        .collect();
    for w in &waiters {
        w.start().unwrap();
    }
    assert!(!go.wait_timeout(Duration::from_millis(20)), "not set yet");
    assert!(done.empty());
    go.set();
    for w in &waiters {
        assert!(w.join_timeout(BOUND).unwrap(), "{w:?} woke");
    }
    assert_eq!(done.qsize(), 3);
    go.clear();
    assert!(!go.is_set());
}

fn limited(sem: Semaphore, running: Value<u32>, peak: Value<u32>) {
    for _ in 0..50 {
        sem.acquire();
        {
            let g = running.get_lock();
            g.set(g.get() + 1);
            let p = peak.get_lock();
            p.set(p.get().max(g.get()));
        }
        std::thread::yield_now();
        {
            let g = running.get_lock();
            g.set(g.get() - 1);
        }
        sem.release();
    }
}

#[test]
fn a_semaphore_caps_how_many_processes_hold_it() {
    let sem = Semaphore::new(2).unwrap();
    let (running, peak) = (Value::new(0u32).unwrap(), Value::new(0u32).unwrap());
    let workers: Vec<Process> = (0..4)
        .map(|_| Process::new(limited, (sem.clone(), running.clone(), peak.clone())))
        .collect();
    for w in &workers {
        w.start().unwrap();
    }
    for w in &workers {
        w.join().unwrap();
    }
    assert!(peak.get() <= 2, "at most 2 at once, saw {}", peak.get());
    assert_eq!(running.get(), 0);
    assert_eq!(sem.value(), 2);
}

fn release_later(sem: Semaphore, go: Event) {
    go.wait();
    sem.release();
}

#[test]
fn a_semaphore_wait_times_out_and_a_release_from_another_process_ends_it() {
    let sem = Semaphore::new(0).unwrap();
    assert!(!sem.try_acquire());
    assert!(!sem.acquire_timeout(Duration::from_millis(20)));
    let go = Event::new().unwrap();
    let p = Process::new(release_later, (sem.clone(), go.clone()));
    p.start().unwrap();
    go.set();
    assert!(sem.acquire_timeout(BOUND));
    p.join().unwrap();
    sem.release_n(3);
    assert_eq!(sem.value(), 3);
}

#[test]
fn a_bounded_semaphore_refuses_to_grow_past_its_start() {
    let sem = BoundedSemaphore::new(2).unwrap();
    let error = sem.release().unwrap_err();
    assert!(error.is_too_many_releases());
    assert_eq!(sem.value(), 2, "a refused release changes nothing");
    sem.acquire();
    sem.release().unwrap();
    assert!(sem.release().is_err());
}

fn try_release(lock: RLock, out: Queue<bool>) {
    out.put(lock.release().is_ok()).unwrap();
    out.put(lock.try_acquire()).unwrap();
}

#[test]
fn an_rlock_is_reentrant_for_its_holder_and_only_its_holder_releases_it() {
    let lock = RLock::new().unwrap();
    lock.acquire();
    assert!(
        lock.acquire_timeout(Duration::ZERO),
        "its holder takes it again"
    );
    let out = Queue::new(0).unwrap();
    let other = Process::new(try_release, (lock.clone(), out.clone()));
    other.start().unwrap();
    other.join().unwrap();
    assert!(!out.get().unwrap(), "another process cannot release it");
    assert!(!out.get().unwrap(), "nor take it while held");
    // Another thread of this process is not the holder either.
    let l2 = lock.clone();
    let refused = std::thread::spawn(move || l2.release().is_err() && !l2.try_acquire())
        .join()
        .unwrap();
    assert!(refused);
    lock.release().unwrap();
    lock.release().unwrap();
    let error = lock.release().unwrap_err();
    assert!(error.is_not_owner());
    let l3 = lock.clone();
    assert!(std::thread::spawn(move || l3.try_acquire()).join().unwrap());
}

fn wait_on(cond: pool_process::Condition, ready: Semaphore, woke: Queue<u32>) {
    let mut guard = cond.lock();
    ready.release();
    guard.wait();
    woke.put(std::process::id()).unwrap();
}

#[test]
fn notify_two_of_five_waiting_processes_wakes_exactly_two() {
    let cond = pool_process::Condition::new().unwrap();
    let ready = Semaphore::new(0).unwrap();
    let woke = Queue::new(0).unwrap();
    let waiters: Vec<Process> = (0..5)
        .map(|_| Process::new(wait_on, (cond.clone(), ready.clone(), woke.clone())))
        .collect();
    for w in &waiters {
        w.start().unwrap();
    }
    for _ in 0..5 {
        assert!(ready.acquire_timeout(BOUND));
    }
    // Each waiter released `ready` holding the lock, so once we hold it,
    // all five are inside `wait`.
    let guard = cond.lock();
    assert_eq!(guard.notify(2), 2);
    drop(guard);
    for _ in 0..2 {
        woke.get_timeout(BOUND).unwrap();
    }
    // `notify` returned after the two woke; nobody else may follow.
    assert!(woke.get_timeout(Duration::from_millis(50)).is_err());
    assert_eq!(cond.lock().notify_all(), 3);
    for w in &waiters {
        w.join().unwrap();
    }
    assert_eq!(woke.qsize(), 3);
}

#[test]
fn a_condition_wait_times_out_and_gives_the_lock_back() {
    let cond = pool_process::Condition::new().unwrap();
    let mut guard = cond.lock();
    assert!(!guard.wait_timeout(Duration::from_millis(20)));
    assert!(!guard.wait_for_timeout(|| false, Duration::from_millis(20)));
    // Still held by this thread: another thread cannot take it.
    let c2 = cond.clone();
    assert!(
        std::thread::spawn(move || c2.try_lock().is_none())
            .join()
            .unwrap()
    );
    assert_eq!(
        guard.notify(1),
        0,
        "the timed-out waits left nothing behind"
    );
}

fn meet(b: pool_process::Barrier, out: Queue<usize>) {
    for _ in 0..3 {
        out.put(b.wait().unwrap()).unwrap();
    }
}

#[test]
fn a_barrier_releases_each_round_together_with_distinct_indexes() {
    let b = pool_process::Barrier::new(3).unwrap();
    let out = Queue::new(0).unwrap();
    let ps: Vec<Process> = (0..2)
        .map(|_| Process::new(meet, (b.clone(), out.clone())))
        .collect();
    for p in &ps {
        p.start().unwrap();
    }
    meet(b.clone(), out.clone());
    for p in &ps {
        p.join().unwrap();
    }
    let mut indexes: Vec<usize> = (0..9).map(|_| out.get().unwrap()).collect();
    indexes.sort_unstable();
    assert_eq!(indexes, [0, 0, 0, 1, 1, 1, 2, 2, 2]);
    assert_eq!(b.n_waiting(), 0);
}

fn wait_once(b: pool_process::Barrier, out: Queue<bool>) {
    out.put(b.wait().is_ok()).unwrap();
}

#[test]
fn a_timeout_abort_or_reset_breaks_the_round_for_every_waiter() {
    let b = pool_process::Barrier::new(3).unwrap();
    let out = Queue::new(0).unwrap();
    let p = Process::new(wait_once, (b.clone(), out.clone()));
    p.start().unwrap();
    support::eventually("the child waits", || b.n_waiting() == 1);
    let error = b.wait_timeout(Duration::from_millis(20)).unwrap_err();
    assert!(error.is_timeout());
    assert!(b.broken());
    assert!(
        !out.get_timeout(BOUND).unwrap(),
        "the child's wait failed too"
    );
    p.join().unwrap();
    assert!(b.wait().is_err(), "broken until reset");

    b.reset();
    assert!(!b.broken());
    let p = Process::new(wait_once, (b.clone(), out.clone()));
    p.start().unwrap();
    support::eventually("the child waits", || b.n_waiting() == 1);
    b.reset();
    assert!(!out.get_timeout(BOUND).unwrap(), "a reset fails the waiter");
    p.join().unwrap();

    let p = Process::new(wait_once, (b.clone(), out.clone()));
    p.start().unwrap();
    support::eventually("the child waits", || b.n_waiting() == 1);
    b.abort();
    assert!(
        !out.get_timeout(BOUND).unwrap(),
        "an abort fails the waiter"
    );
    p.join().unwrap();
}
