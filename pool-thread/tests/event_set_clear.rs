//! Regression: `set()` followed at once by `clear()` left waiters asleep
//! until the next `set()` (CPython's gh-57711). Every thread that was
//! waiting at the `set` must wake and report that it was set.

mod support;

use std::sync::Arc;
use std::sync::mpsc;
use std::thread;

use pool_thread::Event;
use support::{BOUND, finishes, until};

const WAITERS: usize = 8;

/// Starts `WAITERS` threads that each report what their wait returned,
/// and returns once the event counts all of them as blocked in it.
fn asleep_waiters(event: &Arc<Event>, wait: fn(&Event) -> bool) -> mpsc::Receiver<bool> {
    let (tx, rx) = mpsc::channel();
    for _ in 0..WAITERS {
        let (event, tx) = (event.clone(), tx.clone());
        thread::spawn(move || {
            let _ = tx.send(wait(&event));
        });
    }
    until("every waiter is blocked on the event", || {
        event.waiters() == WAITERS
    });
    rx
}

fn expect_all_woken(rx: mpsc::Receiver<bool>) {
    for i in 0..WAITERS {
        let returned = rx
            .recv_timeout(BOUND)
            .unwrap_or_else(|_| panic!("waiter {i} of {WAITERS} was left asleep"));
        assert!(returned, "a waiter woken by set() returned false");
    }
}

#[test]
fn set_then_clear_wakes_every_timed_waiter() {
    let event = Arc::new(Event::new().unwrap());
    // The timeout is only a bound: the waiters must return true long
    // before it, because of the set.
    let rx = asleep_waiters(&event, |event| event.wait_timeout(BOUND * 2));
    event.set();
    event.clear();
    expect_all_woken(rx);
    assert!(!event.is_set());
    assert_eq!(event.waiters(), 0);
}

#[test]
fn set_then_clear_wakes_every_plain_waiter() {
    let event = Arc::new(Event::new().unwrap());
    let rx = asleep_waiters(&event, |event| {
        event.wait();
        true
    });
    event.set();
    event.clear();
    expect_all_woken(rx);
}

#[test]
fn set_then_clear_under_contention_strands_nobody() {
    // Many rounds, each with the event's lock contended by the clear: a
    // waiter woken by round n's set must not need round n + 1's.
    finishes("100 set/clear rounds", || {
        let event = Arc::new(Event::new().unwrap());
        for _ in 0..100 {
            let rx = asleep_waiters(&event, |event| event.wait_timeout(BOUND * 2));
            event.set();
            event.clear();
            expect_all_woken(rx);
        }
    });
}

#[test]
fn a_wait_after_set_then_clear_blocks_again() {
    let event = Event::new().unwrap();
    event.set();
    event.clear();
    assert!(!event.wait_timeout(support::SHORT));
}
