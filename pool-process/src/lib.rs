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
//! ends of a [`Pipe()`] — whose descriptors the child inherits. A
//! process already running gets them sent through a [`Connection`] or a
//! [`Queue`] (the descriptors travel with the message; Python sends only
//! a `Connection` this way); as in Python, never through a pool task.
//! They live in shared memory and wait on futexes (`src/shared/`).
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
//! # Layout: where a change belongs
//!
//! Folders name roles; dependencies point down this table (a module uses
//! only those below it), so there are no cycles.
//!
//! | folder | role | start at |
//! |--------|------|----------|
//! | `pool/`, `executor.rs`, `builder.rs` | the user's pools: [`Pool`] and its results ([`AsyncResult`], [`IMap`], chunking), [`ProcessPoolExecutor`], and the settings both are built from | `pool/mod.rs` |
//! | `process/` | one [`Process`]: its builder, the supervisor thread that starts and reaps it, the registry of children and Python's exit rule, [`current_process`], [`parent_process`] | `process/mod.rs` (lifecycle as numbered steps) |
//! | `link/` | the parent's side of one worker: launch and handshake, serving tasks, exit status and reaping | `link/mod.rs` (lifecycle as numbered steps) |
//! | `worker/` | the child's side: the pre-`main` hook, the settings marker, the serve loop, the build fingerprint | `worker/mod.rs` |
//! | `task/` | what a task is ([`Wire`], [`StarFn`], [`Target`], [`InitOutcome`]) and the entry functions that run one in a worker | `task/mod.rs` |
//! | `shared/` | objects shared with children: `sync/` (one file per primitive), `queue/` (the ring and the queue types), `socket/` ([`Pipe`], [`Fd`], and [`connection`]: `Listener`, `Client`, `wait`), `manager/` ([`Manager`] and its proxies), `value/` ([`Value`], [`Array`]) | `shared/mod.rs` |
//! | `shared/memory/` | shared memory by name: [`SharedMemory`], [`ShareableList`] (CPython's layout), [`SharedMemoryManager`]; the tracker that unlinks leftovers is `sys/shm_tracker.rs` | `shared/memory/mod.rs` |
//! | `wire/` | what crosses between processes: the value codec, the message formats, the table of inherited descriptors | `wire/codec.rs` |
//! | `sys/` | the OS layer and the only `unsafe` code: spawn, the shared region and mailbox, segments, futexes, entry offsets, boot-time descriptors | `sys/README.md` |
//!
//! # Example
//!
//! ```
//! use poolrt::process::Pool;
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
// The process backend is Linux-only for now (memfd, pidfd, futexes,
// `.init_array`): elsewhere the crate is empty, and the facade does not
// depend on it.
#![cfg(target_os = "linux")]
#![deny(unsafe_code)]

mod builder;
mod executor;
mod link;
mod pool;
mod process;
/// Hooks for backends whose workers are not child processes (`pool-mpi`):
/// not part of the stable API.
#[doc(hidden)]
pub mod remote {
    pub use crate::link::remote::{
        RemoteWorker, RemoteWorkers, STATUS_OK, exit_request, fingerprint, forward, serve_request,
    };
}
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
pub use crate::link::{ExitReason, StartMethod, WorkerExit};

/// The old name of [`ExitReason`], which shadowed `std::process::ExitStatus`.
///
/// # Examples
///
/// ```
/// #![allow(deprecated)]
/// use poolrt::process::{ExitReason, ExitStatus};
///
/// let status: ExitStatus = ExitReason::Code(0);
/// assert_eq!(status.to_string(), "exited with code 0");
/// ```
#[deprecated(note = "renamed to ExitReason: it shadowed std::process::ExitStatus")]
pub type ExitStatus = ExitReason;
pub use crate::pool::{AsyncResult, Callbacks, IMap, Pool, StopHandle, TaskFn, TaskOptions};
pub use crate::pool::{ProcessMetrics, WorkerMetrics};
pub use crate::process::{
    CurrentProcess, ParentProcess, Process, ProcessBuilder, active_children, current_process,
    parent_process,
};
pub use crate::shared::Immediate;
pub use crate::shared::connection;
pub use crate::shared::managers;
pub use crate::shared::{
    Array, ArrayGuard, Barrier, BoundedSemaphore, Condition, ConditionGuard, Connection, Dict,
    Element, Event, Fd, GetError, JoinableQueue, List, Lock, LockGuard, Manager, Pipe, PutError,
    Queue, RLock, Semaphore, SimpleQueue, Value, ValueGuard,
};
pub use crate::shared::{Item, ShareableList, SharedMemory, SharedMemoryManager};
pub use crate::shared::{RawArray, RawValue, SharedLock};
pub use crate::task::{InitOutcome, StarFn, Target, Wire};
pub use pool_core::{BrokenBarrierError, Daemon, Deadline, Outcome, ReleaseError};

/// For fault-injection tests only: turns lent replies off in this process,
/// so large results go through the shared region, as on a machine whose
/// kernel does not let a pool read its workers' memory (`sys/lend.rs`).
///
/// Only with the test-only feature `fault-injection`.
#[cfg(feature = "fault-injection")]
#[doc(hidden)]
pub fn fault_disable_lending() {
    sys::lend::disable();
}

/// For fault-injection tests only: the worker of the next lent result
/// (`sys/lend.rs`) is killed after it replied and before the parent reads
/// the result out of its memory.
///
/// Only with the test-only feature `fault-injection`.
#[cfg(feature = "fault-injection")]
#[doc(hidden)]
pub fn fault_kill_next_lender() {
    sys::lend::kill_next_lender();
}
