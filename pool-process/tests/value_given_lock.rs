//! `Value::with_lock` / `Array::with_lock` (Python's `Value(typecode, v,
//! lock=lock)`): the object is guarded by the process `Lock` or `RLock`
//! it was given, so one lock can guard several objects, as in CPython
//! (`v.get_lock() is lock`). Read-modify-writes under the guard from
//! several processes lose no update.

mod support;

use pool_process::{Array, Lock, Process, RLock, Value};
use support::{BOUND, Rendezvous, hold};

const ADDS: u32 = 300;

/// Moves one unit from `from` to `to`, `ADDS` times, each under their
/// shared lock.
fn transfer(from: Value<i64>, to: Array<i64>, slot: usize) {
    for _ in 0..ADDS {
        {
            let f = from.get_lock();
            f.set(f.get() - 1);
        }
        let t = to.get_lock();
        t.set(slot, t.get(slot) + 1);
    }
}

#[test]
fn one_lock_guards_a_value_and_an_array_across_processes() {
    let lock = Lock::new().unwrap();
    let total = Value::with_lock(0i64, lock.clone()).unwrap();
    let slots = Array::with_lock([0i64; 3], lock.clone()).unwrap();
    let children: Vec<Process> = (0..3)
        .map(|slot| {
            let p = Process::new(transfer, (total.clone(), slots.clone(), slot));
            p.start().unwrap();
            p
        })
        .collect();
    for p in &children {
        assert!(p.join_timeout(BOUND).unwrap());
        assert_eq!(p.exitcode(), Some(0));
    }
    assert_eq!(total.get(), -3 * i64::from(ADDS), "no decrement lost");
    assert_eq!(slots.to_vec(), [i64::from(ADDS); 3], "no increment lost");
    assert!(!lock.locked());
}

fn hold_value(v: Value<u32>, path: String) {
    let g = v.get_lock();
    g.set(5);
    hold(&path);
}

#[test]
fn holding_the_value_is_holding_the_given_lock() {
    let lock = RLock::new().unwrap();
    let v = Value::with_lock(0u32, lock.clone()).unwrap();
    let rendezvous = Rendezvous::new();
    let p = Process::new(hold_value, (v.clone(), rendezvous.path()));
    p.start().unwrap();
    let held = rendezvous.arrival();
    assert!(lock.locked(), "the child's guard holds the given RLock");
    assert!(!lock.acquire_timeout(std::time::Duration::from_millis(5)));
    held.release();
    assert!(p.join_timeout(BOUND).unwrap());
    assert!(!lock.locked());
    // This thread holds the RLock: the value's own accesses re-enter it.
    lock.acquire();
    v.set(v.get() + 1);
    lock.release().unwrap();
    assert_eq!(v.get(), 6);
}

fn take_and_die(v: Value<u32>) {
    let g = v.get_lock();
    g.set(9);
    std::process::abort();
}

#[test]
fn a_given_lock_stays_robust() {
    let lock = Lock::new().unwrap();
    let v = Value::with_lock(0u32, lock.clone()).unwrap();
    let p = Process::new(take_and_die, (v.clone(),));
    p.start().unwrap();
    assert!(p.join_timeout(BOUND).is_err());
    let g = v.get_lock();
    assert!(g.previous_owner_died(), "taken over from the dead child");
    assert_eq!(g.get(), 9);
}
