//! Catching user panics at the job boundary, with their location.
//!
//! `catch_unwind` hands back only the payload; the location is known only to
//! the panic hook. [`install_hook`] chains a hook in front of whatever hook is
//! installed that records the location of every panic in a thread-local. The
//! panic that unwinds into [`catch`] is the last one that started on its
//! thread, so [`catch`] pairs the payload with that location. Recording
//! costs nothing on the path where no panic happens.
//!
//! # The program's own panic hook
//!
//! The panic hook belongs to the program; poolrt never takes it away. Each
//! panic goes to exactly one hook, the one `std` holds when it happens:
//!
//! 1. A hook set **before** the first pool is the one poolrt's hook chains
//!    to: poolrt's hook records the location, then calls it, for every
//!    panic, in tasks or not.
//! 2. A hook set **after** replaces poolrt's hook in `std`, so `std` calls
//!    it directly. If it chains to the hook it replaced (what
//!    [`take_hook`](std::panic::take_hook) hands back, which is poolrt's),
//!    poolrt still records locations; if it does not, a task's
//!    [`Panic`] keeps its message and thread name but has no location.
//!    poolrt does not put its hook back in front: `take_hook` followed by
//!    `set_hook` is two steps, and a panic on another thread between them
//!    would reach neither hook.
//!
//! # One report per panic
//!
//! The panic hook shows a panic once, when it happens (with no hook of the
//! program's own, that is Rust's "thread panicked at" line). poolrt does
//! not print it again: the default report hook (see `report.rs`) leaves out
//! a panicked task whose result nobody read and a panicking done-callback.
//! A program that installs a report hook gets those reports too.

use std::any::Any;
use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use crate::error::Panic;

thread_local! {
    /// The location of the last panic that started on this thread.
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs the location-recording panic hook once per process.
pub(crate) fn install_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let location = info.location().map(|l| l.to_string());
            // `try_with`: a panic during thread teardown has no slot left.
            let _ = LOCATION.try_with(|slot| {
                if let Ok(mut slot) = slot.try_borrow_mut() {
                    *slot = location;
                }
            });
            previous(info);
        }));
    });
}

/// Runs `f`, turning a panic into a [`Panic`] report with message, location
/// and thread name.
///
/// # Examples
///
/// ```
/// let report = pool_core::catch_panic(|| -> u32 { panic!("boom") }).unwrap_err();
/// assert_eq!(report.message(), "boom");
/// assert!(report.location().unwrap().contains(".rs:"));
/// ```
pub fn catch<R>(f: impl FnOnce() -> R) -> Result<R, Panic> {
    install_hook();
    catch_installed(f)
}

/// [`catch`] for callers that know the hook is installed (the schedulers
/// install it when they are built): the job path pays only for
/// `catch_unwind`.
pub(crate) fn catch_installed<R>(f: impl FnOnce() -> R) -> Result<R, Panic> {
    panic::catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let location = LOCATION.with(|slot| slot.borrow_mut().take());
        let thread = std::thread::current().name().map(str::to_owned);
        Panic::new(message_of(payload), location, thread)
    })
}

/// Extracts the message of a panic payload and disposes of the payload.
fn message_of(payload: Box<dyn Any + Send>) -> String {
    let message = if let Some(s) = payload.downcast_ref::<&'static str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "Box<dyn Any>".to_owned()
    };
    // A payload whose destructor panics must not unwind into the pool.
    if let Err(inner) = panic::catch_unwind(AssertUnwindSafe(|| drop(payload))) {
        std::mem::forget(inner);
    }
    message
}
