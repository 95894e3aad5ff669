//! [`PoolBuilder`]: the settings of a `Pool` or `ProcessPoolExecutor`.
//!
//! This module only turns settings into the links' configuration
//! (`PoolBuilder::into_config`); the methods that start a pool live
//! beside what they start (`build` in `pool/`, `build_executor` in
//! `executor.rs`), so the builder depends on neither.

use std::any::type_name;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use pool_core::{Error, ErrorKind};

use crate::link::remote::RemoteWorkers;
use crate::link::{FirstSpawns, Initializer, LinkConfig, MemoryLimit, StartMethod, Stats};
use crate::sys::spawn::{OWN_BINARY, own_argv0};
use crate::task::{self, Init, InitOutcome, Wire};
use crate::wire::{codec, inherit};

/// The number of worker processes when none is given: the cores this
/// process may run on (Python's `os.process_cpu_count()`).
///
/// # Examples
///
/// ```
/// assert!(poolrt::process::default_processes() >= 1);
/// ```
pub fn default_processes() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Settings of a process pool, like the keyword arguments of Python's
/// `Pool(processes, initializer, initargs, maxtasksperchild)`.
///
/// # Examples
///
/// ```
/// use poolrt::process::Pool;
///
/// fn square(x: i64) -> i64 { x * x }
///
/// let pool = Pool::builder().processes(2).maxtasksperchild(100).pin_cores(true).build().unwrap();
/// assert_eq!(pool.apply(square, -4).unwrap(), 16);
/// ```
#[must_use]
pub struct PoolBuilder {
    processes: Option<usize>,
    executable: Option<std::ffi::OsString>,
    start_method: StartMethod,
    initializer: Option<Result<Initializer, Error>>,
    max_tasks_per_child: Option<usize>,
    max_memory_per_child: Option<u64>,
    task_timeout: Option<Duration>,
    retries: u32,
    drop_timeout: Option<Duration>,
    pin_cores: bool,
    startup_timeout: Duration,
    link_spin: Duration,
    child_spin: Duration,
    remote: Option<Arc<dyn RemoteWorkers>>,
    max_default_chunk: Option<usize>,
}

impl Default for PoolBuilder {
    fn default() -> Self {
        PoolBuilder {
            processes: None,
            executable: None,
            start_method: StartMethod::default(),
            initializer: None,
            max_tasks_per_child: None,
            max_memory_per_child: None,
            task_timeout: None,
            retries: 0,
            drop_timeout: None,
            pin_cores: false,
            startup_timeout: Duration::from_secs(30),
            link_spin: Duration::from_micros(100),
            child_spin: Duration::from_micros(200),
            remote: None,
            max_default_chunk: None,
        }
    }
}

impl PoolBuilder {
    /// How many worker processes; defaults to [`default_processes`].
    /// Zero is an error at build time.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::Pool;
    ///
    /// let pool = Pool::builder().processes(2).build().unwrap();
    /// assert_eq!(pool.processes(), 2);
    /// assert_eq!(pool.map(|x: u8| x + 1, [1, 2, 3]).unwrap(), [2, 3, 4]);
    /// ```
    pub fn processes(mut self, n: usize) -> Self {
        self.processes = Some(n);
        self
    }

    /// Runs `f(arg)` in every worker process before its first task (Python's
    /// `initializer` and `initargs`). `f` is a fn item or a closure that
    /// captures nothing; it returns `()` or a `Result`. If it panics or
    /// returns an error, the pool is broken: tasks fail with that cause and
    /// no worker is restarted.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::Pool;
    ///
    /// fn init(limit: u32) -> Result<(), String> {
    ///     if limit > 10 { Err(format!("limit {limit} too high")) } else { Ok(()) }
    /// }
    /// fn id(x: u32) -> u32 { x }
    ///
    /// let pool = Pool::builder().processes(1).initializer(init, 99).build().unwrap();
    /// let err = pool.apply(id, 1).unwrap_err();
    /// assert!(err.is_broken());
    /// ```
    pub fn initializer<F, A, O>(mut self, f: F, arg: A) -> Self
    where
        F: Fn(A) -> O + Copy + Send + Sync + 'static,
        A: Wire,
        O: InitOutcome,
    {
        let _ = f;
        let offset = task::offset::<Init<F, A, O>>();
        // Shared objects among the arguments (a Lock, a Queue, a Value…)
        // reach every worker, replacements included, by inheritance.
        let (encoded, inherited) = inherit::collect(|| codec::encode(arg));
        self.initializer = Some(
            encoded
                .map(|payload| Initializer {
                    offset,
                    payload,
                    inherited,
                })
                .map_err(|message| {
                    Error::new(ErrorKind::Serialize, message)
                        .with_detail(format!("the initializer's argument ({})", type_name::<A>()))
                }),
        );
        self
    }

    /// How workers start: forked by the program's fork server (the
    /// default), or each spawned by re-executing the program's binary
    /// (Python's `set_start_method`). A pool with an
    /// [`executable`](PoolBuilder::executable) always spawns.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::{Pool, StartMethod};
    ///
    /// let pool = Pool::builder().processes(1).start_method(StartMethod::Spawn).build().unwrap();
    /// assert_eq!(pool.apply(|x: u8| x * 2, 4).unwrap(), 8);
    /// ```
    #[doc(alias = "set_start_method")]
    pub fn start_method(mut self, method: StartMethod) -> Self {
        self.start_method = method;
        self
    }

    /// Starts workers from `path` instead of this program's own binary
    /// (Python's `multiprocessing.set_executable`). It must be the same
    /// build of the same program: a worker that greets with another build's
    /// fingerprint is killed and the start fails with a clear error.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::Pool;
    ///
    /// let me = std::env::current_exe().unwrap();
    /// let pool = Pool::builder().processes(1).executable(me).build().unwrap();
    /// assert_eq!(pool.apply(|x: u8| x * 2, 21).unwrap(), 42);
    ///
    /// // A program that is no poolrt worker fails the start, and so the task.
    /// let pool = Pool::builder().processes(1).executable("/bin/true").build().unwrap();
    /// let err = pool.apply(|x: u8| x, 1).unwrap_err();
    /// assert!(err.is_broken() || err.kind() == poolrt::ErrorKind::Spawn, "{err:?}");
    ///
    /// // A path that is no executable file is refused at once, saying why.
    /// let err = Pool::builder().executable("/nonexistent").build().unwrap_err();
    /// assert!(err.to_string().contains("/nonexistent: No such file"), "{err}");
    /// ```
    pub fn executable(mut self, path: impl Into<std::ffi::OsString>) -> Self {
        self.executable = Some(path.into());
        self
    }

    /// Replaces each worker process after it has run `n` tasks (Python's
    /// `maxtasksperchild`). Zero is an error at build time.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::Pool;
    ///
    /// fn pid(_: ()) -> u32 { std::process::id() }
    ///
    /// let pool = Pool::builder().processes(1).maxtasksperchild(1).build().unwrap();
    /// let first = pool.apply(pid, ()).unwrap();
    /// let second = pool.apply(pid, ()).unwrap();
    /// assert_ne!(first, second, "the worker was replaced after one task");
    /// ```
    pub fn maxtasksperchild(mut self, n: usize) -> Self {
        self.max_tasks_per_child = Some(n);
        self
    }

    /// Replaces a worker process whose private resident memory (what its
    /// tasks allocated: the resident set without the program's code and
    /// the memory it shares with the pool) has passed `bytes`, as Celery's
    /// `worker_max_memory_per_child` does. The check comes after a task:
    /// the task completes normally and its result is delivered, but the
    /// worker exits instead of taking another one, and a fresh worker
    /// takes its place; no task fails. Zero is an error at build time.
    ///
    /// A task that makes its worker grow far past the limit while it runs
    /// — past twice `bytes`, and at least 256 MiB above it — is stopped
    /// like a timed-out task (the worker gets `SIGTERM`, a short grace,
    /// `SIGKILL`, and is replaced), and only that task fails, with
    /// [`ErrorKind::MemoryLimit`] naming the pid, the memory seen and the
    /// limit. The link looks every 10 ms while a task runs, and after a
    /// task when 2 ms have passed since its last look, so short tasks pay
    /// next to nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::Pool;
    ///
    /// fn leak(mib: usize) -> u32 {
    ///     // Kept for the rest of the worker's life.
    ///     Vec::leak(vec![1u8; mib << 20]);
    ///     std::process::id()
    /// }
    /// fn pid(_: ()) -> u32 { std::process::id() }
    ///
    /// let pool = Pool::builder().processes(1).max_memory_per_child(32 << 20).build().unwrap();
    /// let leaky = pool.apply(leak, 64).unwrap();
    /// assert_ne!(pool.apply(pid, ()).unwrap(), leaky, "the worker was replaced");
    ///
    /// fn grow(_: ()) -> u8 {
    ///     let mut hoard = Vec::new();
    ///     loop { hoard.push(vec![1u8; 16 << 20]); }
    /// }
    /// let err = pool.apply(grow, ()).unwrap_err();
    /// assert!(err.is_memory_limit(), "{err}");
    /// assert!(Pool::builder().max_memory_per_child(0).build().is_err());
    /// ```
    #[doc(alias = "worker_max_memory_per_child")]
    pub fn max_memory_per_child(mut self, bytes: u64) -> Self {
        self.max_memory_per_child = Some(bytes);
        self
    }

    /// A hard time limit for every task (for a map: for each chunk) that
    /// sets none of its own with [`Callbacks::timeout`](crate::Callbacks::timeout).
    /// When it passes, the worker running the task is stopped (`SIGTERM`,
    /// a short grace, `SIGKILL`) and replaced; only that task fails, with
    /// [`ErrorKind::TaskTimedOut`] naming the pid and the limit. Unlike
    /// `get_timeout`, which only stops waiting, the task does not go on.
    /// No limit by default.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use poolrt::process::Pool;
    ///
    /// fn spin(_: ()) -> u8 { loop { std::hint::spin_loop() } }
    ///
    /// let pool = Pool::builder().processes(1).task_timeout(Duration::from_millis(100)).build().unwrap();
    /// let err = pool.apply(spin, ()).unwrap_err();
    /// assert!(err.is_task_timed_out());
    /// assert!(err.to_string().contains("100ms"), "{err}");
    /// assert_eq!(pool.apply(|x: u8| x * 2, 21).unwrap(), 42);
    /// ```
    #[doc(alias = "timeout")]
    pub fn task_timeout(mut self, limit: Duration) -> Self {
        self.task_timeout = Some(limit);
        self
    }

    /// Resends a task whose worker process was lost
    /// ([`ErrorKind::WorkerLost`]) or that passed its hard time limit
    /// ([`ErrorKind::TaskTimedOut`]) up to `n` more times, each time to a
    /// fresh worker; for a map, each chunk is resent on its own. A task
    /// that panicked or returned an error is never resent (it would fail
    /// again), nor is a stopped one. Only for idempotent work: an attempt
    /// cut short may have done part of its work. When every attempt
    /// failed, the error is the last attempt's, and its message says how
    /// many attempts were made. A call can set its own with
    /// [`TaskOptions::retries`](crate::TaskOptions::retries). `0` (no
    /// retry) by default.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::Pool;
    ///
    /// /// Kills its worker the first time (no marker file yet), then succeeds.
    /// fn flaky(marker: String) -> u32 {
    ///     if std::fs::File::create_new(&marker).is_ok() {
    ///         std::process::exit(3);
    ///     }
    ///     7
    /// }
    ///
    /// let marker = std::env::temp_dir().join(format!("poolrt-retries-doc-{}", std::process::id()));
    /// let pool = Pool::builder().processes(1).retries(1).build().unwrap();
    /// assert_eq!(pool.apply(flaky, marker.display().to_string()).unwrap(), 7);
    /// std::fs::remove_file(marker).unwrap();
    /// ```
    pub fn retries(mut self, n: u32) -> Self {
        self.retries = n;
        self
    }

    /// Bounds how long dropping the pool (or executor) waits for its
    /// submitted work. A drop always waits, so nothing is lost; every 5
    /// seconds it reports through the report hook
    /// ([`pool_core::set_report_hook`]) which workers and how many tasks
    /// it waits for. Past `limit` it terminates the workers (running
    /// tasks fail, queued ones are cancelled) and reports what it cut
    /// short. No bound by default.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use poolrt::process::Pool;
    ///
    /// fn spin(_: ()) -> u8 { loop { std::hint::spin_loop() } }
    ///
    /// poolrt::set_report_hook(|_| {}); // keep the report out of the output
    /// let pool = Pool::builder().processes(1).drop_timeout(Duration::from_millis(100)).build().unwrap();
    /// let runaway = pool.apply_async(spin, ()).unwrap();
    /// let start = Instant::now();
    /// drop(pool);
    /// assert!(start.elapsed() < Duration::from_secs(30));
    /// assert!(runaway.get().is_err(), "cut short (or, never started, cancelled)");
    /// poolrt::reset_report_hook();
    /// ```
    pub fn drop_timeout(mut self, limit: Duration) -> Self {
        self.drop_timeout = Some(limit);
        self
    }

    /// Pins worker `i` to the `i`-th core this process may use (modulo
    /// their number). Best effort.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::Pool;
    ///
    /// fn cores(_: ()) -> usize { std::thread::available_parallelism().unwrap().get() }
    ///
    /// let pool = Pool::builder().processes(1).pin_cores(true).build().unwrap();
    /// assert_eq!(pool.apply(cores, ()).unwrap(), 1, "the worker may run on one core");
    /// ```
    pub fn pin_cores(mut self, pin: bool) -> Self {
        self.pin_cores = pin;
        self
    }

    /// How long a new worker may take to start and greet the parent
    /// (default 30 s); a worker that takes longer is killed and the start
    /// fails with an error.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use poolrt::process::Pool;
    ///
    /// let pool = Pool::builder().processes(1).startup_timeout(Duration::from_secs(60)).build().unwrap();
    /// assert_eq!(pool.apply(|x: u8| x + 1, 1).unwrap(), 2);
    ///
    /// // `Duration::MAX` means no limit.
    /// let pool = Pool::builder().processes(1).startup_timeout(Duration::MAX).build().unwrap();
    /// assert_eq!(pool.apply(|x: u8| x + 1, 1).unwrap(), 2);
    /// ```
    pub fn startup_timeout(mut self, timeout: Duration) -> Self {
        self.startup_timeout = timeout;
        self
    }

    /// How long a link busy-waits for a reply, and a worker for its next
    /// request, before sleeping (defaults 100 µs and 200 µs). Longer spins
    /// cut latency for streams of short tasks; an idle pool sleeps either
    /// way.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use poolrt::process::Pool;
    ///
    /// // No busy-waiting at all: every wait sleeps at once. Results are the same.
    /// let pool = Pool::builder().processes(1).spin(Duration::ZERO, Duration::ZERO).build().unwrap();
    /// assert_eq!(pool.map(|x: u32| x * 3, 0..4).unwrap(), [0, 3, 6, 9]);
    /// ```
    pub fn spin(mut self, link: Duration, worker: Duration) -> Self {
        self.link_spin = link;
        self.child_spin = worker;
        self
    }

    /// Workers that are not children of this process (the MPI backend's
    /// ranks): `processes` links, each connected to one of them. Not part
    /// of the stable API: `pool-mpi` builds its pools with it.
    #[doc(hidden)]
    pub fn remote_workers(mut self, workers: Arc<dyn RemoteWorkers>, processes: usize) -> Self {
        self.remote = Some(workers);
        self.processes = Some(processes);
        self
    }

    /// The most items the default chunking (Python's `ceil(n / (4 ×
    /// processes))`) puts in one chunk; an explicit chunksize is used as
    /// given. Not part of the stable API: the MPI backend caps its chunks,
    /// whose round trips pipeline better small.
    #[doc(hidden)]
    pub fn max_default_chunksize(mut self, items: usize) -> Self {
        self.max_default_chunk = Some(items);
        self
    }

    /// The number of workers and the links' configuration these settings
    /// make, checked: what `build` and `build_executor` start.
    pub(crate) fn into_config(self) -> Result<(usize, LinkConfig), Error> {
        let processes = self.processes.unwrap_or_else(default_processes);
        let invalid =
            |detail: &str| Err(Error::from_kind(ErrorKind::InvalidConfig).with_detail(detail));
        if processes == 0 {
            return invalid("processes must be at least 1, got 0");
        }
        if self.max_tasks_per_child == Some(0) {
            return invalid("maxtasksperchild must be at least 1, got 0");
        }
        let max_memory_per_child = match self.max_memory_per_child {
            None => None,
            Some(bytes) => match MemoryLimit::new(bytes) {
                Some(limit) => Some(limit),
                None => return invalid("max_memory_per_child must be at least 1 byte, got 0"),
            },
        };
        if let Some(path) = &self.executable {
            check_executable(path)?;
        }
        let initializer = self.initializer.transpose()?;
        // Another binary is spawned; this program's own workers are forked
        // by its fork server.
        let start_method = match self.executable {
            Some(_) => StartMethod::Spawn,
            None => self.start_method,
        };
        let config = LinkConfig {
            program: self.executable.unwrap_or_else(|| OWN_BINARY.into()),
            argv0: own_argv0(),
            initializer,
            max_tasks_per_child: self.max_tasks_per_child,
            max_memory_per_child,
            task_timeout: self.task_timeout,
            retries: self.retries,
            drop_timeout: self.drop_timeout,
            cores: if self.pin_cores {
                pool_core::allowed_cores()
            } else {
                Vec::new()
            },
            startup_timeout: self.startup_timeout,
            start_method,
            link_spin: self.link_spin,
            child_spin: self.child_spin,
            children: Mutex::new(vec![None; processes]),
            terminating: Default::default(),
            broken: Default::default(),
            stats: Stats::new(processes),
            first_spawns: FirstSpawns::new(processes),
            remote: self.remote,
            max_default_chunk: self.max_default_chunk,
        };
        Ok((processes, config))
    }
}

impl fmt::Debug for PoolBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolBuilder")
            .field("processes", &self.processes)
            .field("initializer", &self.initializer.is_some())
            .field("maxtasksperchild", &self.max_tasks_per_child)
            .field("max_memory_per_child", &self.max_memory_per_child)
            .field("pin_cores", &self.pin_cores)
            .field("startup_timeout", &self.startup_timeout)
            .field("start_method", &self.start_method)
            .finish_non_exhaustive()
    }
}

/// The old name of [`PoolBuilder`], kept for one release.
///
/// # Examples
///
/// ```
/// #[allow(deprecated)]
/// let pool = poolrt::process::Builder::default().processes(1).build().unwrap();
/// assert_eq!(pool.processes(), 1);
/// ```
#[deprecated(note = "renamed to PoolBuilder")]
pub type Builder = PoolBuilder;

/// Refuses, at build time, an `executable` that cannot start: missing,
/// not a file, or not executable (Python's `set_executable` finds out at
/// the first start).
fn check_executable(path: &std::ffi::OsStr) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt;

    let shown = std::path::Path::new(path).display();
    let refuse = |why: String| {
        Err(Error::from_kind(ErrorKind::InvalidConfig)
            .with_detail(format!("the executable {shown}: {why}")))
    };
    match std::fs::metadata(path) {
        Err(e) => refuse(e.to_string()),
        Ok(meta) if !meta.is_file() => refuse("not a file".to_owned()),
        Ok(meta) if meta.permissions().mode() & 0o111 == 0 => {
            refuse("not executable (no execute permission)".to_owned())
        }
        Ok(_) => Ok(()),
    }
}
