//! A process SIGKILLed while it holds a `Lock` or an `RLock`: the next
//! acquirer gets the lock, within the bound, and is told the previous
//! owner died; once released, the lock is as new.

mod support;

use std::time::Instant;

use pool_process::{Lock, Process, RLock};
use support::{BOUND, Rendezvous, report_and_hold};

/// This thread's kernel id, as the lock records its holder.
fn thread_id() -> u64 {
    let link = std::fs::read_link("/proc/thread-self").unwrap();
    link.file_name().unwrap().to_str().unwrap().parse().unwrap()
}

fn hold_lock(lock: Lock, path: String) {
    let _guard = lock.lock();
    report_and_hold(&path, thread_id());
}

fn hold_rlock(lock: RLock, path: String) {
    lock.acquire();
    lock.acquire();
    report_and_hold(&path, thread_id());
}

/// Kills `p` and checks it died of SIGKILL.
fn kill(p: &Process) {
    p.kill().unwrap();
    assert!(p.join().is_err());
    assert_eq!(p.exitcode(), Some(-9));
}

#[test]
fn a_lock_whose_holder_was_killed_goes_to_the_next_acquirer_who_is_told() {
    let lock = Lock::new().unwrap();
    let rendezvous = Rendezvous::new();
    let p = Process::new(hold_lock, (lock.clone(), rendezvous.path()));
    p.start().unwrap();
    let mut held = rendezvous.arrival();
    assert_ne!(held.read_u64(), 0);
    assert!(lock.locked());
    kill(&p);

    let start = Instant::now();
    let guard = lock.lock_timeout(BOUND).expect("the dead holder's lock");
    assert!(start.elapsed() < BOUND);
    assert!(guard.previous_owner_died());
    assert!(lock.previous_owner_died());
    drop(guard);
    assert!(!lock.locked());
    let again = lock.lock();
    assert!(!again.previous_owner_died(), "a clean release since");
}

#[test]
fn try_acquire_takes_a_dead_holders_lock_at_once() {
    let lock = Lock::new().unwrap();
    let rendezvous = Rendezvous::new();
    let p = Process::new(hold_lock, (lock.clone(), rendezvous.path()));
    p.start().unwrap();
    // Held until the kill: dropping it would let the child go on.
    let mut held = rendezvous.arrival();
    held.read_u64();
    kill(&p);
    assert!(lock.try_acquire());
    assert!(lock.previous_owner_died());
    lock.release().unwrap();
    assert!(lock.release().unwrap_err().is_unlocked());
}

#[test]
fn an_rlock_whose_holder_was_killed_goes_to_the_next_acquirer_at_depth_one() {
    let lock = RLock::new().unwrap();
    let rendezvous = Rendezvous::new();
    let p = Process::new(hold_rlock, (lock.clone(), rendezvous.path()));
    p.start().unwrap();
    // Held until the kill: dropping it would let the child go on.
    let mut held = rendezvous.arrival();
    held.read_u64();
    assert!(!lock.try_acquire(), "its holder lives");
    kill(&p);

    assert!(lock.acquire_timeout(BOUND));
    assert!(lock.previous_owner_died());
    lock.release().unwrap();
    assert!(!lock.previous_owner_died());
    assert!(
        lock.release().unwrap_err().is_not_owner(),
        "the dead holder's two levels are not ours"
    );
}

#[test]
fn concurrent_releases_of_one_holding_cannot_release_a_later_acquire() {
    // Release is one atomic step: of two releases racing for one holding,
    // exactly one succeeds.
    let lock = Lock::new().unwrap();
    for _ in 0..1_000 {
        lock.acquire();
        let results: Vec<bool> = std::thread::scope(|s| {
            let a = s.spawn(|| lock.release().is_ok());
            let b = s.spawn(|| lock.release().is_ok());
            vec![a.join().unwrap(), b.join().unwrap()]
        });
        assert_eq!(results.iter().filter(|ok| **ok).count(), 1);
        assert!(!lock.locked());
    }
}
