//! A pool thread that waits on a future blocks: it never runs an unrelated
//! task meanwhile (the "helping" that deadlocks work-stealing pools when the
//! unrelated task waits on something the first one holds).

use std::sync::{Arc, Mutex};
use std::thread::ThreadId;

use pool_test_support::{BOUND, Gate, started_signal};
use pool_thread::ThreadPoolExecutor;

#[test]
fn a_waiting_thread_runs_no_other_task() {
    let executor = Arc::new(ThreadPoolExecutor::new(2).unwrap());
    let log: Arc<Mutex<Vec<(&str, ThreadId)>>> = Arc::default();
    let gate = Gate::new();
    let (started, wait_started) = started_signal();

    // The outer task submits `inner` (to its own deque) and waits for it.
    let (outer_log, outer_exec, inner_gate) = (log.clone(), executor.clone(), gate.clone());
    let outer = executor
        .submit(move || {
            let me = std::thread::current().id();
            outer_log.lock().unwrap().push(("outer", me));
            let inner_log = outer_log.clone();
            let inner = outer_exec
                .submit(move || {
                    inner_gate.wait();
                    inner_log
                        .lock()
                        .unwrap()
                        .push(("inner", std::thread::current().id()));
                })
                .unwrap();
            started.send(()).unwrap();
            inner.result_timeout(BOUND).unwrap();
            me
        })
        .unwrap();
    wait_started();

    // While the outer task waits, unrelated tasks arrive.
    let unrelated: Vec<_> = (0..20)
        .map(|_| {
            let log = log.clone();
            executor
                .submit(move || {
                    log.lock()
                        .unwrap()
                        .push(("unrelated", std::thread::current().id()))
                })
                .unwrap()
        })
        .collect();
    gate.open();
    let outer_thread = outer.result_timeout(BOUND).unwrap();
    for f in &unrelated {
        f.result_timeout(BOUND).unwrap();
    }

    let log = log.lock().unwrap();
    let outer_pos = log.iter().position(|e| e.0 == "outer").unwrap();
    let inner_pos = log.iter().position(|e| e.0 == "inner").unwrap();
    // Between the outer task's start and its inner task's end, the outer
    // thread ran nothing else.
    for entry in &log[outer_pos + 1..inner_pos] {
        assert_ne!(entry.1, outer_thread, "{entry:?} ran on the waiting thread");
    }
    assert_ne!(
        log[inner_pos].1, outer_thread,
        "the inner task was stolen, not helped"
    );
}

#[test]
fn nested_waits_with_enough_threads_complete() {
    // Each level waits for the next: needs one thread per level, which the
    // executor starts on demand.
    fn level(executor: Arc<ThreadPoolExecutor>, depth: u32) -> u32 {
        if depth == 0 {
            return 0;
        }
        let inner = executor.clone();
        let f = executor.submit(move || level(inner, depth - 1)).unwrap();
        f.result_timeout(BOUND).unwrap() + 1
    }
    let executor = Arc::new(ThreadPoolExecutor::new(8).unwrap());
    let top = executor.clone();
    let f = executor.submit(move || level(top, 6)).unwrap();
    assert_eq!(f.result_timeout(BOUND).unwrap(), 6);
}
