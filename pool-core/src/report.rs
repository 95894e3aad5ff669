//! Failures that have no caller to return to.
//!
//! A task whose error nobody read, or a done-callback that panicked, cannot
//! return an error to anyone. Rather than lose it, poolrt reports it through a
//! process-wide hook, the way Python prints "exception was never retrieved".
//! Programs can route reports elsewhere (a logger, a test's collector) with
//! [`set_report_hook`]; such a hook receives every report.
//!
//! The default hook writes one line to standard error for each report, with
//! one exception: a done-callback's panic was shown when it happened, by
//! the panic hook (Rust's default "thread panicked at" line, or the
//! program's own hook), so the default report hook does not print it a
//! second time. A task's panic is different: the panic hook leaves it out
//! (its caller receives it as a value, see `unwind.rs`), so a panicked
//! task nobody read is printed here, with its message and location, once.

use std::fmt;
use std::sync::{Arc, RwLock};

use crate::error::{Error, Panic};

/// Something poolrt could not hand to any caller.
///
/// # Examples
///
/// ```
/// use poolrt::{Error, Report};
///
/// let err = Error::cancelled();
/// let report = Report::Unretrieved(&err);
/// assert_eq!(report.to_string(), "a task's error was never retrieved: task was cancelled");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Report<'a> {
    /// A task failed and its handle was dropped without anyone reading the
    /// error.
    Unretrieved(&'a Error),
    /// A done-callback panicked. The panic was caught; the pool goes on.
    CallbackPanicked(&'a Panic),
    /// A pool being dropped has waited a while for its work: the text
    /// says for which tasks and workers.
    DropWaiting(&'a str),
    /// A pool being dropped ran out of its bound and terminated its
    /// workers: the text says what it cut short.
    DropCutShort(&'a str),
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Report::Unretrieved(error) => write_unretrieved(f, error),
            Report::CallbackPanicked(panic) => write!(f, "a done-callback panicked: {panic}"),
            Report::DropWaiting(what) => write!(f, "a dropped pool is still waiting: {what}"),
            Report::DropCutShort(what) => {
                write!(f, "a dropped pool ran out of time and terminated: {what}")
            }
        }
    }
}

fn write_unretrieved(f: &mut fmt::Formatter<'_>, error: &Error) -> fmt::Result {
    write!(f, "a task's error was never retrieved: {error}")?;
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        write!(f, ": {cause}")?;
        source = cause.source();
    }
    Ok(())
}

/// Whether the default hook prints `report`: not a done-callback's panic,
/// which the panic hook has already shown.
fn shown_by_default(report: &Report<'_>) -> bool {
    !matches!(report, Report::CallbackPanicked(_))
}

type Hook = Arc<dyn Fn(&Report<'_>) + Send + Sync>;

static HOOK: RwLock<Option<Hook>> = RwLock::new(None);

/// Replaces the report hook for the whole process.
///
/// # Examples
///
/// ```
/// use std::sync::{Arc, Mutex};
///
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let sink = seen.clone();
/// poolrt::set_report_hook(move |report| sink.lock().unwrap().push(report.to_string()));
/// # poolrt::reset_report_hook();
/// ```
pub fn set_report_hook(hook: impl Fn(&Report<'_>) + Send + Sync + 'static) {
    *HOOK.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(hook));
}

/// Restores the default hook, which writes each report to standard error,
/// leaving out the done-callback panics the panic hook already printed.
///
/// # Examples
///
/// ```
/// poolrt::set_report_hook(|_| {});
/// poolrt::reset_report_hook();
/// ```
pub fn reset_report_hook() {
    *HOOK.write().unwrap_or_else(|e| e.into_inner()) = None;
}

/// Hands `report` to the current hook. The hook runs without any poolrt lock
/// held, so it may itself use poolrt. Backends call it for what they
/// cannot hand to a caller (a drop that waits).
///
/// # Examples
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use poolrt::Report;
///
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let sink = seen.clone();
/// poolrt::set_report_hook(move |report| sink.lock().unwrap().push(report.to_string()));
/// pool_core::report(&Report::DropWaiting("worker process 7"));
/// poolrt::reset_report_hook();
/// assert_eq!(seen.lock().unwrap()[0], "a dropped pool is still waiting: worker process 7");
/// ```
pub fn report(report: &Report<'_>) {
    emit(report);
    let hook = HOOK.read().unwrap_or_else(|e| e.into_inner()).clone();
    match hook {
        Some(hook) => hook(report),
        None => {
            if shown_by_default(report) {
                eprintln!("poolrt: {report}");
            }
        }
    }
}

/// The report as a `tracing` event (`poolrt.report`), whatever the hook;
/// nothing without the `tracing` feature.
fn emit(report: &Report<'_>) {
    match report {
        Report::Unretrieved(_) | Report::CallbackPanicked(_) => {
            crate::__event!(ERROR, "poolrt.report", kind = report.kind(), message = %report);
        }
        Report::DropWaiting(_) | Report::DropCutShort(_) => {
            crate::__event!(WARN, "poolrt.report", kind = report.kind(), message = %report);
        }
    }
}

impl Report<'_> {
    /// The report's kind as the `kind` field of its `poolrt.report` event:
    /// `unretrieved`, `callback_panicked`, `drop_waiting` or
    /// `drop_cut_short`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pool_core::{Error, Report};
    ///
    /// assert_eq!(Report::Unretrieved(&Error::cancelled()).kind(), "unretrieved");
    /// assert_eq!(Report::DropWaiting("worker process 7").kind(), "drop_waiting");
    /// ```
    pub fn kind(&self) -> &'static str {
        match self {
            Report::Unretrieved(_) => "unretrieved",
            Report::CallbackPanicked(_) => "callback_panicked",
            Report::DropWaiting(_) => "drop_waiting",
            Report::DropCutShort(_) => "drop_cut_short",
        }
    }
}
