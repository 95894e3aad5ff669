//! A process SIGKILLed while it holds a `Value`'s or an `Array`'s lock:
//! the next user takes the lock over (no hang), is told through the
//! guard, and finds what the dead holder wrote (possibly torn; here it
//! wrote whole elements).

mod support;

use std::time::Instant;

use pool_process::{Array, Process, Value};
use support::{BOUND, Rendezvous, report_and_hold};

fn write_and_die(v: Value<u64>, path: String) {
    let g = v.get_lock();
    g.set(41);
    report_and_hold(&path, 0);
}

fn write_half_and_die(a: Array<i32>, path: String) {
    let g = a.get_lock();
    g.set(0, -1); // element 1 never gets written
    report_and_hold(&path, 0);
}

fn kill_inside(p: &Process, rendezvous: &Rendezvous) {
    p.start().unwrap();
    // Held until the kill: dropping it would let the child go on.
    let mut held = rendezvous.arrival();
    held.read_u64();
    p.kill().unwrap();
    drop(held);
    assert!(p.join().is_err());
    assert_eq!(p.exitcode(), Some(-9));
}

#[test]
fn a_value_whose_holder_was_killed_is_recovered_with_what_it_wrote() {
    let v = Value::new(0u64).unwrap();
    let rendezvous = Rendezvous::new();
    let p = Process::new(write_and_die, (v.clone(), rendezvous.path()));
    kill_inside(&p, &rendezvous);

    let start = Instant::now();
    let g = v.get_lock();
    assert!(start.elapsed() < BOUND);
    assert!(g.previous_owner_died());
    assert_eq!(g.get(), 41);
    g.set(42);
    drop(g);
    assert_eq!(v.get(), 42);
    assert!(!v.get_lock().previous_owner_died());
}

#[test]
fn an_array_whose_holder_was_killed_is_recovered_possibly_half_updated() {
    let a = Array::new([1i32, 2]).unwrap();
    let rendezvous = Rendezvous::new();
    let p = Process::new(write_half_and_die, (a.clone(), rendezvous.path()));
    kill_inside(&p, &rendezvous);

    let start = Instant::now();
    assert_eq!(a.to_vec(), [-1, 2], "the dead holder's half update");
    assert!(start.elapsed() < BOUND);
    a.set(1, -2).unwrap();
    let g = a.get_lock();
    assert!(!g.previous_owner_died());
    assert_eq!(g.to_vec(), [-1, -2]);
}
