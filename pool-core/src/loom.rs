//! The synchronisation primitives of the lock-free parts (`handle/core.rs`,
//! `sleep/`), from std and parking_lot in every real build and from loom in
//! the model-checking build (`RUSTFLAGS="--cfg loom"`, `cargo test`), so the
//! loom models in `handle/loom_model.rs` and `sleep/loom_model.rs` run the real code.
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
//! | `thread::{current, park, park_timeout, yield_now, Thread}` | `std::thread` | `loom::thread`; `park_timeout` yields and returns at once |

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

    pub(crate) mod thread {
        pub(crate) use loom::thread::{Thread, current, park, yield_now};

        /// loom has no clock: a timed park is modelled as one that times out
        /// at once, which a real `park_timeout` may also do (a spurious or
        /// early wake-up), so no behaviour is added.
        pub(crate) fn park_timeout(_timeout: std::time::Duration) {
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
