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
//!    to: poolrt's hook records the location of every panic, then calls it
//!    for every panic but those of tasks (see below).
//! 2. A hook set **after** replaces poolrt's hook in `std`, so `std` calls
//!    it directly. If it chains to the hook it replaced (what
//!    [`take_hook`](std::panic::take_hook) hands back, which is poolrt's),
//!    poolrt still records locations; if it does not, a task's
//!    [`Panic`] keeps its message and thread name but has no location.
//!    poolrt does not put its hook back in front: `take_hook` followed by
//!    `set_hook` is two steps, and a panic on another thread between them
//!    would reach neither hook.
//!
//! # A caught task panic is not printed
//!
//! A panic inside a task is caught and handed to whoever reads the task's
//! result, the way Python hands an exception raised in a task to
//! `future.result()` without printing it. So the hook does not pass the
//! panics [`catch_task`] catches on to the hook it chains to: they are
//! values, not crashes. The same goes for the other panics a caller
//! receives as an error: a pool initializer's (every task of the broken
//! pool reports it), a barrier action's (its `wait` returns it). Every
//! other panic (the program's own, a panicking done-callback, a `Thread`'s
//! or a `Process`'s target) goes on to the previous hook, which prints it
//! (Rust's "thread panicked at" line) or does what the program's hook
//! does.
//!
//! A panicked task whose result nobody reads is not lost: the report hook
//! (see `report.rs`) reports it when its handle is dropped, as Python
//! reports an exception that was never retrieved. A task that catches its
//! own panic with `catch_unwind` is quiet too, since it runs inside a task.
//! A hook the program sets after the first pool (case 2 above) is called
//! by `std` directly, so it sees task panics as well.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use crate::error::Panic;

thread_local! {
    /// The location of the last panic that started on this thread.
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
    /// Whether a panic on this thread now is caught by [`catch_task`] and
    /// delivered as a value (the hook leaves it out), or shown.
    static DELIVERED: Cell<Delivery> = const { Cell::new(Delivery::Shown) };
}

/// What happens to a panic on this thread once it is caught.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Delivery {
    /// Nobody receives it as a value: the panic hook shows it.
    Shown,
    /// A task's caller receives it as a value: the hook does not print it.
    AsValue,
}

/// Sets this thread's [`Delivery`] for as long as it lives, then puts the
/// previous one back (also when dropped during an unwind).
struct DeliveryScope(Delivery);

impl DeliveryScope {
    fn enter(delivery: Delivery) -> Self {
        Self(DELIVERED.with(|slot| slot.replace(delivery)))
    }
}

impl Drop for DeliveryScope {
    fn drop(&mut self) {
        // `try_with`: a scope may end during thread teardown.
        let _ = DELIVERED.try_with(|slot| slot.set(self.0));
    }
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
            let delivery = DELIVERED.try_with(Cell::get).unwrap_or(Delivery::Shown);
            if delivery == Delivery::Shown {
                previous(info);
            }
        }));
    });
}

/// Runs `f`, turning a panic into a [`Panic`] report with message, location
/// and thread name. The panic hook shows the panic as usual (see
/// [`catch_task`] for panics that are delivered to a caller instead).
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
    let _shown = DeliveryScope::enter(Delivery::Shown);
    catch_unwind(f)
}

/// Runs `f` as a task whose panic is delivered to a caller as a value: as
/// [`catch`], but the panic hook does not pass the panic on to the hook it
/// chains to, so nothing is printed for it. Backends run user code under
/// it when the [`Panic`] reaches a caller (a task's result, a barrier's
/// error, a worker process's reply to its parent).
///
/// # Examples
///
/// ```
/// // Nothing is printed on standard error for this panic.
/// let report = pool_core::catch_task_panic(|| -> u32 { panic!("boom") }).unwrap_err();
/// assert_eq!(report.message(), "boom");
/// assert!(report.location().unwrap().contains(".rs:"));
/// ```
pub fn catch_task<R>(f: impl FnOnce() -> R) -> Result<R, Panic> {
    install_hook();
    catch_installed(f)
}

/// [`catch_task`] for callers that know the hook is installed (the
/// schedulers install it when they are built): the job path pays only for
/// `catch_unwind` and two thread-local writes.
pub(crate) fn catch_installed<R>(f: impl FnOnce() -> R) -> Result<R, Panic> {
    let _as_value = DeliveryScope::enter(Delivery::AsValue);
    catch_unwind(f)
}

fn catch_unwind<R>(f: impl FnOnce() -> R) -> Result<R, Panic> {
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
