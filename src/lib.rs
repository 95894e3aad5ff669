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
//! # Example
//!
//! ```
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
//! The Python → poolrt API map is in the repository's `docs/api-map.md`.

pub use pool_core::{
    AsCompleted, CancelFutures, Error, ErrorKind, Metrics, Panic, Promise, Report, ReturnWhen,
    Scheduler, SchedulerConfig, Scope, SubmitError, TaskFuture, Wait, Waitable, Waited,
    as_completed, promise, reset_report_hook, set_report_hook, wait,
};

/// The thread backend, for IO-bound work: [`ThreadPoolExecutor`](thread::ThreadPoolExecutor).
pub mod thread {
    pub use pool_thread::{
        Barrier, BoundedSemaphore, BrokenBarrierError, Condition, ConditionGuard, ConditionLock,
        Daemon, Empty, Event, Fifo, GetError, Immediate, JoinError, Lifo, LifoQueue, Lock,
        LockGuard, Order, OrderedQueue, Priority, PriorityQueue, PutError, Queue, RLock,
        RLockGuard, ReleaseError, Run, Semaphore, ShutDown, SimpleQueue, StartError, TaskDoneError,
        Thread, ThreadBuilder, Timer, current_thread, get_ident, get_native_id, join_non_daemon,
        join_non_daemon_timeout,
    };
    pub use pool_thread::{Builder, Map, ThreadPoolExecutor, default_max_workers};
}

/// The process backend, for CPU-bound work: [`Pool`](process::Pool),
/// [`ProcessPoolExecutor`](process::ProcessPoolExecutor), and
/// [`Process`](process::Process) with the objects it shares with its
/// children ([`Lock`](process::Lock), [`Queue`](process::Queue),
/// [`JoinableQueue`](process::JoinableQueue), [`Value`](process::Value),
/// [`Array`](process::Array), [`Pipe`](process::Pipe()), and the
/// [`Manager`](process::Manager) with its [`Dict`](process::Dict) and
/// [`List`](process::List) proxies).
pub mod process {
    #[allow(deprecated)]
    pub use pool_process::Builder;
    pub use pool_process::{
        Array, ArrayGuard, Barrier, BoundedSemaphore, Condition, ConditionGuard, Connection,
        CurrentProcess, Dict, Element, Event, Fd, GetError, JoinableQueue, List, Lock, LockGuard,
        Manager, Pipe, Process, ProcessBuilder, PutError, Queue, RLock, Semaphore, SimpleQueue,
        Target, Value, ValueGuard, active_children, current_process,
    };
    pub use pool_process::{
        AsyncResult, Callbacks, ExitStatus, IMap, InitOutcome, Pool, PoolBuilder,
        ProcessPoolExecutor, StarFn, TaskFn, Wire, WorkerExit, default_processes,
    };
}

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
