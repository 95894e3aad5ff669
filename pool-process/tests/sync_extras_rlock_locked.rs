//! `RLock::locked()` (Python 3.14's `multiprocessing.RLock().locked()`):
//! true while any thread of any process holds the lock, at any depth;
//! false once the last level is released, and after a holder died and
//! its lock was taken over and released.

mod support;

use pool_process::{Process, RLock};
use support::{Rendezvous, hold};

/// Holds `lock` twice until the test releases it.
fn hold_twice(lock: RLock, path: String) {
    lock.acquire();
    lock.acquire();
    hold(&path);
    lock.release().unwrap();
    assert!(lock.locked(), "one level left");
    lock.release().unwrap();
}

#[test]
fn locked_tells_whether_another_process_holds_it() {
    let lock = RLock::new().unwrap();
    assert!(!lock.locked());
    let rendezvous = Rendezvous::new();
    let p = Process::new(hold_twice, (lock.clone(), rendezvous.path()));
    p.start().unwrap();
    let held = rendezvous.arrival();
    assert!(lock.locked(), "held by the child");
    assert!(!lock.try_acquire(), "not ours to take");
    assert!(lock.release().unwrap_err().is_not_owner());
    held.release();
    p.join().unwrap();
    assert!(!lock.locked(), "the child released every level");
}

#[test]
fn locked_counts_every_level_of_this_thread() {
    let lock = RLock::new().unwrap();
    for _ in 0..3 {
        lock.acquire();
    }
    for left in (0..3).rev() {
        assert!(lock.locked());
        lock.release().unwrap();
        assert_eq!(lock.locked(), left > 0);
    }
}

fn take_and_die(lock: RLock) {
    lock.acquire();
    std::process::abort();
}

#[test]
fn a_lock_whose_holder_died_reads_locked_until_taken_over_and_released() {
    let lock = RLock::new().unwrap();
    let p = Process::new(take_and_die, (lock.clone(),));
    p.start().unwrap();
    assert!(p.join().is_err());
    assert!(lock.locked(), "the dead holder's word is still there");
    lock.acquire();
    assert!(lock.previous_owner_died());
    lock.release().unwrap();
    assert!(!lock.locked());
}
