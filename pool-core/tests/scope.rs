//! `Scheduler::scope` erases its tasks' lifetimes (`src/scope.rs`); these
//! tests check the promise that makes it sound: everything a scoped task
//! owns that borrows the caller's stack (its closure, its unread output) is
//! dropped before `scope` returns, however the task ended.
//!
//! The borrowed data lives on the heap and each borrower reads it when
//! dropped, so a drop after `scope` returned would read freed memory: the
//! drop count below would come up short, and valgrind's memcheck, which
//! runs these tests in CI (`.ci/valgrind`), reports the invalid read.
//! Each scope runs on a helper thread and fails instead of hanging.

mod support;

use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use pool_core::{CancelFutures, Scope};
use support::{Gate, returns, scheduler, started_signal, stop};

/// Borrows the caller's words and reads them when dropped.
struct ReadsOnDrop<'a> {
    words: &'a [String],
    dropped: &'a AtomicUsize,
}

impl Drop for ReadsOnDrop<'_> {
    fn drop(&mut self) {
        assert_eq!(self.words.concat(), "borrowedwords");
        self.dropped.fetch_add(1, SeqCst);
    }
}

fn words() -> Vec<String> {
    vec!["borrowed".to_owned(), "words".to_owned()]
}

#[test]
fn unread_outputs_that_borrow_the_caller_are_dropped_before_scope_returns() {
    returns("a scope of unread outputs", || {
        let scheduler = scheduler(2);
        let (words, dropped) = (words(), AtomicUsize::new(0));
        scheduler.scope(|s| {
            for _ in 0..8 {
                let (words, dropped) = (&words[..], &dropped);
                s.submit(move || ReadsOnDrop { words, dropped }).unwrap();
            }
        });
        assert_eq!(dropped.load(SeqCst), 8);
        drop(words);
        stop(&scheduler);
    });
}

#[test]
fn queued_tasks_cancelled_by_shutdown_drop_their_borrows_before_scope_returns() {
    returns("a scope cancelled by shutdown", || {
        let scheduler = scheduler(1);
        let (words, dropped) = (words(), AtomicUsize::new(0));
        let gate = Gate::new();
        let cancelled = scheduler.scope(|s| {
            // Hold the only worker, so the next tasks stay queued.
            let (started, wait_started) = started_signal();
            let blocker = gate.clone();
            s.submit(move || {
                started.send(()).unwrap();
                blocker.wait();
            })
            .unwrap();
            wait_started();
            let queued: Vec<_> = (0..5)
                .map(|_| {
                    let borrow = ReadsOnDrop {
                        words: &words,
                        dropped: &dropped,
                    };
                    s.submit(move || drop(borrow)).unwrap()
                })
                .collect();
            let cancelled = scheduler.shutdown(CancelFutures::Yes);
            gate.open();
            assert!(queued.iter().all(|f| f.cancelled()));
            cancelled
        });
        assert_eq!(cancelled, 5);
        assert_eq!(
            dropped.load(SeqCst),
            5,
            "every cancelled closure was dropped"
        );
        drop(words);
        stop(&scheduler);
    });
}

/// Submits a chain of `links` tasks, each from the one before, each
/// leaving an unread output that borrows the caller.
fn chain<'scope>(
    s: &'scope Scope<'scope, '_>,
    words: &'scope [String],
    dropped: &'scope AtomicUsize,
    links: usize,
) {
    if links > 0 {
        s.submit(move || {
            chain(s, words, dropped, links - 1);
            ReadsOnDrop { words, dropped }
        })
        .unwrap();
    }
}

#[test]
fn tasks_submitted_after_the_body_returned_are_dropped_before_scope_returns() {
    returns("a scope with late submits", || {
        let scheduler = scheduler(2);
        for _ in 0..10 {
            let (words, dropped) = (words(), AtomicUsize::new(0));
            let body_ended = Gate::new();
            scheduler.scope(|s| {
                let (words, dropped, body_ended) = (&words[..], &dropped, &body_ended);
                s.submit(move || {
                    body_ended.wait();
                    chain(s, words, dropped, 5);
                })
                .unwrap();
                body_ended.open(); // the body's last act
            });
            assert_eq!(dropped.load(SeqCst), 5);
        }
        stop(&scheduler);
    });
}

#[test]
fn a_scope_inside_a_task_of_a_full_pool_runs_and_drops_its_tasks() {
    returns("a scope on the pool's only worker", || {
        let scheduler = scheduler(1);
        let inner = scheduler.clone();
        let outer = scheduler.submit(move || {
            let (words, dropped) = (words(), AtomicUsize::new(0));
            inner.scope(|s| {
                let (words, dropped) = (&words[..], &dropped);
                chain(s, words, dropped, 5);
            });
            dropped.load(SeqCst)
        });
        assert_eq!(outer.unwrap().result().unwrap(), 5);
        stop(&scheduler);
    });
}

#[test]
fn a_panicking_body_waits_for_its_tasks_before_the_panic_goes_on() {
    returns("a scope whose body panics", || {
        let scheduler = scheduler(2);
        let (words, dropped) = (words(), AtomicUsize::new(0));
        let panicked = panic::catch_unwind(AssertUnwindSafe(|| {
            scheduler.scope(|s| {
                for _ in 0..4 {
                    let (words, dropped) = (&words[..], &dropped);
                    s.submit(move || ReadsOnDrop { words, dropped }).unwrap();
                }
                panic!("the body fails");
            })
        }));
        assert!(panicked.is_err());
        assert_eq!(dropped.load(SeqCst), 4);
        drop(words);
        stop(&scheduler);
    });
}
