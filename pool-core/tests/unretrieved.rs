//! A failure nobody read is reported when its handle goes away, like
//! Python's "exception was never retrieved"; a failure someone read is not.
//!
//! The report hook is process-wide, so every test in this file holds
//! `SERIAL` while it installs and inspects the hook.

mod support;

use std::sync::{Arc, Mutex, MutexGuard};

use pool_core::{Error, ErrorKind, promise};
use support::{BOUND, scheduler, stop};

static SERIAL: Mutex<()> = Mutex::new(());

/// Installs a collecting hook for the duration of one test.
struct Collector {
    reports: Arc<Mutex<Vec<String>>>,
    _serial: MutexGuard<'static, ()>,
}

impl Collector {
    fn install() -> Collector {
        let serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        let reports = Arc::new(Mutex::new(Vec::new()));
        let sink = reports.clone();
        pool_core::set_report_hook(move |r| sink.lock().unwrap().push(r.to_string()));
        Collector {
            reports,
            _serial: serial,
        }
    }

    fn reports(&self) -> Vec<String> {
        self.reports.lock().unwrap().clone()
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        pool_core::reset_report_hook();
    }
}

#[test]
fn a_dropped_failed_future_is_reported_with_its_cause() {
    let collector = Collector::install();
    let (promise, future) = promise::<u8>();
    promise.set_error(Error::new(
        ErrorKind::WorkerLost,
        "pid 4242 killed by SIGKILL",
    ));
    drop(future);
    assert_eq!(
        collector.reports(),
        [
            "a task's error was never retrieved: the process running it died: pid 4242 killed by SIGKILL"
        ]
    );
}

#[test]
fn a_fire_and_forget_panic_is_reported() {
    let collector = Collector::install();
    let scheduler = scheduler(1);
    // Dropped at once: nobody can ever read this panic.
    drop(scheduler.submit(|| panic!("lost in the void")).unwrap());
    stop(&scheduler);
    support::eventually("the report", || !collector.reports().is_empty());
    let reports = collector.reports();
    assert_eq!(reports.len(), 1);
    assert!(reports[0].starts_with("a task's error was never retrieved: task panicked: thread "));
    assert!(reports[0].ends_with("lost in the void"), "{}", reports[0]);
}

#[test]
fn a_read_failure_is_not_reported() {
    let collector = Collector::install();
    let scheduler = scheduler(1);
    let a = scheduler.submit(|| panic!("read by result")).unwrap();
    assert!(a.result_timeout(BOUND).is_err());
    let b = scheduler.submit(|| panic!("read by exception")).unwrap();
    assert!(b.exception().is_some());
    let c = scheduler.submit(|| panic!("read by a callback")).unwrap();
    c.add_done_callback(|outcome| assert!(outcome.is_err()));
    c.wait();
    drop((a, b, c));
    stop(&scheduler);
    assert!(collector.reports().is_empty(), "{:?}", collector.reports());
}

#[test]
fn successes_and_cancellations_are_not_reported() {
    let collector = Collector::install();
    let (p1, f1) = promise::<u8>();
    p1.set_result(1).unwrap();
    drop(f1);
    let (_p2, f2) = promise::<u8>();
    f2.cancel();
    drop(f2);
    assert!(collector.reports().is_empty());
}
