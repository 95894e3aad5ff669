//! A process SIGKILLed holding a `Barrier`'s internal lock (inside a
//! `wait`): the next caller takes the lock over instead of hanging, and
//! the barrier breaks, as after `abort()`, until `reset()`.

mod support;

use std::time::Instant;

use pool_process::{Barrier, Process};
use support::{BOUND, Rendezvous, report_and_hold};

/// Stands for a `wait` caught half-way: holds the internal lock.
fn die_inside(b: Barrier, path: String) {
    b.fault_hold_internal_lock();
    report_and_hold(&path, 0);
}

#[test]
fn a_barrier_whose_lock_holder_was_killed_breaks_and_resets() {
    let b = Barrier::new(1).unwrap();
    let rendezvous = Rendezvous::new();
    let p = Process::new(die_inside, (b.clone(), rendezvous.path()));
    p.start().unwrap();
    // Held until the kill: dropping it would let the child go on.
    let mut held = rendezvous.arrival();
    held.read_u64();
    p.kill().unwrap();
    drop(held);
    assert!(p.join().is_err());
    assert_eq!(p.exitcode(), Some(-9));

    let start = Instant::now();
    let error = b.wait_timeout(BOUND).unwrap_err();
    assert!(start.elapsed() < BOUND);
    assert!(!error.is_reset() && !error.is_timeout(), "{error:?}");
    assert!(b.broken());
    b.reset();
    assert!(!b.broken());
    assert_eq!(b.wait_timeout(BOUND).unwrap(), 0);
}
