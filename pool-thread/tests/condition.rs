//! `Condition`: exact `notify(n)`, full release of an `RLock` in `wait`,
//! timeouts, `wait_for`.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::time::Instant;

use pool_thread::{Condition, Lock, RLock};
use support::{SHORT, finishes, until};

#[test]
fn notify_two_with_five_waiters_wakes_exactly_two() {
    let cond = Arc::new(Condition::new().unwrap());
    let woken = Arc::new(AtomicUsize::new(0));
    let waiters: Vec<_> = (0..5)
        .map(|_| {
            let (cond, woken) = (cond.clone(), woken.clone());
            std::thread::spawn(move || {
                let mut guard = cond.lock();
                guard.wait();
                woken.fetch_add(1, SeqCst);
            })
        })
        .collect();
    until("all five wait", || cond.waiting() == 5);

    assert_eq!(cond.lock().notify(2), 2);
    until("two woke", || woken.load(SeqCst) == 2);
    // The other three are still waiting: `wait` returns only when notified.
    assert_eq!(cond.waiting(), 3);
    assert_eq!(woken.load(SeqCst), 2);

    assert_eq!(cond.lock().notify_all(), 3);
    finishes("the waiters", move || {
        for w in waiters {
            w.join().unwrap();
        }
    });
    assert_eq!(woken.load(SeqCst), 5);
}

#[test]
fn notify_wakes_the_oldest_waiters_first() {
    let cond = Arc::new(Condition::new().unwrap());
    let order = Arc::new(parking_lot::Mutex::new(Vec::new()));
    let mut waiters = Vec::new();
    for i in 0..3 {
        let (c, o) = (cond.clone(), order.clone());
        waiters.push(std::thread::spawn(move || {
            let mut guard = c.lock();
            guard.wait();
            o.lock().push(i);
        }));
        until("the waiter waits", || cond.waiting() == i + 1);
    }
    for i in 0..3 {
        cond.lock().notify(1);
        until("one more woke", || order.lock().len() == i + 1);
    }
    for w in waiters {
        w.join().unwrap();
    }
    assert_eq!(*order.lock(), [0, 1, 2]);
}

#[test]
fn wait_releases_an_rlock_fully_and_restores_its_level() {
    let cond = Arc::new(Condition::new().unwrap());
    let mut guard = cond.lock();
    cond.get_lock().acquire();
    cond.get_lock().acquire();
    assert_eq!(cond.get_lock().level(), 3);
    let notifier = {
        let cond = cond.clone();
        // Can only take the lock if `wait` released all three levels.
        std::thread::spawn(move || cond.lock().notify(1))
    };
    guard.wait();
    assert_eq!(cond.get_lock().level(), 3);
    assert_eq!(notifier.join().unwrap(), 1);
    cond.get_lock().release().unwrap();
    cond.get_lock().release().unwrap();
    drop(guard);
    assert!(!cond.get_lock().locked());
}

#[test]
fn wait_releases_a_plain_lock_shared_through_an_arc() {
    let lock = Arc::new(Lock::new().unwrap());
    let cond = Arc::new(Condition::with_lock(lock.clone()));
    let mut guard = cond.lock();
    let notifier = {
        let cond = cond.clone();
        std::thread::spawn(move || cond.lock().notify_all())
    };
    guard.wait();
    assert!(lock.locked(), "re-acquired after the wait");
    drop(guard);
    assert!(!lock.locked());
    assert_eq!(notifier.join().unwrap(), 1);
}

#[test]
fn wait_timeout_returns_false_and_holds_the_lock_again() {
    let cond = Condition::with_lock(RLock::new().unwrap());
    let mut guard = cond.lock();
    let start = Instant::now();
    assert!(!guard.wait_timeout(SHORT));
    assert!(start.elapsed() >= SHORT);
    assert_eq!(cond.get_lock().level(), 1);
    assert_eq!(cond.waiting(), 0, "a timed-out waiter leaves the list");
}

#[test]
fn a_timed_out_waiter_does_not_swallow_a_later_notify() {
    let cond = Arc::new(Condition::new().unwrap());
    assert!(!cond.lock().wait_timeout(SHORT));
    let woke = Arc::new(AtomicBool::new(false));
    let waiter = {
        let (cond, woke) = (cond.clone(), woke.clone());
        std::thread::spawn(move || {
            let mut guard = cond.lock();
            guard.wait();
            woke.store(true, SeqCst);
        })
    };
    until("the waiter waits", || cond.waiting() == 1);
    assert_eq!(cond.lock().notify(1), 1);
    until("the waiter woke", || woke.load(SeqCst));
    waiter.join().unwrap();
}

#[test]
fn wait_for_returns_when_the_predicate_holds() {
    let cond = Arc::new(Condition::new().unwrap());
    let items = Arc::new(AtomicUsize::new(0));
    let consumer = {
        let (cond, items) = (cond.clone(), items.clone());
        std::thread::spawn(move || {
            let mut guard = cond.lock();
            guard.wait_for(|| items.load(SeqCst) >= 3);
            items.load(SeqCst)
        })
    };
    for _ in 0..3 {
        let guard = cond.lock();
        items.fetch_add(1, SeqCst);
        guard.notify_all();
    }
    assert_eq!(
        finishes("the consumer", move || consumer.join().unwrap()),
        3
    );
}

#[test]
fn wait_for_timeout_returns_the_predicates_last_value() {
    let cond = Condition::new().unwrap();
    let mut guard = cond.lock();
    assert!(!guard.wait_for_timeout(|| false, SHORT));
    assert!(guard.wait_for_timeout(|| true, SHORT));
}

#[test]
fn notify_without_waiters_wakes_nobody() {
    let cond = Condition::with_lock(Lock::new().unwrap());
    let guard = cond.lock();
    assert_eq!(guard.notify(3), 0);
    assert_eq!(guard.notify_all(), 0);
}

#[test]
fn lock_try_and_timeout_shapes_fail_while_held() {
    let cond = Arc::new(Condition::with_lock(Lock::new().unwrap()));
    let _held = cond.lock();
    let other = cond.clone();
    let (tried, timed) = std::thread::spawn(move || {
        (
            other.try_lock().is_some(),
            other.lock_timeout(SHORT).is_some(),
        )
    })
    .join()
    .unwrap();
    assert!(!tried && !timed);
}
