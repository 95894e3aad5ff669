//! Dropping a pool or executor whose task never ends: the drop still
//! waits for submitted work, says through the report hook what it waits
//! for, and with a `drop_timeout` terminates and says what it cut short.

mod support;

use std::sync::Mutex;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use pool_core::ErrorKind;
use pool_process::{Pool, ProcessPoolExecutor};
use support::{BOUND, Rendezvous, gone, held_pid, runaway, start_runaway};

/// The report hook is process-wide: the tests that set it take turns.
static HOOK: Mutex<()> = Mutex::new(());

/// Routes reports to a channel for the rest of the test.
fn collect_reports() -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    pool_core::set_report_hook(move |report| {
        let _ = tx.lock().unwrap().send(report.to_string());
    });
    rx
}

#[test]
fn a_bounded_drop_terminates_a_runaway_pool_and_reports_it() {
    let _turn = HOOK.lock().unwrap_or_else(|e| e.into_inner());
    let reports = collect_reports();
    let pool = Pool::builder()
        .processes(1)
        .drop_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let (result, pid) = start_runaway(&pool);
    let start = Instant::now();
    drop(pool);
    assert!(start.elapsed() < BOUND);
    pool_core::reset_report_hook();
    let err = result.get_timeout(BOUND).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Shutdown, "{err}");
    gone(pid);
    let report = reports.recv_timeout(BOUND).unwrap();
    assert!(
        report.contains("ran out of time and terminated"),
        "{report}"
    );
    assert!(report.contains(&pid.to_string()), "{report}");
}

#[test]
fn a_bounded_drop_of_an_executor_terminates_it() {
    let _turn = HOOK.lock().unwrap_or_else(|e| e.into_inner());
    let reports = collect_reports();
    let executor = ProcessPoolExecutor::builder()
        .processes(1)
        .drop_timeout(Duration::from_millis(200))
        .build_executor()
        .unwrap();
    let meet = Rendezvous::new();
    let running = executor.submit(runaway, meet.path()).unwrap();
    drop(meet.arrival());
    let pid = executor.pids()[0];
    drop(executor);
    pool_core::reset_report_hook();
    assert_eq!(
        running.result_timeout(BOUND).unwrap_err().kind(),
        ErrorKind::Shutdown
    );
    gone(pid);
    let report = reports.recv_timeout(BOUND).unwrap();
    assert!(report.contains(&pid.to_string()), "{report}");
}

#[test]
fn an_unbounded_drop_waits_for_the_work_and_says_what_it_waits_for() {
    let _turn = HOOK.lock().unwrap_or_else(|e| e.into_inner());
    let reports = collect_reports();
    let pool = Pool::new(1).unwrap();
    let meet = Rendezvous::new();
    let result = pool.apply_async(held_pid, meet.path()).unwrap();
    let held = meet.arrival();
    let pid = pool.pids()[0];
    let dropping = std::thread::spawn(move || drop(pool));
    // The drop reports after a few seconds (5 s), well within BOUND.
    let report = reports.recv_timeout(BOUND).unwrap();
    assert!(report.contains("still waiting"), "{report}");
    assert!(report.contains(&pid.to_string()), "{report}");
    assert!(!dropping.is_finished(), "the drop still waits");
    held.release();
    dropping.join().unwrap();
    pool_core::reset_report_hook();
    assert_eq!(result.get().unwrap(), pid, "nothing was lost");
}
