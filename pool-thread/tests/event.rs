//! `Event`: set wakes every waiter, clear, timeouts.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::time::Instant;

use pool_thread::Event;
use support::{SHORT, finishes};

#[test]
fn set_wakes_every_waiter() {
    let event = Arc::new(Event::new().unwrap());
    let started = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..10)
        .map(|_| {
            let (event, started) = (event.clone(), started.clone());
            std::thread::spawn(move || {
                started.fetch_add(1, SeqCst);
                event.wait();
            })
        })
        .collect();
    event.set();
    finishes("the waiters", move || {
        for t in threads {
            t.join().unwrap();
        }
    });
    assert_eq!(started.load(SeqCst), 10);
}

#[test]
fn wait_timeout_returns_false_when_never_set() {
    let event = Event::new().unwrap();
    let start = Instant::now();
    assert!(!event.wait_timeout(SHORT));
    assert!(start.elapsed() >= SHORT);
}

#[test]
fn a_set_event_does_not_block_until_cleared() {
    let event = Event::new().unwrap();
    event.set();
    assert!(event.is_set());
    event.wait();
    assert!(event.wait_timeout(SHORT));
    event.clear();
    assert!(!event.is_set());
    assert!(!event.wait_timeout(SHORT));
}

#[test]
fn a_blocked_waiter_sees_the_set_from_another_thread() {
    let event = Arc::new(Event::new().unwrap());
    let setter = {
        let event = event.clone();
        std::thread::spawn(move || event.set())
    };
    let waited = {
        let event = event.clone();
        finishes("the wait", move || event.wait_timeout(support::BOUND))
    };
    assert!(waited);
    setter.join().unwrap();
}
