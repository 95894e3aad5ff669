//! poolrt's process backend, for CPU-bound work.
//!
//! # The model
//!
//! A [`Pool`] (Python's `multiprocessing.Pool`) or a
//! [`ProcessPoolExecutor`] runs tasks in worker processes that are copies
//! of this very program. Each worker is started by re-executing the
//! program's own binary (`/proc/self/exe`, never a fork of the
//! multithreaded parent) and is taken over before `main` runs, so it works
//! unchanged in binaries, examples, tests, doctests and benches, with
//! nothing for the user to call.
//!
//! The pools run on `pool-core`'s scheduler: each scheduler worker is a
//! *link* thread that owns one child process and a private, already
//! connected channel to it. Task and result bytes travel through shared
//! memory; the socket beside it only wakes a sleeping side and reports a
//! dead one.
//!
//! A task is a fn item or a closure that captures nothing, whose argument
//! and result are serde types ([`Wire`]). Results come back as
//! [`pool_core::TaskFuture`]s (executor) or [`AsyncResult`]s (pool).
//!
//! A [`Process`] (Python's `multiprocessing.Process`) is one child started
//! the same way for one target, watched by a supervisor thread. Its
//! arguments may carry the objects a parent shares with its children —
//! [`Lock`], [`Queue`], [`JoinableQueue`], [`Value`], [`Array`] and the
//! ends of a [`Pipe()`] — whose descriptors the child inherits (as in
//! Python, they cannot travel through a pool, a queue or a pipe). They
//! live in shared memory and wait on futexes (`src/shared/`).
//!
//! # Glossary
//!
//! | role | what it is |
//! |------|------------|
//! | **worker** | a child process running tasks |
//! | **link** | the parent thread that owns one worker and its mailbox |
//! | **mailbox** | the shared region plus socket between a link and its worker; `src/sys/README.md` |
//! | **entry** | the function, named by its offset in the binary, that runs one kind of task in the worker |
//! | **result handler** | the parent thread that runs callbacks, in completion order |
//! | **supervisor** | the parent thread that starts one [`Process`], waits for its end and reaps it |
//! | **segment** | a memfd mapping shared by the processes holding a shared object |
//!
//! # Example
//!
//! ```
//! use pool_process::Pool;
//!
//! fn collatz_steps(mut n: u64) -> u32 {
//!     let mut steps = 0;
//!     while n != 1 {
//!         n = if n % 2 == 0 { n / 2 } else { 3 * n + 1 };
//!         steps += 1;
//!     }
//!     steps
//! }
//!
//! let pool = Pool::new(2).unwrap();
//! let steps = pool.map(collatz_steps, 1..=10_000).unwrap();
//! assert_eq!(steps[26], 111);
//! ```
#![deny(unsafe_code)]

mod builder;
mod executor;
mod link;
mod pool;
mod process;
mod shared;
#[allow(unsafe_code)]
mod sys;
mod task;
mod wire;
mod worker;

#[allow(deprecated)]
pub use crate::builder::Builder;
pub use crate::builder::{PoolBuilder, default_processes};
pub use crate::executor::ProcessPoolExecutor;
pub use crate::link::{ExitStatus, WorkerExit};
pub use crate::pool::{AsyncResult, Callbacks, IMap, Pool, TaskFn};
pub use crate::process::{
    CurrentProcess, Process, ProcessBuilder, active_children, current_process,
};
pub use crate::shared::{
    Array, ArrayGuard, Barrier, BoundedSemaphore, Condition, ConditionGuard, Connection, Dict,
    Element, Event, Fd, GetError, JoinableQueue, List, Lock, LockGuard, Manager, Pipe, PutError,
    Queue, RLock, Semaphore, SimpleQueue, Value, ValueGuard,
};
pub use crate::task::{InitOutcome, StarFn, Target, Wire};
