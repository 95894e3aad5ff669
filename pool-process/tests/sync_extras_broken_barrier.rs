//! The broken-barrier error is one type, `pool_core::BrokenBarrierError`,
//! in both backends, and says the same thing in each for the three ways
//! a round breaks. CPython raises `threading.BrokenBarrierError` for all
//! three (a waiter when another aborts, when the barrier is reset, and the
//! wait that timed out); poolrt's predicates tell them apart:
//!
//! | cause | the waiter that… | `is_timeout()` | `is_reset()` |
//! |---|---|---|---|
//! | `abort()` | was waiting | false | false |
//! | `reset()` | was waiting | false | true |
//! | timeout | timed out | true | false |
//! | timeout | was waiting with it | false | false |
//! | any | calls `wait` on the broken barrier | false | false |

mod support;

use std::time::Duration;

use pool_process::{Barrier, BrokenBarrierError, Process, Queue};
use support::BOUND;

/// One type: this compiles only if both backends return pool-core's.
fn same_type(
    thread: Result<usize, pool_thread::BrokenBarrierError>,
) -> Result<usize, pool_core::BrokenBarrierError> {
    let process: Result<usize, BrokenBarrierError> = thread;
    process
}

/// What a broken wait said: (is_timeout, is_reset, panicked).
type Said = (bool, bool, bool);

fn said(error: &BrokenBarrierError) -> Said {
    (
        error.is_timeout(),
        error.is_reset(),
        error.action_panic().is_some(),
    )
}

const PLAIN: Said = (false, false, false);
const TIMEOUT: Said = (true, false, false);
const RESET: Said = (false, true, false);

/// How to break a round that has one party waiting.
#[derive(Clone, Copy, Debug)]
enum Cause {
    Abort,
    Reset,
    Timeout,
}

/// The thread backend: one thread waits (with a long timeout), the
/// caller breaks the round; returns (the waiter's, the breaker's, a later
/// wait's) answers.
fn thread_backend(cause: Cause) -> (Said, Option<Said>, Said) {
    let b = pool_thread::Barrier::new(3).unwrap();
    std::thread::scope(|s| {
        let waiter = s.spawn(|| said(&b.wait_timeout(BOUND).unwrap_err()));
        support::eventually("the thread waits", || b.n_waiting() == 1);
        let breaker = match cause {
            Cause::Abort => {
                b.abort();
                None
            }
            Cause::Reset => {
                b.reset();
                None
            }
            Cause::Timeout => Some(said(&b.wait_timeout(Duration::from_millis(5)).unwrap_err())),
        };
        let waiter = waiter.join().unwrap();
        let later = match cause {
            Cause::Reset => PLAIN, // a reset barrier is not broken
            _ => said(&b.wait_timeout(BOUND).unwrap_err()),
        };
        (waiter, breaker, later)
    })
}

fn waiting_party(b: Barrier, out: Queue<Said>) {
    let error = b.wait_timeout(BOUND).unwrap_err();
    out.put(said(&error)).unwrap();
}

/// The process backend: a child process waits, the parent breaks it.
fn process_backend(cause: Cause) -> (Said, Option<Said>, Said) {
    let b = Barrier::new(3).unwrap();
    let out = Queue::new(0).unwrap();
    let p = Process::new(waiting_party, (b.clone(), out.clone()));
    p.start().unwrap();
    support::eventually("the child waits", || b.n_waiting() == 1);
    let breaker = match cause {
        Cause::Abort => {
            b.abort();
            None
        }
        Cause::Reset => {
            b.reset();
            None
        }
        Cause::Timeout => Some(said(&b.wait_timeout(Duration::from_millis(5)).unwrap_err())),
    };
    let waiter = out.get_timeout(BOUND).unwrap();
    assert!(p.join_timeout(BOUND).unwrap());
    let later = match cause {
        Cause::Reset => PLAIN,
        _ => said(&b.wait_timeout(BOUND).unwrap_err()),
    };
    (waiter, breaker, later)
}

#[test]
fn both_backends_say_the_same_for_abort_reset_and_timeout() {
    let _ = same_type;
    let expected = [
        (Cause::Abort, (PLAIN, None, PLAIN)),
        (Cause::Reset, (RESET, None, PLAIN)),
        (Cause::Timeout, (PLAIN, Some(TIMEOUT), PLAIN)),
    ];
    for (cause, answers) in expected {
        assert_eq!(thread_backend(cause), answers, "threads, {cause:?}");
        assert_eq!(process_backend(cause), answers, "processes, {cause:?}");
    }
}

#[test]
fn both_backends_carry_the_actions_panic_to_its_runner_only() {
    let thread = pool_thread::Barrier::new(1)
        .unwrap()
        .with_action(|| panic!("boom"));
    let process = Barrier::new(1).unwrap().with_action(|| panic!("boom"));
    for error in [thread.wait().unwrap_err(), process.wait().unwrap_err()] {
        assert_eq!(error.action_panic().map(|p| p.message()), Some("boom"));
        assert_eq!(error.to_string(), "barrier is broken");
        assert!(!error.is_timeout() && !error.is_reset());
    }
    assert!(thread.broken() && process.broken());
    assert_eq!((thread.n_waiting(), process.n_waiting()), (0, 0));
    assert!(said(&thread.wait().unwrap_err()) == PLAIN);
    assert!(said(&process.wait().unwrap_err()) == PLAIN);
}
