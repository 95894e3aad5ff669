//! poolrt's CPU-bound [`Pool`] and executor across machines, over MPI.
//!
//! **Everything here needs the crate feature `mpi`** (the facade's `mpi`
//! feature turns it on; both are off by default). Without it the crate is
//! empty and needs no MPI on the machine. With it, the `mpi` crate (rsmpi)
//! is built against the system's MPI: on Debian,
//! `apt-get install openmpi-bin libopenmpi-dev libclang-dev`.
//!
//! # The model
//!
//! The program is started with `mpirun -n N ./app` (or `srun`): every rank
//! runs the same binary, so a task crosses to a rank exactly as it does to
//! a local worker process, as the offset of its entry function plus its
//! postcard-encoded argument. One call at the top of `main`,
//! [`Pool::new`] (or [`MpiPoolExecutor::new`]), in the spirit of mpi4py's
//! `MPICommExecutor`:
//!
//! 1. initializes MPI, and every rank greets rank 0 with its build
//!    fingerprint, pid, host and core count;
//! 2. on rank 0 (the *root*), checks every fingerprint against its own (a
//!    different binary on some rank is an error naming the rank and host,
//!    before any task runs) and returns the pool;
//! 3. on every other rank, serves tasks until the root's pool is closed,
//!    then exits the process: the rest of `main` never runs there.
//!
//! # Roles
//!
//! | role | what it is |
//! |------|------------|
//! | root | rank 0: the program proper, holding the [`Pool`] |
//! | link | a scheduler worker thread on the root that owns one remote worker: pool-core's scheduler drives the links, work moves between them by stealing, as between the process backend's links |
//! | worker rank | a rank serving the root's requests |
//! | [`Placement`] | how the root's links map onto ranks |
//!
//! Two placements:
//!
//! - [`Placement::RankPerCore`]: one worker rank per core, one link per
//!   worker rank, which runs each task itself.
//! - [`Placement::RankPerNode`] (**recommended on a cluster**): one worker
//!   rank per node, which feeds a local
//!   [`pool_process::Pool`] pinned across its node's cores; the root has
//!   one link per such local worker, so stealing spreads the work over
//!   every core of every node, and MPI carries only the tasks, never the
//!   per-core bookkeeping.
//!
//! Either way each worker holds one task beyond the one it runs
//! ([`MpiPoolBuilder::send_ahead`], one more link per worker): it starts
//! the next task the moment it ends one, however late the quiet root sees
//! the reply.
//!
//! # The same API as the process backend
//!
//! [`Pool`] dereferences to [`pool_process::Pool`], and [`MpiPoolExecutor`]
//! to [`pool_process::ProcessPoolExecutor`]: `apply`, `apply_async` (with
//! [`Callbacks`](pool_process::Callbacks) run on the root), `map`,
//! `map_async`, `imap`, `imap_unordered`, `starmap`, automatic chunking,
//! `close`/`terminate`/`join`, and `submit` returning pool-core's
//! [`TaskFuture`](pool_core::TaskFuture). A function written against
//! `&pool_process::Pool` accepts `&pool_mpi::Pool` unchanged. The task
//! rule is the same: a fn item or a non-capturing closure with serde
//! argument and result. Default chunking is Python's rule with at most
//! 16,384 items a chunk, so the ranks compute some chunks while the root
//! encodes and decodes others.
//!
//! # A quiet root
//!
//! MPI's blocking calls poll, burning a core. Here the root's links, and
//! idle worker ranks, wait with non-blocking probes: a short spin, then
//! sleeps that double up to a cap (see `quiet.rs`), so with one worker
//! rank per core the root leaves the cores to the workers.
//!
//! # Failures
//!
//! - A task's panic reaches the root as an error with its message and
//!   location, naming the rank, its pid and its host.
//! - A serialization error is reported as in the process backend.
//! - A rank that dies ends the job: `mpirun` sees a process exit without
//!   finalizing MPI (or die on a signal), kills every other rank, and
//!   prints which rank, pid and node it was (Open MPI: *"mpirun noticed
//!   that process rank 1 with PID … on node … exited on signal …"*), and
//!   exits non-zero. No rank is left waiting.
//!
//! # Limits
//!
//! One pool (or executor) per run: MPI is initialized once. A remote link
//! does not respawn, time-limit, stop or retire a rank, and runs no
//! initializer (`pool_process`'s `PoolBuilder` settings for those are
//! ignored).
//!
//! # Example
//!
//! Run under `mpirun -n 3 ./app` (see the repository's README):
//!
//! ```no_run
//! # #[cfg(feature = "mpi")]
//! # fn main() -> Result<(), pool_core::Error> {
//! fn square(x: u64) -> u64 { x * x }
//!
//! // Rank 0 gets the pool; the other ranks serve, then exit here.
//! let pool = pool_mpi::Pool::new()?;
//! assert_eq!(pool.map(square, 0..4)?, [0, 1, 4, 9]);
//! pool.close();
//! pool.join()?;
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "mpi"))]
//! # fn main() {}
//! ```

#![deny(unsafe_code)]
// Without the feature the items the docs above link to do not exist.
#![cfg_attr(not(feature = "mpi"), allow(rustdoc::broken_intra_doc_links))]

#[cfg(all(feature = "mpi", target_os = "linux"))]
mod dead;
#[cfg(all(feature = "mpi", target_os = "linux"))]
mod hello;
#[cfg(all(feature = "mpi", target_os = "linux"))]
mod pool;
#[cfg(all(feature = "mpi", target_os = "linux"))]
mod quiet;
#[cfg(all(feature = "mpi", target_os = "linux"))]
mod rank;
#[cfg(all(feature = "mpi", target_os = "linux"))]
mod serve;
#[cfg(all(feature = "mpi", target_os = "linux"))]
#[allow(unsafe_code)] // the OS calls, one block each
mod sys;

#[cfg(all(feature = "mpi", target_os = "linux"))]
pub use crate::pool::{MpiPoolBuilder, MpiPoolExecutor, Placement, Pool, RankInfo};
