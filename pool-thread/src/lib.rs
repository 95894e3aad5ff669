//! poolrt's thread backend, for IO-bound work.
//!
//! # The model
//!
//! [`ThreadPoolExecutor`] is Python's `concurrent.futures.ThreadPoolExecutor`
//! on poolrt's work-stealing scheduler (`pool-core`): threads start on
//! demand up to `max_workers`, every submit returns a [`TaskFuture`], and
//! shutdown, `map`, initializers and broken pools behave as in Python,
//! except that nothing blocks forever without a timeout variant and no
//! failure is dropped silently.
//!
//! Beside it lives Python's `threading` and `queue` toolkit with Python's
//! semantics: [`Thread`] (with `current_thread`, daemon threads and
//! [`join_non_daemon`]), [`Lock`], [`RLock`], [`Condition`],
//! [`Semaphore`], [`BoundedSemaphore`], [`Event`], [`Barrier`], [`Timer`],
//! and the queue family [`Queue`], [`LifoQueue`], [`PriorityQueue`],
//! [`SimpleQueue`] with `task_done`, `join` and Python 3.13's `shutdown`.
//! Blocking calls come in three shapes (`acquire`, `try_acquire`,
//! `acquire_timeout`) instead of Python's `blocking`/`timeout` arguments, so
//! the combinations Python rejects at run time cannot be written; errors
//! hand back what could not be delivered (`PutError::Full(item)`).
//!
//! The types this backend shares with `pool-process` (locks, semaphores,
//! `Event`, `Condition`, `Barrier`, `Queue`, `SimpleQueue`, the
//! `Thread`/`Process` lifecycle) take and return the same types, errors
//! included ([`ReleaseError`], [`BrokenBarrierError`], [`PutError`],
//! [`GetError`], [`Error`]); constructors return `Result` because the
//! process backend's allocate shared memory.
//!
//! # Glossary
//!
//! | role | what it is |
//! |------|------------|
//! | **executor** | the pool a program submits to; owns the scheduler, shuts it down on drop |
//! | **worker** | one of the executor's threads, named `{prefix}_{n}` |
//! | **future** | the handle of one submitted task ([`TaskFuture`]) |
//! | **scope** | a block whose tasks may borrow local data ([`ThreadPoolExecutor::scope`]) |
//! | **thread** | a [`Thread`] started by the toolkit, named `Thread-N` unless named |
//! | **guard** | the RAII handle of a held lock ([`LockGuard`]): Python's `with lock:` |
//!
//! # Example
//!
//! ```
//! use std::time::Duration;
//! use poolrt::thread::ThreadPoolExecutor;
//!
//! let executor = ThreadPoolExecutor::new(16).unwrap();
//! let futures: Vec<_> = (0..16)
//!     .map(|i| {
//!         executor
//!             .submit(move || {
//!                 std::thread::sleep(Duration::from_millis(20)); // an IO wait
//!                 i
//!             })
//!             .unwrap()
//!     })
//!     .collect();
//! for future in poolrt::as_completed(futures, Some(Duration::from_secs(10))) {
//!     let i = future.unwrap().result().unwrap();
//!     assert!(i < 16);
//! }
//! ```
#![forbid(unsafe_code)]

mod barrier;
mod builder;
mod condition;
mod deadline;
mod error;
mod event;
mod executor;
mod lock;
mod map;
mod queue;
mod rlock;
mod semaphore;
mod slack;
mod thread;
mod timer;

#[allow(deprecated)]
pub use crate::builder::Builder;
pub use crate::builder::{ThreadPoolBuilder, default_max_workers};
pub use crate::executor::ThreadPoolExecutor;
pub use crate::map::Map;

pub use crate::barrier::Barrier;
pub use crate::condition::{Condition, ConditionGuard, ConditionLock};
pub use crate::error::{BrokenBarrierError, ReleaseError};
pub use crate::event::Event;
pub use crate::lock::{Lock, LockGuard};
#[allow(deprecated)]
pub use crate::queue::{Empty, ShutDown};
pub use crate::queue::{
    Fifo, GetError, Immediate, Lifo, LifoQueue, Order, OrderedQueue, Priority, PriorityQueue,
    PutError, Queue, SimpleQueue, TaskDoneError,
};
pub use crate::rlock::{RLock, RLockGuard};
pub use crate::semaphore::{BoundedSemaphore, Semaphore};
pub use crate::thread::{
    Daemon, Target, Thread, ThreadBuilder, current_thread, get_ident, get_native_id,
    join_non_daemon, join_non_daemon_timeout,
};
#[allow(deprecated)]
pub use crate::thread::{JoinError, Run, StartError};
pub use crate::timer::Timer;
pub use pool_core::{
    AsCompleted, CancelFutures, Deadline, Error, ErrorKind, Outcome, ReturnWhen, Scope, ScopeMap,
    SubmitError, TaskFuture, Wait, as_completed, wait,
};
