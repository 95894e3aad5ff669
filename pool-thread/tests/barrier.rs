//! `Barrier`: indexes, the action per round, timeouts, abort, reset,
//! panicking actions.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use parking_lot::Mutex;
use pool_thread::Barrier;
use support::{SHORT, finishes, until};

#[test]
fn each_round_gives_distinct_indexes_and_runs_the_action_once() {
    const PARTIES: usize = 4;
    const ROUNDS: usize = 50;
    let actions = Arc::new(AtomicUsize::new(0));
    let barrier = Arc::new(Barrier::new(PARTIES).unwrap().with_action({
        let actions = actions.clone();
        move || {
            actions.fetch_add(1, SeqCst);
        }
    }));
    let seen = Arc::new(Mutex::new(vec![Vec::new(); ROUNDS]));
    let threads: Vec<_> = (0..PARTIES)
        .map(|_| {
            let (barrier, seen) = (barrier.clone(), seen.clone());
            std::thread::spawn(move || {
                for round in 0..ROUNDS {
                    let index = barrier.wait().unwrap();
                    seen.lock()[round].push(index);
                }
            })
        })
        .collect();
    finishes("the rounds", move || {
        for t in threads {
            t.join().unwrap();
        }
    });
    assert_eq!(actions.load(SeqCst), ROUNDS);
    for mut indexes in seen.lock().drain(..) {
        indexes.sort();
        assert_eq!(indexes, [0, 1, 2, 3]);
    }
}

#[test]
fn the_action_runs_in_the_last_thread_to_arrive_before_anyone_leaves() {
    let ran_in = Arc::new(Mutex::new(None));
    let left = Arc::new(AtomicUsize::new(0));
    let barrier = Arc::new(Barrier::new(3).unwrap().with_action({
        let (ran_in, left) = (ran_in.clone(), left.clone());
        move || {
            assert_eq!(left.load(SeqCst), 0, "nobody left before the action");
            *ran_in.lock() = Some(std::thread::current().id());
        }
    }));
    let threads: Vec<_> = (0..3)
        .map(|_| {
            let (barrier, left) = (barrier.clone(), left.clone());
            std::thread::spawn(move || {
                let index = barrier.wait().unwrap();
                left.fetch_add(1, SeqCst);
                (index, std::thread::current().id())
            })
        })
        .collect();
    let results: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let last = results.iter().find(|(index, _)| *index == 2).unwrap().1;
    assert_eq!(*ran_in.lock(), Some(last));
}

#[test]
fn a_wait_timeout_breaks_the_barrier_for_every_waiter() {
    let barrier = Arc::new(Barrier::new(3).unwrap());
    let patient = {
        let barrier = barrier.clone();
        std::thread::spawn(move || barrier.wait())
    };
    until("the patient waiter arrived", || barrier.n_waiting() == 1);
    let err = barrier.wait_timeout(SHORT).unwrap_err();
    assert!(err.is_timeout());
    let other = finishes("the patient waiter", move || patient.join().unwrap()).unwrap_err();
    assert!(!other.is_timeout(), "it was broken, it did not time out");
    assert!(barrier.broken());
    assert!(barrier.wait().unwrap_err().to_string().contains("broken"));
}

#[test]
fn the_default_timeout_applies_to_wait() {
    let barrier = Barrier::new(2).unwrap().with_timeout(SHORT);
    assert!(barrier.wait().unwrap_err().is_timeout());
    assert!(barrier.broken());
}

#[test]
fn abort_fails_current_and_future_waiters() {
    let barrier = Arc::new(Barrier::new(3).unwrap());
    let waiters: Vec<_> = (0..2)
        .map(|_| {
            let barrier = barrier.clone();
            std::thread::spawn(move || barrier.wait())
        })
        .collect();
    until("both arrived", || barrier.n_waiting() == 2);
    barrier.abort();
    for w in waiters {
        let err = w.join().unwrap().unwrap_err();
        assert!(!err.is_timeout() && !err.is_reset());
    }
    assert!(barrier.wait().is_err());
    assert_eq!(barrier.n_waiting(), 0);
}

#[test]
fn reset_fails_current_waiters_then_the_barrier_works_again() {
    let barrier = Arc::new(Barrier::new(2).unwrap());
    let waiter = {
        let barrier = barrier.clone();
        std::thread::spawn(move || barrier.wait())
    };
    until("the waiter arrived", || barrier.n_waiting() == 1);
    barrier.reset();
    assert!(waiter.join().unwrap().unwrap_err().is_reset());
    assert!(!barrier.broken());
    let other = {
        let barrier = barrier.clone();
        std::thread::spawn(move || barrier.wait().unwrap())
    };
    let mine = barrier.wait().unwrap();
    assert_eq!(mine + other.join().unwrap(), 1);
}

#[test]
fn reset_repairs_a_broken_barrier() {
    let barrier = Barrier::new(1).unwrap();
    barrier.abort();
    assert!(barrier.wait().is_err());
    barrier.reset();
    assert_eq!(barrier.wait().unwrap(), 0);
}

#[test]
fn a_panicking_action_breaks_the_barrier_and_reports_the_panic() {
    let barrier = Arc::new(
        Barrier::new(2)
            .unwrap()
            .with_action(|| panic!("action failed")),
    );
    let waiter = {
        let barrier = barrier.clone();
        std::thread::spawn(move || barrier.wait())
    };
    until("the waiter arrived", || barrier.n_waiting() == 1);
    let err = barrier.wait().unwrap_err();
    assert_eq!(err.action_panic().unwrap().message(), "action failed");
    assert!(std::error::Error::source(&err).is_some());
    let other = waiter.join().unwrap().unwrap_err();
    assert!(other.action_panic().is_none());
    assert!(barrier.broken());
}

#[test]
fn zero_parties_is_refused_as_in_the_process_backend() {
    let err = Barrier::new(0).unwrap_err();
    assert_eq!(err.kind(), pool_thread::ErrorKind::InvalidConfig);
    let barrier = Barrier::new(1).unwrap();
    assert_eq!(barrier.parties(), 1);
    assert_eq!(barrier.wait().unwrap(), 0);
    assert_eq!(barrier.wait().unwrap(), 0);
}

#[test]
fn an_action_may_borrow_from_the_stack() {
    let count = AtomicUsize::new(0);
    let barrier = Barrier::new(2).unwrap().with_action(|| {
        count.fetch_add(1, SeqCst);
    });
    std::thread::scope(|s| {
        s.spawn(|| barrier.wait().unwrap());
        barrier.wait().unwrap();
    });
    assert_eq!(count.load(SeqCst), 1);
}
