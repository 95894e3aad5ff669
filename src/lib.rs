//! poolrt: Python's concurrency toolkit for Rust — `threading`, `queue`,
//! `concurrent.futures` and `multiprocessing` — on one work-stealing
//! scheduler.
//!
//! Pick a backend by the kind of work, as the Python rule of thumb says:
//!
//! - [`thread`]: IO-bound work on threads ([`thread::ThreadPoolExecutor`],
//!   and Python's `threading` and `queue`: `Thread`, `Lock`, `RLock`,
//!   `Condition`, `Semaphore`, `Event`, `Barrier`, `Timer`, `Queue`…).
//! - [`process`]: CPU-bound work on worker processes, optionally pinned
//!   across the cores ([`process::Pool`], [`process::ProcessPoolExecutor`]).
//!
//! Both return the same [`TaskFuture`], which can be waited on with a timeout,
//! given callbacks, combined with [`as_completed`] and [`wait`], or
//! `.await`ed from any async runtime.
//!
//! # Features
//!
//! | feature | default | enables |
//! |---|---|---|
//! | `thread` | on | [`thread`], on every platform |
//! | `process` | on | [`process`], on Linux only (elsewhere it enables nothing) |
//! | `tracing` | off | spans and events through `tracing`: see below |
//! | `log` | off | `tracing`, and tracing's bridge to `log` |
//! | `progress` | off | `poolrt::progress`: indicatif progress bars for maps |
//! | `mpi` | off | `mpi`: the process backend's `Pool` and executor across machines over MPI, on Linux only; needs the system's Open MPI (`openmpi-bin libopenmpi-dev libclang-dev`) |
//!
//! An application that only wants threads builds without the process
//! backend: `default-features = false, features = ["thread"]`. The types at
//! the crate root are always there.
//!
//! # Logging
//!
//! With the `tracing` feature poolrt emits, with the target `poolrt`:
//!
//! - spans for task submission (`poolrt.submit`) and execution
//!   (`poolrt.task`, a child of the submitter's span, entered on the
//!   worker), and one per worker thread (`poolrt.worker`, under the span
//!   the pool was built in);
//! - events for worker start and exit (`poolrt.worker.start`,
//!   `poolrt.worker.exit`), a worker process's spawn, death with its pid
//!   and exit code or signal, replacement, retirement and initializer
//!   failure (`poolrt.process.spawn`, `.death`, `.replace`, `.retire`,
//!   `.init_failed`), a worker that could not start
//!   (`poolrt.worker.start_failed`), and shutdowns (`poolrt.shutdown`,
//!   `poolrt.terminate`);
//! - the reports nobody could be handed, such as a failed task whose error
//!   was never retrieved (`poolrt.report`, see [`Report`]).
//!
//! The README's "Logging" section lists every field. Without the feature,
//! poolrt logs nothing and compiles no logging code. With the `log`
//! feature, a program that uses `log` and sets no tracing subscriber gets
//! the same events as `log` records.
//!
//! # Example
//!
//! The example needs both features (on by default).
//!
#![cfg_attr(
    all(feature = "thread", feature = "process", target_os = "linux"),
    doc = "```"
)]
#![cfg_attr(
    not(all(feature = "thread", feature = "process", target_os = "linux")),
    doc = "```ignore"
)]
//! use poolrt::process::Pool;
//! use poolrt::thread::ThreadPoolExecutor;
//!
//! // IO-bound: threads.
//! let executor = ThreadPoolExecutor::new(8).unwrap();
//! let future = executor.submit(|| 21 * 2).unwrap();
//! assert_eq!(future.result().unwrap(), 42);
//!
//! // CPU-bound: processes. A task is a fn item or a closure that captures
//! // nothing, with serde argument and result types.
//! fn square(x: u64) -> u64 { x * x }
//! let pool = Pool::new(2).unwrap();
//! assert_eq!(pool.map(square, 1..=4).unwrap(), [1, 4, 9, 16]);
//! ```
//!
//! # One API across backends
//!
//! The types both modules have (`Lock`, `RLock`, `Semaphore`,
//! `BoundedSemaphore`, `Event`, `Condition`, `Barrier`, `Queue`,
//! `SimpleQueue`, and `Thread`/`Process` with their builders, `Daemon`
//! flag and `Target` trait) take and return the same types, errors
//! included ([`ReleaseError`], [`BrokenBarrierError`], [`PutError`],
//! [`GetError`], [`Error`]): constructors return `Result<_, Error>` in
//! both (a process object allocates shared memory), so switching backend
//! changes the import and nothing else.
//!
//! The Python → poolrt API map is the [`api_map`] page (the repository's
//! `docs/api-map.md`).

pub use pool_core::{
    AsCompleted, BrokenBarrierError, CancelFutures, Daemon, Deadline, Error, ErrorKind, GetError,
    Help, Metrics, Outcome, Panic, Promise, PutError, ReleaseError, Report, ReturnWhen, Scheduler,
    SchedulerConfig, Scope, ScopeMap, SubmitError, TaskFuture, Wait, Waitable, Waited,
    as_completed, promise, promise_with_help, reset_report_hook, set_report_hook, wait,
};

/// The thread backend, for IO-bound work: [`ThreadPoolExecutor`](thread::ThreadPoolExecutor).
///
/// Needs the `thread` feature (on by default); builds on every platform.
///
/// # Examples
///
/// ```
/// use poolrt::thread::{Queue, ThreadPoolExecutor};
///
/// let executor = ThreadPoolExecutor::new(4).unwrap();
/// let urls = vec!["a.example".to_owned(), "b.example".to_owned()];
/// // Tasks in a scope may borrow: no 'static copies of `urls`.
/// let lens: Vec<usize> = executor.scope(|s| {
///     s.map(|url: &String| url.len(), &urls).map(Result::unwrap).collect()
/// });
/// assert_eq!(lens, [9, 9]);
///
/// let q = Queue::new(0).unwrap();
/// q.put("job").unwrap();
/// assert_eq!((q.len(), q.get().unwrap()), (1, "job"));
/// ```
#[cfg(feature = "thread")]
pub mod thread {
    #[allow(deprecated)]
    pub use pool_thread::Builder;
    pub use pool_thread::{
        Barrier, BoundedSemaphore, BrokenBarrierError, Condition, ConditionGuard, ConditionLock,
        Daemon, Deadline, Error, Event, Fifo, GetError, Immediate, Lifo, LifoQueue, Lock,
        LockGuard, Order, OrderedQueue, Outcome, Priority, PriorityQueue, PutError, Queue, RLock,
        RLockGuard, ReleaseError, Semaphore, SimpleQueue, Target, TaskDoneError, Thread,
        ThreadBuilder, Timer, current_thread, get_ident, get_native_id, join_non_daemon,
        join_non_daemon_timeout,
    };
    #[allow(deprecated)]
    pub use pool_thread::{Empty, JoinError, Run, ShutDown, StartError};
    pub use pool_thread::{Map, ThreadPoolBuilder, ThreadPoolExecutor, default_max_workers};
}

/// The process backend, for CPU-bound work: [`Pool`](process::Pool),
/// [`ProcessPoolExecutor`](process::ProcessPoolExecutor), and
/// [`Process`](process::Process) with the objects it shares with its
/// children ([`Lock`](process::Lock), [`Queue`](process::Queue),
/// [`JoinableQueue`](process::JoinableQueue), [`Value`](process::Value),
/// [`Array`](process::Array), [`Pipe`](process::Pipe()), and the
/// [`Manager`](process::Manager) with its [`Dict`](process::Dict) and
/// [`List`](process::List) proxies).
///
/// Needs the `process` feature (on by default) and Linux: elsewhere the
/// module does not exist.
///
/// # Examples
///
/// ```
/// use poolrt::process::{Pool, ProcessPoolExecutor};
///
/// fn cube(x: u64) -> u64 {
///     x * x * x
/// }
///
/// let pool = Pool::new(2).unwrap();
/// assert_eq!(pool.pids().len(), 2, "its workers are started");
/// assert_eq!(pool.map(cube, 1..=3).unwrap(), [1, 8, 27]);
///
/// let executor = ProcessPoolExecutor::new(2).unwrap();
/// let future = executor.submit(cube, 4).unwrap();
/// assert_eq!(future.result().unwrap(), 64);
/// ```
#[cfg(all(feature = "process", target_os = "linux"))]
pub mod process {
    pub use pool_core::Error;
    pub use pool_process::Immediate;
    /// Python's `multiprocessing.connection`: `Listener`, `Client`, `wait`.
    pub use pool_process::connection;
    pub use pool_process::managers;
    pub use pool_process::{
        Array, ArrayGuard, Barrier, BoundedSemaphore, BrokenBarrierError, Condition,
        ConditionGuard, Connection, CurrentProcess, Daemon, Deadline, Dict, Element, Event, Fd,
        GetError, JoinableQueue, List, Lock, LockGuard, Manager, Outcome, Pipe, Process,
        ProcessBuilder, PutError, Queue, RLock, ReleaseError, Semaphore, SimpleQueue, Target,
        Value, ValueGuard, active_children, current_process,
    };
    pub use pool_process::{
        AsyncResult, Callbacks, ExitReason, IMap, InitOutcome, Pool, PoolBuilder,
        ProcessPoolExecutor, StarFn, StartMethod, StopHandle, TaskFn, TaskOptions, Wire,
        WorkerExit, default_processes,
    };
    #[allow(deprecated)]
    pub use pool_process::{Builder, ExitStatus};
    /// Python's `multiprocessing.shared_memory` and `SharedMemoryManager`.
    pub use pool_process::{Item, ShareableList, SharedMemory, SharedMemoryManager};
    pub use pool_process::{ParentProcess, parent_process};
    pub use pool_process::{ProcessMetrics, WorkerMetrics};
    pub use pool_process::{RawArray, RawValue, SharedLock};
}

#[cfg(feature = "progress")]
pub mod progress;

/// The Python → poolrt API map: for each Python call, its poolrt form,
/// then where poolrt differs from Python and why. A page of documentation
/// only; it holds no items.
pub mod api_map {
    #![doc = include_str!("../docs/api-map.md")]
}

/// The MPI backend, for CPU-bound work across machines:
/// [`Pool`](mpi::Pool) and [`MpiPoolExecutor`](mpi::MpiPoolExecutor),
/// the process backend's pool and executor whose workers are MPI ranks.
/// The program runs under `mpirun -n N ./app` (or `srun`); rank 0 gets
/// the pool, the other ranks serve inside the constructor and exit.
///
/// Needs the `mpi` feature (off by default), Linux, and the system's MPI.
#[cfg(all(feature = "mpi", target_os = "linux"))]
pub mod mpi {
    pub use pool_core::Error;
    pub use pool_mpi::{MpiPoolBuilder, MpiPoolExecutor, Placement, Pool, RankInfo};
}

/// The README's examples, compiled and run as doctests. They use both
/// backends.
#[cfg(all(doctest, feature = "thread", feature = "process", target_os = "linux"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
