//! Callbacks of `apply_async_with` and `map_async_with`: they run in the
//! parent, on one result-handler thread, in completion order; the error
//! callback gets the error; a panicking callback is reported and later
//! callbacks still run.

mod support;

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::{self, ThreadId};

use pool_process::{Callbacks, Pool};
use support::{BOUND, Rendezvous, held_pid, worker_pid};

/// Where a callback ran and what it saw.
#[derive(Debug)]
struct Seen {
    pid: u32,
    thread: ThreadId,
    value: Result<u32, String>,
}

fn recorder(tx: &mpsc::Sender<Seen>) -> Callbacks<u32> {
    let (on_ok, on_err) = (tx.clone(), tx.clone());
    Callbacks::new()
        .on_result(move |v: &u32| {
            on_ok
                .send(Seen {
                    pid: std::process::id(),
                    thread: thread::current().id(),
                    value: Ok(*v),
                })
                .unwrap();
        })
        .on_error(move |e| {
            on_err
                .send(Seen {
                    pid: std::process::id(),
                    thread: thread::current().id(),
                    value: Err(e
                        .panic()
                        .map_or_else(|| e.to_string(), |p| p.message().to_owned())),
                })
                .unwrap();
        })
}

fn fail(message: String) -> u32 {
    panic!("{message}")
}

#[test]
fn callbacks_run_in_the_parent_while_the_task_runs_in_a_worker() {
    let pool = Pool::new(2).unwrap();
    let (tx, rx) = mpsc::channel();
    let result = pool
        .apply_async_with(worker_pid, (), recorder(&tx))
        .unwrap();
    let task_pid = result.get_timeout(BOUND).unwrap();
    let seen = rx.try_recv().expect("the callback ran before get returned");
    assert_eq!(seen.pid, std::process::id(), "callback in the parent");
    assert_ne!(task_pid, std::process::id(), "task in a worker");
    assert_eq!(seen.value, Ok(task_pid));
    assert_ne!(seen.thread, thread::current().id());
}

#[test]
fn all_callbacks_run_on_one_result_handler_thread() {
    let pool = Pool::new(2).unwrap();
    let (tx, rx) = mpsc::channel();
    let results: Vec<_> = (0..20)
        .map(|_| {
            pool.apply_async_with(worker_pid, (), recorder(&tx))
                .unwrap()
        })
        .collect();
    let failing = pool
        .apply_async_with(fail, "bad".to_owned(), recorder(&tx))
        .unwrap();
    let (map_tx, map_rx) = mpsc::channel();
    let mapped = pool
        .map_async_with(
            |x: u32| x + 1,
            0..100,
            Callbacks::new().on_result(move |v: &Vec<u32>| {
                map_tx.send((thread::current().id(), v.len())).unwrap();
            }),
        )
        .unwrap();
    for r in &results {
        r.get_timeout(BOUND).unwrap();
    }
    assert!(failing.get_timeout(BOUND).is_err());
    assert_eq!(mapped.get_timeout(BOUND).unwrap().len(), 100);
    let seen: Vec<Seen> = rx.try_iter().collect();
    assert_eq!(seen.len(), 21);
    let (map_thread, len) = map_rx.try_recv().unwrap();
    assert_eq!(len, 100);
    let handler = seen[0].thread;
    assert_ne!(handler, thread::current().id());
    assert!(seen.iter().all(|s| s.thread == handler), "{seen:?}");
    assert_eq!(map_thread, handler);
    assert!(seen.iter().all(|s| s.pid == std::process::id()));
}

#[test]
fn callbacks_run_in_completion_order() {
    let pool = Pool::new(2).unwrap();
    let (first, second) = (Rendezvous::new(), Rendezvous::new());
    let (tx, rx) = mpsc::channel();
    let tagged = |tag: &'static str| {
        let tx = tx.clone();
        Callbacks::new().on_result(move |_: &u32| tx.send(tag).unwrap())
    };
    let a = pool
        .apply_async_with(held_pid, first.path(), tagged("a"))
        .unwrap();
    let b = pool
        .apply_async_with(held_pid, second.path(), tagged("b"))
        .unwrap();
    let (held_a, held_b) = (first.arrival(), second.arrival());
    // b, submitted second, completes first.
    held_b.release();
    assert_eq!(rx.recv_timeout(BOUND).unwrap(), "b");
    // Ready once its callbacks have returned (as in Python), so maybe not
    // yet while the callback sends.
    assert!(b.wait_timeout(BOUND));
    assert!(!a.ready());
    held_a.release();
    assert_eq!(rx.recv_timeout(BOUND).unwrap(), "a");
    assert!(a.get().is_ok() && b.get().is_ok());
}

#[test]
fn the_error_callback_gets_the_error() {
    let pool = Pool::new(1).unwrap();
    let (tx, rx) = mpsc::channel();
    let result = pool
        .apply_async_with(fail, "callback sees this".to_owned(), recorder(&tx))
        .unwrap();
    let err = result.get_timeout(BOUND).unwrap_err();
    assert!(err.is_panic());
    let seen = rx.try_recv().unwrap();
    assert_eq!(seen.value, Err("callback sees this".to_owned()));
    assert_eq!(seen.pid, std::process::id());
}

#[test]
fn map_async_with_calls_back_with_every_result_or_the_first_error() {
    let pool = Pool::new(2).unwrap();
    let (tx, rx) = mpsc::channel();
    let err_tx = tx.clone();
    let result = pool
        .map_async_with(
            |x: u64| x * 3,
            0..50u64,
            Callbacks::new()
                .on_result(move |v: &Vec<u64>| tx.send(Ok(v.clone())).unwrap())
                .on_error(move |e| err_tx.send(Err(e.to_string())).unwrap()),
        )
        .unwrap();
    let values = result.get_timeout(BOUND).unwrap();
    assert_eq!(values, (0..50).map(|x| x * 3).collect::<Vec<_>>());
    assert_eq!(rx.try_recv().unwrap(), Ok(values));

    let (tx, rx) = mpsc::channel();
    let result = pool
        .map_async_with(
            |x: u64| if x == 7 { panic!("seven") } else { x },
            0..20u64,
            Callbacks::new()
                .on_result(|_: &Vec<u64>| panic!("no result expected"))
                .on_error(move |e| tx.send(e.to_string()).unwrap()),
        )
        .unwrap();
    let err = result.get_timeout(BOUND).unwrap_err();
    assert_eq!(err.panic().unwrap().message(), "seven");
    let reported = rx.try_recv().unwrap();
    assert!(reported.contains("item 7"), "{reported}");
}

#[test]
fn a_panicking_callback_is_reported_and_later_callbacks_still_run() {
    const MARK: &str = "callback boom 7d1f";
    let reports = Arc::new(Mutex::new(Vec::new()));
    let sink = reports.clone();
    pool_core::set_report_hook(move |report| {
        let text = report.to_string();
        if text.contains(MARK) {
            sink.lock().unwrap().push(text);
        }
    });
    let pool = Pool::new(1).unwrap();
    let panicking = pool
        .apply_async_with(
            worker_pid,
            (),
            Callbacks::new().on_result(|_: &u32| panic!("{MARK}")),
        )
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let later = pool
        .apply_async_with(worker_pid, (), recorder(&tx))
        .unwrap();
    let pid = panicking.get_timeout(BOUND).unwrap();
    assert_eq!(later.get_timeout(BOUND).unwrap(), pid);
    assert_eq!(
        rx.try_recv().unwrap().value,
        Ok(pid),
        "the later callback ran"
    );
    pool_core::reset_report_hook();
    let reports = reports.lock().unwrap();
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert!(reports[0].contains("panicked"), "{}", reports[0]);
}
