//! Regression: a scoped task that submitted into its own scope after the
//! body had returned left `scope()` parked for ever, although every task
//! completed (`Scope::finish` drained its list once). The scope must return
//! once every task is done, however the tasks were submitted.
//!
//! Each scope runs on a helper thread; the test fails, instead of hanging,
//! if it has not returned within `LIMIT`.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::Duration;

use pool_test_support::Gate;
use pool_thread::{Scope, ThreadPoolExecutor};

/// How long a scope of a few trivial tasks may take, however loaded the
/// machine: only a bound, it orders nothing.
const LIMIT: Duration = Duration::from_secs(5);

/// Runs `f` on a helper thread; fails if it does not return within `LIMIT`.
fn returns<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(LIMIT) {
        Ok(value) => value,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{what} did not return within {LIMIT:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{what} panicked"),
    }
}

/// Submits a chain of `links` tasks, each submitted by the one before it.
fn chain<'scope>(s: &'scope Scope<'scope, '_>, ran: &'scope AtomicUsize, links: usize) {
    if links == 0 {
        return;
    }
    s.submit(move || {
        ran.fetch_add(1, SeqCst);
        chain(s, ran, links - 1);
    })
    .unwrap();
}

/// The body's one task waits until the body has ended, then starts a chain
/// of submissions into the scope: all of them come after the body returned.
fn late_chain_scope(executor: &ThreadPoolExecutor, links: usize) -> usize {
    let ran = AtomicUsize::new(0);
    let body_ended = Gate::new();
    executor.scope(|s| {
        let (ran, body_ended) = (&ran, &body_ended);
        s.submit(move || {
            body_ended.wait();
            chain(s, ran, links);
        })
        .unwrap();
        body_ended.open(); // the body's last act
    });
    ran.into_inner()
}

#[test]
fn late_submits_from_other_workers_are_waited_for() {
    let executor = Arc::new(ThreadPoolExecutor::new(2).unwrap());
    returns("a scope with late submits", move || {
        for _ in 0..20 {
            assert_eq!(late_chain_scope(&executor, 10), 10);
        }
    });
}

#[test]
fn late_submits_on_a_one_thread_pool_from_inside_it() {
    // The scope's owner is the pool's only worker, so it runs its tasks
    // itself: the late submits happen, deterministically, while it drains.
    let executor = Arc::new(ThreadPoolExecutor::new(1).unwrap());
    let inner = executor.clone();
    let ran = returns("a scope on the pool's only worker", move || {
        executor
            .submit(move || late_chain_scope(&inner, 10))
            .unwrap()
            .result()
            .unwrap()
    });
    assert_eq!(ran, 10);
}

#[test]
fn a_late_task_may_read_an_earlier_tasks_future() {
    // An earlier task's future must outlive every later task: the late
    // task borrows it after the round that waited for it.
    let executor = Arc::new(ThreadPoolExecutor::new(2).unwrap());
    let sum = returns("a scope whose late task reads an early future", move || {
        let body_ended = Gate::new();
        let late_result = std::sync::Mutex::new(None);
        executor.scope(|s| {
            let (body_ended, late_result) = (&body_ended, &late_result);
            let early = s.submit(|| 40).unwrap();
            s.submit(move || {
                body_ended.wait();
                s.submit(move || {
                    *late_result.lock().unwrap() = Some(early.result().unwrap() + 2);
                })
                .unwrap();
            })
            .unwrap();
            body_ended.open();
        });
        late_result.into_inner().unwrap()
    });
    assert_eq!(sum, Some(42));
}
