//! `current_thread`: a [`Thread`] handle for whichever thread asks,
//! including threads poolrt did not start.

use std::cell::OnceCell;

use super::{IDENTS, Phase, Thread, next_name, sys};

thread_local! {
    /// The calling thread's handle, set by `Thread::run` or made on first
    /// use. Its destructor marks a foreign thread finished.
    static CURRENT: CurrentCell = const { CurrentCell(OnceCell::new()) };
}

struct CurrentCell(OnceCell<Thread>);

impl Drop for CurrentCell {
    fn drop(&mut self) {
        if let Some(thread) = self.0.get() {
            thread.finish(None);
        }
    }
}

/// Records `thread` as the handle of the calling thread.
pub(super) fn set(thread: Thread) {
    let _ = CURRENT.try_with(|slot| slot.0.set(thread));
}

/// The [`Thread`] handle of the calling thread: Python's
/// `threading.current_thread()`.
///
/// - For a thread started with [`Thread`], the same handle (its name, its
///   daemon flag).
/// - For the process's main thread, a handle named `MainThread`, not a
///   daemon.
/// - For any other thread (`std::thread::spawn`, executor workers, test
///   threads), a handle named after the OS thread's name, or `Dummy-N` if it
///   has none, and a daemon, as Python's "dummy" threads are. It can be
///   joined; it finishes when the thread exits.
///
/// The main thread is the one Rust's runtime names `main`.
///
/// # Examples
///
/// ```
/// use poolrt::thread::{Thread, current_thread};
///
/// let t = Thread::builder().name("c1").target(|| {
///     assert_eq!(current_thread().name(), "c1");
/// });
/// t.start().unwrap();
/// t.join().unwrap();
/// assert_eq!(current_thread(), current_thread()); // one handle per thread
/// ```
#[doc(alias = "currentThread")]
pub fn current_thread() -> Thread {
    CURRENT
        .try_with(|slot| slot.0.get_or_init(foreign).clone())
        // During thread teardown the slot is gone: a fresh handle will do.
        .unwrap_or_else(|_| foreign())
}

/// The handle of a thread poolrt did not start.
fn foreign() -> Thread {
    let os = std::thread::current();
    let (name, daemon) = match os.name() {
        Some("main") => ("MainThread".to_owned(), false),
        Some(name) => (name.to_owned(), true),
        None => (next_name("Dummy"), true),
    };
    let thread = Thread::from_parts(name, daemon, None, Phase::Running, None);
    {
        let mut state = thread.inner.state.lock();
        state.ident = Some(IDENTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        state.native_id = sys::native_id();
        state.os_thread = Some(os.id());
    }
    thread
}

/// The calling thread's ident: Python's `threading.get_ident()`.
///
/// # Examples
///
/// ```
/// let here = poolrt::thread::get_ident();
/// let there = std::thread::spawn(poolrt::thread::get_ident).join().unwrap();
/// assert_ne!(here, there);
/// assert_eq!(here, poolrt::thread::current_thread().ident().unwrap());
/// ```
pub fn get_ident() -> u64 {
    current_thread().ident().unwrap_or(0)
}

/// The calling thread's OS id (Linux's TID): Python's
/// `threading.get_native_id()`. `None` where the OS does not tell.
///
/// # Examples
///
/// ```
/// # #[cfg(target_os = "linux")]
/// assert!(poolrt::thread::get_native_id().is_some());
/// ```
pub fn get_native_id() -> Option<u64> {
    current_thread().native_id()
}
