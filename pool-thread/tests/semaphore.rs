//! `Semaphore` and `BoundedSemaphore`: counting, waking, bounds, errors.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::time::Instant;

use pool_thread::{BoundedSemaphore, Semaphore};
use support::{SHORT, finishes, until};

#[test]
fn never_more_than_value_threads_inside() {
    let sem = Semaphore::new(3).unwrap();
    let inside = AtomicUsize::new(0);
    let most = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                for _ in 0..500 {
                    sem.acquire();
                    let now = inside.fetch_add(1, SeqCst) + 1;
                    most.fetch_max(now, SeqCst);
                    inside.fetch_sub(1, SeqCst);
                    sem.release();
                }
            });
        }
    });
    assert!(most.load(SeqCst) <= 3);
    assert_eq!(sem.value(), 3);
}

#[test]
fn try_and_timed_acquire_fail_at_zero() {
    let sem = Semaphore::new(1).unwrap();
    assert!(sem.try_acquire());
    assert!(!sem.try_acquire());
    let start = Instant::now();
    assert!(!sem.acquire_timeout(SHORT));
    assert!(start.elapsed() >= SHORT);
    assert_eq!(sem.value(), 0);
}

#[test]
fn release_n_wakes_n_blocked_acquirers() {
    let sem = Arc::new(Semaphore::new(0).unwrap());
    let entered = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (sem, entered) = (sem.clone(), entered.clone());
            std::thread::spawn(move || {
                sem.acquire();
                entered.fetch_add(1, SeqCst);
            })
        })
        .collect();
    sem.release_n(3);
    until("three entered", || entered.load(SeqCst) == 3);
    assert_eq!(sem.value(), 0);
    sem.release();
    finishes("the last acquirer", move || {
        for t in threads {
            t.join().unwrap();
        }
    });
    assert_eq!(entered.load(SeqCst), 4);
}

#[test]
fn a_plain_semaphore_may_grow_past_its_initial_value() {
    let sem = Semaphore::new(1).unwrap();
    sem.release_n(2);
    assert_eq!(sem.value(), 3);
    sem.release_n(0);
    assert_eq!(sem.value(), 3, "release_n(0) does nothing");
    sem.release_n(usize::MAX);
    assert_eq!(sem.value(), usize::MAX, "saturates instead of overflowing");
}

#[test]
fn a_bounded_semaphore_refuses_to_exceed_its_initial_value() {
    let sem = BoundedSemaphore::new(2).unwrap();
    let err = sem.release().unwrap_err();
    assert!(err.is_too_many_releases());
    assert_eq!(err.to_string(), "semaphore released too many times");
    sem.acquire();
    sem.acquire();
    assert!(sem.release_n(3).unwrap_err().is_too_many_releases());
    assert_eq!(sem.value(), 0, "all or nothing");
    assert!(sem.release_n(usize::MAX).is_err(), "no overflow either");
    sem.release_n(2).unwrap();
    assert_eq!(sem.value(), 2);
}

#[test]
fn a_bounded_semaphore_blocks_and_times_out_like_a_semaphore() {
    let sem = Arc::new(BoundedSemaphore::new(1).unwrap());
    sem.acquire();
    assert!(!sem.try_acquire());
    assert!(!sem.acquire_timeout(SHORT));
    let other = sem.clone();
    let waiter = std::thread::spawn(move || other.acquire());
    sem.release().unwrap();
    finishes("the waiter", move || waiter.join().unwrap());
    assert_eq!(sem.value(), 0);
}
