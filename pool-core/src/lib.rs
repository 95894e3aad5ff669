//! The scheduler core shared by poolrt's two backends.
//!
//! # The model
//!
//! A [`Scheduler`] owns up to `max_workers` worker threads that take tasks
//! from a shared queue and from each other. Each submit returns a
//! [`TaskFuture`], the handle through which the task's value, panic or
//! cancellation reaches the caller, by blocking (`result`), with a timeout
//! (`result_timeout`), by callback (`add_done_callback`) or by `.await`.
//! [`as_completed`] and [`wait`] watch many futures at once.
//!
//! The thread backend (`pool-thread`) runs closures on workers with no
//! context; the process backend (`pool-process`) gives each worker a child
//! process as its context. Everything else is shared.
//!
//! # Glossary
//!
//! | role | what it is |
//! |------|------------|
//! | **worker** | a thread owned by the scheduler, running the search loop |
//! | **injector** | the global FIFO queue that submits from outside the pool go to |
//! | **deque** | a worker's own FIFO queue; submits from inside a task go there, a worker moves batches of up to 32 jobs there from the injector, and idle workers steal from it |
//! | **link** | (process backend) a worker whose context is one child process and its channel |
//! | **handle** | the shared state of one task, seen through its [`TaskFuture`] |
//! | **sleeper** | a worker parked until a submit wakes it; see `sleep/README.md` |
//!
//! # Example
//!
//! ```
//! use poolrt::{CancelFutures, ReturnWhen, Scheduler, SchedulerConfig};
//!
//! let scheduler = Scheduler::new(SchedulerConfig::new(2, |_| Ok(()))).unwrap();
//! let futures: Vec<_> = (0..10u64)
//!     .map(|i| scheduler.submit(move || i * i).unwrap())
//!     .collect();
//! let waited = poolrt::wait(&futures, None, ReturnWhen::AllCompleted);
//! assert_eq!(waited.done.len(), 10);
//! let total: u64 = futures.iter().map(|f| f.result().unwrap()).sum();
//! assert_eq!(total, 285);
//! scheduler.shutdown(CancelFutures::No);
//! scheduler.join(None);
//! ```

mod affinity;
mod config;
mod deadline;
mod error;
pub mod exit;
mod handle;
mod job;
mod lookahead;
mod loom;
mod metrics;
mod registry;
mod report;
mod scheduler;
mod scope;
mod sleep;
mod sync;
mod trace;
mod unwind;
mod wait;

pub use crate::affinity::allowed_cores;
pub use crate::config::{SchedulerConfig, WorkerInfo};
pub use crate::deadline::Deadline;
pub use crate::error::{Error, ErrorKind, Panic, SubmitError};
pub use crate::handle::{Help, Promise, TaskFuture, promise, promise_with_help};
#[doc(hidden)]
pub use crate::lookahead::{Lookahead, SubmitItem};
pub use crate::metrics::Metrics;
pub use crate::report::{Report, report, reset_report_hook, set_report_hook};
pub use crate::scheduler::{CancelFutures, Scheduler, Wait};
pub use crate::scope::{Scope, ScopeMap};
pub use crate::sync::{BrokenBarrierError, Daemon, GetError, Outcome, PutError, ReleaseError};
pub use crate::unwind::{catch as catch_panic, catch_task as catch_task_panic};
pub use crate::wait::{AsCompleted, ReturnWhen, Waitable, Waited, as_completed, wait};

/// What poolrt's other crates reach through pool-core's macros; not API.
#[doc(hidden)]
pub mod __private {
    #[cfg(feature = "tracing")]
    pub use crate::trace::Chain;
    #[cfg(feature = "tracing")]
    pub use tracing;
}
