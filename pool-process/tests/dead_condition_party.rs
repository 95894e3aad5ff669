//! A process SIGKILLed inside a `Condition`: holding its lock (the next
//! one takes the lock over and is told) or asleep in `wait` (a `notify`
//! skips it, counts only live waiters, and never hangs).

mod support;

use std::time::Instant;

use pool_process::{Condition, Event, Process};
use support::{BOUND, Rendezvous, report_and_hold};

fn hold_the_lock(cond: Condition, path: String) {
    let _g = cond.lock();
    report_and_hold(&path, 0);
}

/// Says it is about to wait, then waits for ever.
fn wait_for_ever(cond: Condition, waiting: Event) {
    let mut g = cond.lock();
    waiting.set();
    loop {
        g.wait();
    }
}

fn kill(p: &Process) {
    p.kill().unwrap();
    assert!(p.join().is_err());
    assert_eq!(p.exitcode(), Some(-9));
}

#[test]
fn a_condition_whose_lock_holder_was_killed_goes_to_the_next_who_is_told() {
    let cond = Condition::new().unwrap();
    let rendezvous = Rendezvous::new();
    let p = Process::new(hold_the_lock, (cond.clone(), rendezvous.path()));
    p.start().unwrap();
    // Held until the kill: dropping it would let the child go on.
    let mut held = rendezvous.arrival();
    held.read_u64();
    assert!(cond.try_lock().is_none(), "its holder lives");
    kill(&p);

    let start = Instant::now();
    let g = cond.lock_timeout(BOUND).expect("the dead holder's lock");
    assert!(start.elapsed() < BOUND);
    assert!(g.previous_owner_died());
    assert_eq!(g.notify_all(), 0);
}

#[test]
fn notify_skips_a_waiter_that_was_killed_and_does_not_hang() {
    let cond = Condition::new().unwrap();
    let waiting = Event::new().unwrap();
    let p = Process::new(wait_for_ever, (cond.clone(), waiting.clone()));
    p.start().unwrap();
    assert!(waiting.wait_timeout(BOUND));
    // The child set the event holding the lock; once we have the lock,
    // it has released it inside `wait`, registered as a waiter.
    let g = cond.lock_timeout(BOUND).unwrap();
    assert!(format!("{cond:?}").contains("waiting: 1"), "{cond:?}");
    drop(g);
    kill(&p);

    let start = Instant::now();
    let g = cond.lock_timeout(BOUND).unwrap();
    assert!(!g.previous_owner_died(), "it died outside the lock");
    assert_eq!(g.notify(1), 0, "a dead waiter is not counted");
    assert_eq!(g.notify_all(), 0);
    assert!(start.elapsed() < BOUND);
    assert!(format!("{cond:?}").contains("waiting: 0"), "{cond:?}");
}
