//! With the `log` feature (`tracing` plus tracing's `log` bridge) and no
//! tracing subscriber, poolrt's events reach a plain `log` logger: an
//! application that logs with `log` sees them without knowing `tracing`.

use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use pool_core::{CancelFutures, Error, ErrorKind, Scheduler, SchedulerConfig};

/// A `log` logger that keeps every record's level, target and text.
struct Collector {
    lines: Mutex<Vec<(log::Level, String, String)>>,
    added: Condvar,
}

impl log::Log for Collector {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let line = (
            record.level(),
            record.target().to_owned(),
            record.args().to_string(),
        );
        self.lines.lock().unwrap().push(line);
        self.added.notify_all();
    }

    fn flush(&self) {}
}

static LOGGER: Collector = Collector {
    lines: Mutex::new(Vec::new()),
    added: Condvar::new(),
};

impl Collector {
    /// Waits (at most 20 s) for a line that `matches`.
    fn wait_for(
        &self,
        matches: impl Fn(&(log::Level, String, String)) -> bool,
    ) -> (log::Level, String, String) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut lines = self.lines.lock().unwrap();
        loop {
            if let Some(line) = lines.iter().find(|l| matches(l)) {
                return line.clone();
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "no such log line; got {lines:#?}");
            lines = self.added.wait_timeout(lines, left).unwrap().0;
        }
    }
}

#[test]
fn events_reach_a_log_logger_when_no_tracing_subscriber_is_set() {
    log::set_logger(&LOGGER).unwrap();
    log::set_max_level(log::LevelFilter::Trace);
    // Keep the default report line off standard error: the log has it.
    pool_core::set_report_hook(|_| {});

    let scheduler = Scheduler::new(SchedulerConfig::new(1, |_| Ok(()))).unwrap();
    let failed = scheduler
        .submit_fallible_with(|_: &mut ()| -> Result<u8, Error> {
            Err(Error::from_kind(ErrorKind::WorkerLost).with_detail("worker 7 went away"))
        })
        .unwrap();
    failed.wait();
    drop(failed);
    scheduler.shutdown(CancelFutures::No);
    assert!(scheduler.join(Some(Duration::from_secs(20))));

    let (level, target, text) = LOGGER.wait_for(|(_, _, text)| text.contains("worker 7 went away"));
    assert_eq!(level, log::Level::Error);
    assert_eq!(target, "poolrt");
    assert!(text.contains("unretrieved"), "{text}");
    assert!(text.contains("never retrieved"), "{text}");
    let (level, _, text) =
        LOGGER.wait_for(|(_, target, text)| target == "poolrt" && text.contains("cancelled=0"));
    assert_eq!(level, log::Level::Info, "the shutdown event: {text}");
    pool_core::reset_report_hook();
}
