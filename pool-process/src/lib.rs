//! poolrt's process backend, for CPU-bound work. **Not built yet.**
//!
//! This crate will hold `Pool` (Python's `multiprocessing.Pool`),
//! `ProcessPoolExecutor`, `Process`, `Pipe`, the cross-process queues and
//! locks, shared `Value`/`Array` and `Manager`. Each scheduler worker of
//! `pool-core` will be a *link* that owns one child process, started by
//! re-executing the program's own binary, with a private channel to it.
//! Until then the crate exports nothing.
#![forbid(unsafe_code)]
