//! `Lock`, `Value` and `Array` across processes: mutual exclusion under
//! contention, updates made in a child seen by the parent, timeouts and
//! the error paths.

mod support;

use std::time::Duration;

use pool_core::ErrorKind;
use pool_process::{Array, Lock, Process, Value};
use support::{Rendezvous, hold};

/// A read-modify-write that loses updates unless the lock excludes.
fn add_under_lock(lock: Lock, total: Value<u64>, times: u32) {
    for _ in 0..times {
        let _guard = lock.lock();
        let v = total.get();
        std::hint::black_box(());
        total.set(v + 1);
    }
}

#[test]
fn a_lock_excludes_across_processes() {
    let lock = Lock::new().unwrap();
    let total = Value::new(0u64).unwrap();
    let workers: Vec<Process> = (0..4)
        .map(|_| Process::new(add_under_lock, (lock.clone(), total.clone(), 5_000)))
        .collect();
    for w in &workers {
        w.start().unwrap();
    }
    add_under_lock(lock.clone(), total.clone(), 5_000);
    for w in &workers {
        w.join().unwrap();
    }
    assert_eq!(total.get(), 25_000);
    assert!(!lock.locked());
}

fn take_and_hold(lock: Lock, path: String) {
    let _guard = lock.lock();
    hold(&path);
}

#[test]
fn a_lock_held_by_a_child_times_out_here_and_frees_when_it_lets_go() {
    let lock = Lock::new().unwrap();
    let rendezvous = Rendezvous::new();
    let p = Process::new(take_and_hold, (lock.clone(), rendezvous.path()));
    p.start().unwrap();
    let held = rendezvous.arrival();
    assert!(lock.locked());
    assert!(!lock.try_acquire());
    assert!(!lock.acquire_timeout(Duration::from_millis(20)));
    assert!(lock.lock_timeout(Duration::ZERO).is_none());
    held.release();
    p.join().unwrap();
    assert!(lock.acquire_timeout(support::BOUND));
    lock.release().unwrap();
    let error = lock.release().unwrap_err();
    assert!(error.is_unlocked());
}

fn fill(n: Value<f64>, a: Array<i32>) {
    n.set(2.75);
    let g = a.get_lock();
    for i in 0..g.len() {
        g.set(i, -g.get(i));
    }
}

#[test]
fn value_and_array_changes_in_a_child_are_seen_by_the_parent() {
    let num = Value::new(0.0).unwrap();
    let arr = Array::new(0..10).unwrap();
    let p = Process::new(fill, (num.clone(), arr.clone()));
    p.start().unwrap();
    p.join().unwrap();
    assert_eq!(num.get(), 2.75);
    assert_eq!(arr.to_vec(), [0, -1, -2, -3, -4, -5, -6, -7, -8, -9]);
}

fn bump_all(a: Array<u32>, times: u32) {
    for _ in 0..times {
        let g = a.get_lock();
        for i in 0..g.len() {
            g.set(i, g.get(i) + 1);
        }
    }
}

#[test]
fn array_get_lock_makes_updates_atomic_across_processes() {
    let a = Array::new([0u32; 8]).unwrap();
    let workers: Vec<Process> = (0..3)
        .map(|_| Process::new(bump_all, (a.clone(), 2_000)))
        .collect();
    for w in &workers {
        w.start().unwrap();
    }
    for w in &workers {
        w.join().unwrap();
    }
    assert_eq!(a.to_vec(), [6_000; 8]);
}

#[test]
fn array_indexes_out_of_range_are_errors() {
    let a = Array::new([1u8, 2, 3]).unwrap();
    assert_eq!(a.get(3).unwrap_err().kind(), ErrorKind::IndexOutOfRange);
    assert!(a.set(7, 0).unwrap_err().to_string().contains("index 7"));
    assert_eq!(a.to_vec(), [1, 2, 3]);
    let empty = Array::<f32>::new([]).unwrap();
    assert!(empty.is_empty());
    assert!(empty.get(0).is_err());
    assert_eq!(format!("{a:?}"), "Array([1, 2, 3])");
}
