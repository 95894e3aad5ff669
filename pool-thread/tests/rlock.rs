//! `RLock`: reentrancy, ownership, timeouts, errors.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};

use pool_thread::{Lock, RLock};
use support::{SHORT, until};

#[test]
fn the_owner_acquires_again_without_blocking() {
    let rlock = RLock::new().unwrap();
    rlock.acquire();
    assert!(rlock.try_acquire());
    assert!(rlock.acquire_timeout(SHORT));
    assert_eq!(rlock.level(), 3);
}

#[test]
fn a_plain_lock_does_not_reenter() {
    let lock = Lock::new().unwrap();
    lock.acquire();
    assert!(!lock.acquire_timeout(SHORT), "Python would deadlock here");
}

#[test]
fn other_threads_wait_until_every_level_is_released() {
    let rlock = Arc::new(RLock::new().unwrap());
    rlock.acquire();
    rlock.acquire();
    let entered = Arc::new(AtomicBool::new(false));
    let other = {
        let (rlock, entered) = (rlock.clone(), entered.clone());
        std::thread::spawn(move || {
            rlock.acquire();
            entered.store(true, SeqCst);
            rlock.release().unwrap();
        })
    };
    rlock.release().unwrap();
    // Still held once: the other thread cannot get in.
    let probe = rlock.clone();
    assert!(
        !std::thread::spawn(move || probe.acquire_timeout(SHORT))
            .join()
            .unwrap()
    );
    assert!(!entered.load(SeqCst));
    rlock.release().unwrap();
    until("the other thread took the lock", || entered.load(SeqCst));
    other.join().unwrap();
    assert!(!rlock.locked());
}

#[test]
fn a_non_owner_cannot_release() {
    let rlock = Arc::new(RLock::new().unwrap());
    rlock.acquire();
    let other = rlock.clone();
    let err = std::thread::spawn(move || other.release())
        .join()
        .unwrap()
        .unwrap_err();
    assert!(err.is_not_owner());
    assert_eq!(err.to_string(), "cannot release un-acquired lock");
    assert_eq!(rlock.level(), 1, "the refused release changed nothing");
}

#[test]
fn releasing_an_unheld_rlock_is_an_error_value() {
    let rlock = RLock::new().unwrap();
    assert!(rlock.release().unwrap_err().is_not_owner());
    rlock.acquire();
    rlock.release().unwrap();
    assert!(rlock.release().unwrap_err().is_not_owner());
}

#[test]
fn try_and_timed_acquire_fail_while_another_thread_owns_it() {
    let rlock = Arc::new(RLock::new().unwrap());
    let _held = rlock.lock();
    let other = rlock.clone();
    let (tried, timed, guard) = std::thread::spawn(move || {
        (
            other.try_acquire(),
            other.acquire_timeout(SHORT),
            other.lock_timeout(SHORT).is_some(),
        )
    })
    .join()
    .unwrap();
    assert!(!tried && !timed && !guard);
}

#[test]
fn nested_guards_release_one_level_each() {
    let rlock = RLock::new().unwrap();
    let outer = rlock.lock();
    let inner = rlock.try_lock().unwrap();
    assert_eq!(rlock.level(), 2);
    drop(inner);
    assert_eq!(rlock.level(), 1);
    drop(outer);
    assert!(!rlock.locked());
}
