//! [`Pool`] and [`MpiPoolExecutor`]: the process backend's pool and
//! executor, whose links reach MPI ranks; [`MpiPoolBuilder`] starts either.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use mpi::Threading;
use mpi::environment::Universe;
use mpi::topology::Communicator;
use pool_core::{Error, ErrorKind};

use crate::hello::{Hello, gather};
use crate::rank::{Ranks, Slot};

/// The most items in one chunk of a map with default chunking (Python's
/// rule otherwise): on this 2-core machine a million small items map
/// twice as fast in chunks of 8–16 thousand as in Python's eight chunks
/// of 125 thousand, because the root encodes and decodes one chunk while
/// the ranks compute others.
const MAX_DEFAULT_CHUNK: usize = 16_384;

/// The most tasks [`MpiPoolBuilder::send_ahead`] may queue at a worker.
const MAX_SEND_AHEAD: usize = 15;

/// How the root's links map onto the worker ranks.
///
/// # Examples
///
/// ```
/// use pool_mpi::Placement;
///
/// assert_eq!(Placement::default(), Placement::RankPerCore);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Placement {
    /// One worker rank per core (`mpirun -n cores+1`): each rank runs its
    /// tasks itself; the root has one link per worker rank.
    #[default]
    RankPerCore,
    /// One worker rank per node (`mpirun --map-by ppr:1:node`, plus the
    /// root): each feeds a local `pool_process::Pool` pinned across its
    /// node's cores, and the root has one link per such core. The
    /// recommended way to run on a cluster.
    RankPerNode,
}

/// A worker rank, as it greeted the root.
///
/// # Examples
///
/// ```no_run
/// let pool = pool_mpi::Pool::new().unwrap();
/// for rank in pool.ranks() {
///     println!("rank {} (pid {}) on {} with {} cores", rank.rank, rank.pid, rank.host, rank.cores);
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RankInfo {
    /// Its rank in `MPI_COMM_WORLD`.
    pub rank: i32,
    /// Its process id on its host.
    pub pid: u32,
    /// Its host (MPI's processor name).
    pub host: String,
    /// The cores it may use.
    pub cores: u32,
}

/// Settings for an MPI [`Pool`] or [`MpiPoolExecutor`].
///
/// # Examples
///
/// ```no_run
/// use pool_mpi::{Placement, Pool};
///
/// let pool = Pool::builder().placement(Placement::RankPerNode).build().unwrap();
/// assert_eq!(pool.map(|x: u32| x + 1, 0..3).unwrap(), [1, 2, 3]);
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct MpiPoolBuilder {
    placement: Placement,
    startup_timeout: Duration,
    send_ahead: usize,
}

impl Default for MpiPoolBuilder {
    fn default() -> Self {
        MpiPoolBuilder {
            placement: Placement::default(),
            startup_timeout: Duration::from_secs(60),
            send_ahead: 1,
        }
    }
}

/// MPI, initialized: finalized when dropped, after the pool that used it.
struct Mpi {
    /// The slots of the pool's links: the ranks of those never started
    /// (an executor starts its links on demand) are told to exit here.
    links: Arc<Ranks>,
    universe: Universe,
}

/// What the root starts from: MPI, its worker ranks, the links' slots.
struct Started {
    mpi: Mpi,
    ranks: Vec<RankInfo>,
    builder: pool_process::PoolBuilder,
}

impl MpiPoolBuilder {
    /// Where the root's links go; [`Placement::RankPerCore`] by default.
    /// Every rank must make the same choice (they run the same `main`).
    ///
    /// # Examples
    ///
    /// ```
    /// let builder = pool_mpi::Pool::builder().placement(pool_mpi::Placement::RankPerNode);
    /// # let _ = builder;
    /// ```
    pub fn placement(mut self, placement: Placement) -> Self {
        self.placement = placement;
        self
    }

    /// How long the root waits for every rank's greeting (60 s by
    /// default); past it, the job is aborted with a message naming the
    /// rank that did not greet.
    ///
    /// # Examples
    ///
    /// ```
    /// let builder = pool_mpi::Pool::builder().startup_timeout(std::time::Duration::from_secs(5));
    /// # let _ = builder;
    /// ```
    pub fn startup_timeout(mut self, timeout: Duration) -> Self {
        self.startup_timeout = timeout;
        self
    }

    /// How many tasks wait at each worker (a rank, or a core of a node's
    /// rank) behind the one it runs: 1 by default, at most 15.
    ///
    /// A worker that finishes a task starts the next one at once, instead
    /// of waiting for the root to see the reply and send another: the
    /// root's quiet waiting (it probes, it does not spin) then costs the
    /// workers nothing. The price is at the end of a batch: a task queued
    /// at a busy worker cannot move to one that fell idle, so a batch of
    /// tasks of very uneven length may end up to one task later. `0`
    /// sends a task only to an idle worker. Each queued task is one more
    /// link of the root's pool ([`processes`](pool_process::Pool::processes)
    /// counts them), one more thread waiting quietly. Every rank must make
    /// the same choice (they run the same `main`).
    ///
    /// # Examples
    ///
    /// ```
    /// let builder = pool_mpi::Pool::builder().send_ahead(0);
    /// # let _ = builder;
    /// ```
    pub fn send_ahead(mut self, tasks: usize) -> Self {
        self.send_ahead = tasks;
        self
    }

    /// Starts MPI: worker ranks serve and exit here; the root gets its
    /// ranks and a process-pool builder over them.
    fn start(self) -> Result<Started, Error> {
        let (universe, threading) = mpi::initialize_with_threading(Threading::Multiple)
            .ok_or_else(|| {
                Error::from_kind(ErrorKind::InvalidState)
                    .with_detail("MPI is already initialized: one MPI pool per run")
            })?;
        let world = universe.world();
        if world.rank() != 0 {
            drop(world);
            crate::serve::worker_rank(universe, self.placement, self.links_per_worker());
        }
        let threading = (threading != Threading::Multiple).then(|| {
            format!(
                "this MPI library offers {threading:?} threading; the root's links need Multiple"
            )
        });
        let send_ahead = (self.send_ahead > MAX_SEND_AHEAD).then(|| {
            format!(
                "send_ahead({}) is over the limit of {MAX_SEND_AHEAD} tasks queued per worker",
                self.send_ahead
            )
        });
        // A problem here is told to every rank, which then exits unserved.
        let problem = threading
            .into_iter()
            .chain(send_ahead)
            .reduce(|a, b| a + "; " + &b);
        let hellos = gather(&world, self.startup_timeout, problem)?;
        if hellos.is_empty() {
            return Err(Error::from_kind(ErrorKind::InvalidConfig).with_detail(
                "no worker ranks: start the program with `mpirun -n 2` or more (rank 0 is the root)",
            ));
        }
        let slots = slots(&hellos, self.placement, self.links_per_worker());
        let count = slots.len();
        let ranks = hellos
            .into_iter()
            .zip(1..)
            .map(|(hello, rank)| RankInfo {
                rank,
                pid: hello.pid,
                host: hello.host,
                cores: hello.cores,
            })
            .collect();
        let links = Arc::new(Ranks::new(slots));
        let builder = pool_process::PoolBuilder::default()
            .remote_workers(links.clone(), count)
            .max_default_chunksize(MAX_DEFAULT_CHUNK);
        drop(world);
        Ok(Started {
            mpi: Mpi { links, universe },
            ranks,
            builder,
        })
    }

    /// Starts MPI and returns the root's [`Pool`]; on every other rank,
    /// serves tasks until the root's pool closes, then exits the process.
    ///
    /// # Errors
    ///
    /// MPI was initialized already; a rank runs a different build (the
    /// error names each such rank and its host; every rank is then told
    /// to exit before any task); no worker ranks; MPI lacks
    /// `MPI_THREAD_MULTIPLE`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let pool = pool_mpi::Pool::builder().build().unwrap();
    /// assert_eq!(pool.apply(|x: u64| x * 2, 21).unwrap(), 42);
    /// ```
    pub fn build(self) -> Result<Pool, Error> {
        let started = self.start()?;
        Ok(Pool {
            inner: started.builder.build()?,
            ranks: started.ranks,
            _mpi: started.mpi,
        })
    }

    /// As [`build`](MpiPoolBuilder::build), for an [`MpiPoolExecutor`].
    ///
    /// # Errors
    ///
    /// As [`build`](MpiPoolBuilder::build).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let executor = pool_mpi::Pool::builder().build_executor().unwrap();
    /// assert_eq!(executor.submit(|x: u64| x + 1, 1).unwrap().result().unwrap(), 2);
    /// ```
    pub fn build_executor(self) -> Result<MpiPoolExecutor, Error> {
        let started = self.start()?;
        Ok(MpiPoolExecutor {
            inner: started.builder.build_executor()?,
            ranks: started.ranks,
            _mpi: started.mpi,
        })
    }
}

impl MpiPoolBuilder {
    /// The root's links per worker (a rank, or a core of a node's rank):
    /// the task it runs and those sent ahead.
    fn links_per_worker(&self) -> usize {
        1 + self.send_ahead.min(MAX_SEND_AHEAD)
    }
}

/// `per_worker` links per worker rank, or per core of each node's rank.
fn slots(hellos: &[Hello], placement: Placement, per_worker: usize) -> Vec<Slot> {
    let mut slots = Vec::new();
    for (hello, rank) in hellos.iter().zip(1..) {
        let who: Arc<str> =
            format!("rank {rank} (pid {}) on host {}", hello.pid, hello.host).into();
        let workers = match placement {
            Placement::RankPerCore => 1,
            Placement::RankPerNode => hello.cores.max(1) as i32,
        };
        let links = workers * per_worker as i32;
        for tag in 0..links {
            slots.push(Slot {
                rank,
                tag,
                who: who.clone(),
            });
        }
    }
    slots
}

/// The process backend's [`pool_process::Pool`] over MPI ranks: every
/// method of that pool, through `Deref`.
///
/// Built on rank 0 only: on the other ranks [`Pool::new`] serves and
/// exits the process. Dropping the pool closes and joins it (the worker
/// ranks exit), then finalizes MPI.
///
/// # Examples
///
/// ```no_run
/// use pool_mpi::Pool;
///
/// fn square(x: u64) -> u64 { x * x }
///
/// let pool = Pool::new().unwrap(); // the other ranks never get past this line
/// assert_eq!(pool.map(square, 0..5).unwrap(), [0, 1, 4, 9, 16]);
/// let sum: u64 = pool.imap_unordered(square, 0..100).map(Result::unwrap).sum();
/// assert_eq!(sum, 328_350);
/// ```
#[doc(alias = "MPICommExecutor")]
pub struct Pool {
    // Declared before the MPI handle: dropped (closed, joined) first.
    inner: pool_process::Pool,
    ranks: Vec<RankInfo>,
    _mpi: Mpi,
}

impl Pool {
    /// [`MpiPoolBuilder::build`] with the defaults: one worker rank per
    /// core.
    ///
    /// # Errors
    ///
    /// As [`MpiPoolBuilder::build`].
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let pool = pool_mpi::Pool::new().unwrap();
    /// assert!(pool.processes() >= 1);
    /// ```
    pub fn new() -> Result<Pool, Error> {
        MpiPoolBuilder::default().build()
    }

    /// An [`MpiPoolBuilder`].
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let pool = pool_mpi::Pool::builder().build().unwrap();
    /// # drop(pool);
    /// ```
    pub fn builder() -> MpiPoolBuilder {
        MpiPoolBuilder::default()
    }

    /// The worker ranks, as they greeted the root.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let pool = pool_mpi::Pool::new().unwrap();
    /// assert!(pool.ranks().iter().all(|r| r.rank >= 1));
    /// ```
    pub fn ranks(&self) -> &[RankInfo] {
        &self.ranks
    }
}

impl Deref for Pool {
    type Target = pool_process::Pool;

    fn deref(&self) -> &pool_process::Pool {
        &self.inner
    }
}

impl fmt::Debug for Pool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool")
            .field("links", &self.inner.processes())
            .field("ranks", &self.ranks)
            .finish()
    }
}

/// The process backend's [`pool_process::ProcessPoolExecutor`] over MPI
/// ranks (mpi4py's `MPIPoolExecutor`): `submit` returns pool-core's
/// `TaskFuture`, as every backend's does.
///
/// # Examples
///
/// ```no_run
/// use pool_mpi::MpiPoolExecutor;
///
/// let executor = MpiPoolExecutor::new().unwrap();
/// let future = executor.submit(|x: u64| x * x, 12).unwrap();
/// assert_eq!(future.result().unwrap(), 144);
/// ```
#[doc(alias = "MPIPoolExecutor")]
pub struct MpiPoolExecutor {
    inner: pool_process::ProcessPoolExecutor,
    ranks: Vec<RankInfo>,
    _mpi: Mpi,
}

impl MpiPoolExecutor {
    /// [`MpiPoolBuilder::build_executor`] with the defaults.
    ///
    /// # Errors
    ///
    /// As [`MpiPoolBuilder::build`].
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let executor = pool_mpi::MpiPoolExecutor::new().unwrap();
    /// # drop(executor);
    /// ```
    pub fn new() -> Result<MpiPoolExecutor, Error> {
        MpiPoolBuilder::default().build_executor()
    }

    /// The worker ranks, as they greeted the root.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let executor = pool_mpi::MpiPoolExecutor::new().unwrap();
    /// assert!(!executor.ranks().is_empty());
    /// ```
    pub fn ranks(&self) -> &[RankInfo] {
        &self.ranks
    }
}

impl Deref for MpiPoolExecutor {
    type Target = pool_process::ProcessPoolExecutor;

    fn deref(&self) -> &pool_process::ProcessPoolExecutor {
        &self.inner
    }
}

impl fmt::Debug for MpiPoolExecutor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MpiPoolExecutor")
            .field("ranks", &self.ranks)
            .finish()
    }
}

impl Drop for Mpi {
    /// The pool (declared first) has been joined by now: every started
    /// link has told its rank to exit. Tells the ranks of the links never
    /// started, so every worker rank stops serving, and receives the
    /// replies terminated links stopped waiting for; then the universe's
    /// own drop finalizes MPI (which waits for every rank to finalize).
    fn drop(&mut self) {
        let world = self.universe.world();
        self.links.release_unconnected(&world);
        self.links.drain_abandoned(&world);
    }
}
