//! `Event`, `Semaphore`, `BoundedSemaphore` and `RLock` across processes:
//! an event set by a child wakes every waiting process, a semaphore caps
//! how many processes run at once, the bound and ownership rules are
//! error values, and every wait has a timeout.

mod support;

use std::time::Duration;

use pool_core::ErrorKind;
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
    assert_eq!(error.kind(), ErrorKind::InvalidState);
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
    assert_eq!(error.kind(), ErrorKind::InvalidState);
    let l3 = lock.clone();
    assert!(std::thread::spawn(move || l3.try_acquire()).join().unwrap());
}
