//! `Condition::with_lock` (Python's `multiprocessing.Condition(lock)`):
//! the condition waits with the `Lock` or `RLock` it was given, so
//! holding the condition is holding that lock, a `wait` releases it for
//! other processes (which may take it directly), and a notify from
//! another process wakes the waiter. As in CPython:
//! `Condition(Lock())` is not reentrant, `Condition(RLock())` is, and
//! `wait` releases an `RLock` at every depth.

mod support;

use std::time::Duration;

use pool_process::{Condition, Lock, Process, RLock, Value};
use support::BOUND;

/// Takes the condition's lock *directly*, sets the value, notifies.
fn produce_with_lock(cond: Condition, lock: Lock, item: Value<u32>) {
    // Blocks until the parent's wait released the lock.
    lock.acquire();
    item.set(7);
    lock.release().unwrap();
    // Notifying needs the condition's lock: the same one.
    cond.lock().notify_all();
}

#[test]
fn a_condition_over_a_lock_releases_that_lock_while_it_waits() {
    let lock = Lock::new().unwrap();
    let cond = Condition::with_lock(lock.clone()).unwrap();
    let item = Value::new(0u32).unwrap();
    let mut guard = cond.lock();
    assert!(lock.locked(), "the condition holds the given lock");
    assert!(!lock.try_acquire());
    let p = Process::new(
        produce_with_lock,
        (cond.clone(), lock.clone(), item.clone()),
    );
    p.start().unwrap();
    assert!(guard.wait_for_timeout(|| item.get() == 7, BOUND));
    assert!(lock.locked(), "taken back after the wait");
    drop(guard);
    assert!(!lock.locked());
    assert!(p.join_timeout(BOUND).unwrap());
    assert_eq!(p.exitcode(), Some(0));
}

fn notify_under(cond: Condition, lock: RLock, item: Value<u32>) {
    // Through the RLock itself, twice: the condition's notify needs it.
    lock.acquire();
    lock.acquire();
    item.set(1);
    cond.lock().notify(1);
    lock.release().unwrap();
    lock.release().unwrap();
}

#[test]
fn a_condition_over_an_rlock_releases_every_level_while_it_waits() {
    let lock = RLock::new().unwrap();
    let cond = Condition::with_lock(lock.clone()).unwrap();
    let item = Value::new(0u32).unwrap();
    let outer = cond.lock();
    let mut inner = cond.lock(); // reentrant, as Python's Condition(RLock())
    let p = Process::new(notify_under, (cond.clone(), lock.clone(), item.clone()));
    p.start().unwrap();
    assert!(inner.wait_for_timeout(|| item.get() == 1, BOUND));
    assert!(lock.locked());
    drop(inner);
    assert!(lock.locked(), "the outer level is still held");
    drop(outer);
    assert!(!lock.locked());
    assert!(p.join_timeout(BOUND).unwrap());
    assert_eq!(p.exitcode(), Some(0));
}

#[test]
fn a_condition_over_a_lock_is_not_reentrant() {
    let cond = Condition::with_lock(Lock::new().unwrap()).unwrap();
    let guard = cond.lock();
    assert!(cond.try_lock().is_none(), "a Lock is taken once");
    assert!(cond.lock_timeout(Duration::from_millis(5)).is_none());
    drop(guard);
    assert!(cond.try_lock().is_some());
}

#[test]
fn a_timed_wait_on_a_given_lock_times_out_and_holds_it_again() {
    let lock = Lock::new().unwrap();
    let cond = Condition::with_lock(lock.clone()).unwrap();
    let mut guard = cond.lock();
    assert!(!guard.wait_timeout(Duration::from_millis(10)));
    assert!(lock.locked());
    assert_eq!(guard.notify_all(), 0);
}
