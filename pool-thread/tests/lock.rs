//! `Lock`: mutual exclusion, Python's any-thread release, timeouts, errors.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::time::Instant;

use pool_thread::Lock;
use support::{SHORT, finishes, until};

#[test]
fn eight_threads_of_ten_thousand_increments_give_exactly_80000() {
    let lock = Arc::new(Lock::new().unwrap());
    let counter = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (lock, counter) = (lock.clone(), counter.clone());
            std::thread::spawn(move || {
                for _ in 0..10_000 {
                    lock.acquire();
                    // A non-atomic read-modify-write: only the lock makes it safe.
                    let n = counter.load(SeqCst);
                    counter.store(n + 1, SeqCst);
                    lock.release().unwrap();
                }
            })
        })
        .collect();
    finishes("the increments", move || {
        for t in threads {
            t.join().unwrap();
        }
    });
    assert_eq!(counter.load(SeqCst), 80_000);
}

#[test]
fn guards_exclude_each_other_too() {
    let lock = Lock::new().unwrap();
    let counter = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..5_000 {
                    let _guard = lock.lock();
                    let n = counter.load(SeqCst);
                    counter.store(n + 1, SeqCst);
                }
            });
        }
    });
    assert_eq!(counter.load(SeqCst), 20_000);
    assert!(!lock.locked());
}

#[test]
fn try_acquire_does_not_block_on_a_held_lock() {
    let lock = Lock::new().unwrap();
    assert!(lock.try_acquire());
    assert!(!lock.try_acquire());
    assert!(lock.try_lock().is_none());
    lock.release().unwrap();
    assert!(lock.try_lock().is_some());
}

#[test]
fn acquire_timeout_gives_up_after_the_timeout() {
    let lock = Lock::new().unwrap();
    lock.acquire();
    let start = Instant::now();
    assert!(!lock.acquire_timeout(SHORT));
    assert!(start.elapsed() >= SHORT);
    assert!(lock.lock_timeout(SHORT).is_none());
    assert!(lock.locked(), "a failed acquire leaves the lock as it was");
}

#[test]
fn a_blocked_acquire_proceeds_when_the_lock_is_released() {
    let lock = Arc::new(Lock::new().unwrap());
    lock.acquire();
    let entered = Arc::new(AtomicBool::new(false));
    let waiter = {
        let (lock, entered) = (lock.clone(), entered.clone());
        std::thread::spawn(move || {
            lock.acquire();
            entered.store(true, SeqCst);
        })
    };
    assert!(!lock.acquire_timeout(SHORT));
    assert!(
        !entered.load(SeqCst),
        "the waiter cannot enter while we hold it"
    );
    lock.release().unwrap();
    until("the waiter took the lock", || entered.load(SeqCst));
    waiter.join().unwrap();
    assert!(lock.locked(), "the waiter holds it now");
}

#[test]
fn any_thread_may_release_a_lock_as_in_python() {
    let lock = Arc::new(Lock::new().unwrap());
    lock.acquire();
    let other = lock.clone();
    std::thread::spawn(move || other.release())
        .join()
        .unwrap()
        .unwrap();
    assert!(!lock.locked());
}

#[test]
fn releasing_an_unlocked_lock_is_an_error_value() {
    let lock = Lock::new().unwrap();
    let err = lock.release().unwrap_err();
    assert!(err.is_unlocked());
    assert!(!err.is_not_owner());
    assert_eq!(err.to_string(), "release unlocked lock");
    assert!(std::error::Error::source(&err).is_none());
}

#[test]
fn a_guard_releases_on_drop_even_when_unwinding() {
    let lock = Lock::new().unwrap();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _guard = lock.lock();
        panic!("inside the critical section");
    }));
    assert!(result.is_err());
    assert!(!lock.locked());
}
