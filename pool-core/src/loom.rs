//! The synchronisation primitives of the lock-free parts (`handle/core.rs`,
//! `sleep/`), from std and parking_lot in every real build and from loom in
//! the model-checking build (`RUSTFLAGS="--cfg loom"`, `cargo test`), so
//! the loom models in `handle/loom_model.rs` and `sleep/loom_model.rs` run
//! the real code.
//!
//! Only a `--cfg loom` *test* build of this crate switches: a `--cfg loom`
//! build of another crate's tests (pool-process's mailbox model) compiles
//! pool-core as an ordinary dependency, without loom, and gets std here.
//!
//! Each item has the same shape in both worlds; the std side is a plain
//! re-export or an `#[inline]` wrapper, so real builds pay nothing.
//!
//! | item | std build | loom build |
//! |------|-----------|------------|
//! | `AtomicU64`, `AtomicUsize`, `fence` | `std::sync::atomic` | `loom::sync::atomic` |
//! | `UnsafeCell` (`with`, `with_mut`, `get_mut`) | wraps `std::cell::UnsafeCell` | wraps `loom::cell::UnsafeCell` |
//! | `Mutex` (`lock` returns the guard) | `parking_lot::Mutex` | wraps `loom::sync::Mutex` |
//! | `thread::{current, park, park_timeout, yield_now, Thread}` | `std::thread` | park/unpark on a per-thread `loom::sync::Notify` (see its docs); `park_timeout` yields and returns at once |

#[cfg(not(all(test, loom)))]
pub(crate) use self::real::*;

#[cfg(all(test, loom))]
pub(crate) use self::model::*;

#[cfg(not(all(test, loom)))]
mod real {
    pub(crate) use parking_lot::Mutex;
    pub(crate) use std::sync::atomic::{AtomicU64, AtomicUsize, fence};

    pub(crate) mod thread {
        pub(crate) use std::thread::{Thread, current, park, park_timeout, yield_now};
    }

    /// `std::cell::UnsafeCell` with loom's access methods: the pointer is
    /// only handed to a closure, so the loom build can check each access.
    pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

    impl<T> UnsafeCell<T> {
        pub(crate) const fn new(value: T) -> UnsafeCell<T> {
            UnsafeCell(std::cell::UnsafeCell::new(value))
        }

        /// Calls `f` with a pointer for reading.
        #[inline]
        pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
            f(self.0.get())
        }

        /// Calls `f` with a pointer for writing.
        #[inline]
        pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
            f(self.0.get())
        }

        /// The value, through exclusive access to the cell.
        #[inline]
        pub(crate) fn get_mut(&mut self) -> &mut T {
            self.0.get_mut()
        }
    }
}

#[cfg(all(test, loom))]
mod model {
    pub(crate) use loom::sync::atomic::{AtomicU64, AtomicUsize, fence};

    /// park/unpark on a per-thread `loom::sync::Notify`, not on
    /// `loom::thread::park`.
    ///
    /// loom 0.7's own `unpark` makes its target runnable whatever it waits
    /// for, a loom mutex included, where the thread then panics ("expected
    /// to be able to acquire lock"). Both protocols unpark threads that may
    /// have stopped waiting and gone on to take a lock: a stale wake-up,
    /// which std turns into a spurious return from a later park. A
    /// `Notify` wakes only a thread waiting on it and otherwise keeps the
    /// token, as std does; it also returns spuriously once, so the models
    /// check that path too. A notify synchronises with the wait it ends
    /// (Release/Acquire), as `unpark` does with `park`.
    pub(crate) mod thread {
        use std::sync::Arc;
        use std::time::Duration;

        use loom::sync::Notify;

        pub(crate) use loom::thread::yield_now;

        loom::thread_local! {
            static PARKER: Arc<Notify> = Arc::new(Notify::new());
        }

        /// A handle to unpark one thread.
        #[derive(Clone)]
        pub(crate) struct Thread(Arc<Notify>);

        impl Thread {
            pub(crate) fn unpark(&self) {
                self.0.notify();
            }
        }

        pub(crate) fn current() -> Thread {
            PARKER.with(|parker| Thread(Arc::clone(parker)))
        }

        pub(crate) fn park() {
            PARKER.with(|parker| parker.wait());
        }

        /// loom has no clock: a timed park is modelled as one that times
        /// out at once, which a real `park_timeout` may also do.
        pub(crate) fn park_timeout(_timeout: Duration) {
            yield_now();
        }
    }

    /// `loom::sync::Mutex` with parking_lot's `lock` (no poisoning).
    pub(crate) struct Mutex<T>(loom::sync::Mutex<T>);

    impl<T> Mutex<T> {
        pub(crate) fn new(value: T) -> Mutex<T> {
            Mutex(loom::sync::Mutex::new(value))
        }

        pub(crate) fn lock(&self) -> loom::sync::MutexGuard<'_, T> {
            self.0
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        }
    }

    /// `loom::cell::UnsafeCell`, which checks every access against the
    /// happens-before order loom explores.
    pub(crate) struct UnsafeCell<T>(loom::cell::UnsafeCell<T>);

    impl<T> UnsafeCell<T> {
        pub(crate) fn new(value: T) -> UnsafeCell<T> {
            UnsafeCell(loom::cell::UnsafeCell::new(value))
        }

        pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
            self.0.with(f)
        }

        pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
            self.0.with_mut(f)
        }

        pub(crate) fn get_mut(&mut self) -> &mut T {
            // SAFETY: `&mut self` excludes every other access to the cell
            // for as long as the returned borrow lives.
            self.0.with_mut(|ptr| unsafe { &mut *ptr })
        }
    }
}
