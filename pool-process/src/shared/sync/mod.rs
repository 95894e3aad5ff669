//! `Event`, `Semaphore`, `BoundedSemaphore`, `RLock`, `Condition` and
//! `Barrier`: Python's `multiprocessing` synchronisation objects, each a
//! few words in a shared segment (a `Condition` is four of them), waiting
//! on futexes.

macro_rules! shared_handle {
    ($ty:ident, $what:literal) => {
        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct($what).finish_non_exhaustive()
            }
        }

        segment_serde!($ty, $what);
    };
}

mod action;
mod any_lock;
mod barrier;
mod condition;
mod event;
pub(crate) mod lock;
mod rlock;
mod semaphore;
pub(crate) mod word;

pub(crate) use any_lock::AnyLock;
pub use any_lock::SharedLock;
pub use barrier::Barrier;
pub use condition::{Condition, ConditionGuard};
pub use event::Event;
pub use lock::{Lock, LockGuard};
pub use rlock::RLock;
pub use semaphore::{BoundedSemaphore, Semaphore};
