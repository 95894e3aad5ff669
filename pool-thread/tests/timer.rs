//! `Timer`: fires after its interval, cancel, errors.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::time::{Duration, Instant};

use pool_thread::{ErrorKind, Event, Timer};
use support::{BOUND, SHORT};

#[test]
fn fires_once_no_sooner_than_its_interval() {
    let fired = Arc::new(Event::new().unwrap());
    let interval = Duration::from_millis(50);
    let timer = Timer::new(interval, {
        let fired = fired.clone();
        move || fired.set()
    });
    let start = Instant::now();
    timer.start().unwrap();
    assert!(fired.wait_timeout(BOUND));
    assert!(start.elapsed() >= interval);
    assert!(timer.join_timeout(BOUND).unwrap());
}

#[test]
fn cancel_while_waiting_prevents_the_call() {
    let ran = Arc::new(AtomicBool::new(false));
    let timer = Timer::new(BOUND * 10, {
        let ran = ran.clone();
        move || ran.store(true, SeqCst)
    });
    timer.start().unwrap();
    assert!(timer.is_alive());
    timer.cancel();
    assert!(
        timer.join_timeout(BOUND).unwrap(),
        "cancel ends the wait early"
    );
    assert!(!ran.load(SeqCst));
}

#[test]
fn cancel_before_start_means_it_never_fires() {
    let ran = Arc::new(AtomicBool::new(false));
    let timer = Timer::new(Duration::ZERO, {
        let ran = ran.clone();
        move || ran.store(true, SeqCst)
    });
    timer.cancel();
    timer.start().unwrap();
    timer.join().unwrap();
    assert!(!ran.load(SeqCst));
}

#[test]
fn cancel_after_the_call_changes_nothing() {
    let fired = Arc::new(Event::new().unwrap());
    let timer = Timer::new(Duration::ZERO, {
        let fired = fired.clone();
        move || fired.set()
    });
    timer.start().unwrap();
    timer.join().unwrap();
    timer.cancel();
    assert!(fired.is_set());
}

#[test]
fn join_timeout_reports_a_waiting_timer_as_unfinished() {
    let timer = Timer::new(BOUND * 10, || {});
    timer.start().unwrap();
    assert!(!timer.join_timeout(SHORT).unwrap());
    timer.cancel();
    timer.join().unwrap();
}

#[test]
fn a_timer_starts_only_once_and_reports_a_panic() {
    let timer = Timer::new(Duration::ZERO, || panic!("timer failed"));
    timer.start().unwrap();
    assert!(timer.start().unwrap_err().kind() == ErrorKind::InvalidState);
    let err = timer.join().unwrap_err();
    assert_eq!(err.panic().unwrap().message(), "timer failed");
}

#[test]
fn joining_an_unstarted_timer_is_an_error() {
    let timer = Timer::new(Duration::ZERO, || {});
    assert!(timer.join().unwrap_err().kind() == ErrorKind::InvalidState);
}
