//! The link: a scheduler worker thread of the parent that owns one child
//! process and its mailbox, and runs tasks by sending them to it.
//!
//! # Lifecycle of a child, step by step
//!
//! 1. **Spawn**: create the mailbox, have the fork server fork the child
//!    (`sys/zygote/`), or else `posix_spawn` `/proc/self/exe`, with the
//!    child's two descriptors and the worker settings, close the parent's
//!    copies of the child's ends (so the child's death is seen as
//!    end-of-file).
//! 2. **Handshake**: wait (bounded by the start-up timeout) for the
//!    child's greeting; a different protocol or build fingerprint is a
//!    clear error and the child is killed.
//! 3. **Initializer**: if the pool has one, run it first; a failure is
//!    returned to the scheduler, which marks the pool broken (no respawn
//!    loop).
//! 4. **Serve**: one task at a time; a reply completes the task. A
//!    caller that is going to wait for its task may run this step itself
//!    on an idle link's child (`lane.rs`); steps 1-3 and respawns stay on
//!    the link's thread. A
//!    reply with a value first releases the task's argument, so a large
//!    round trip never holds the argument, the reply and the result at
//!    once. With `max_memory_per_child`, the link watches the child's
//!    memory while it waits (`memory.rs`): past the hard limit, the child
//!    is stopped and only its task fails.
//! 5. **Death**: end-of-file while a task is out means the child died; it
//!    is reaped, and the task — only that task — fails with the pid and the
//!    exit code or signal. The next task starts a new child, at most
//!    [`RESPAWNS_PER_SECOND`] times a second. A child found dead before a
//!    task is sent to it (killed while idle, or while it started) held
//!    nothing: it is reaped and replaced, and fails no task. With retries
//!    (`pool/retry.rs`) the failed task is sent again to the new child.
//! 6. **Retire**: after `maxtasksperchild` tasks, after a task that
//!    left it over `max_memory_per_child` (`memory.rs`), or when the link
//!    stops, the child is told to exit and reaped (killed if it does not
//!    exit in time). Nothing leaks: every child is reaped, every
//!    descriptor closed. A child retired after a task is replaced at once,
//!    as Python's pool does: the link spawns the replacement (its thread
//!    must outlive the child, for the parent-death signal), and a thread
//!    of its own awaits the greeting and runs the initializer, so the
//!    task that retired its predecessor completes without waiting; the
//!    next task takes the replacement over.
//!
//! | file | what it holds |
//! |------|---------------|
//! | `start.rs` | steps 1-3: the first child, a retired child's replacement, a respawn after a death |
//! | `launch.rs` | spawning a child and awaiting its greeting |
//! | `child.rs` | step 4: one request and its reply, under the request's limits |
//! | `limit.rs`, `memory.rs` | what bounds a request: time limit, stop, `max_memory_per_child` |
//! | `exit.rs` | how a child ended, and its failure reports as errors |
//! | `stats.rs` | the counters behind `Pool::metrics` |
//! | `lane.rs` | the direct lane: a blocking caller runs step 4 on an idle link's child itself |

use std::ffi::OsString;
use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::sys::child::{ChildHandle, Signal};
use crate::wire::codec::Encoded;
use crate::wire::message::{self, OK, Request};
use parking_lot::Mutex;
use pool_core::{Error, ErrorKind, WorkerInfo};

/// How long a link whose lent reply could not be read waits to see
/// whether the child is dying (`exchange`).
const LENT_DEATH_GRACE: Duration = Duration::from_millis(100);

mod child;
mod exit;
mod lane;
mod launch;
mod limit;
mod memory;
pub(crate) mod remote;
mod spawned;
mod start;
mod stats;

use child::{Child, stop_child};
pub(crate) use child::{ReplyBody, set_link_spin};
pub use exit::{ExitReason, WorkerExit};
pub(crate) use exit::{Who, failure_error, failure_reply, failure_to_error, log_death};
pub(crate) use lane::{Lanes, LinkHandle};
pub(crate) use launch::Launch;
pub use launch::StartMethod;
pub(crate) use limit::{Limits, StopFlag};
pub(crate) use memory::MemoryLimit;
pub(crate) use stats::Stats;

use limit::Ended;
use memory::MemoryWatch;
pub(crate) use spawned::FirstSpawns;

/// The most children one link starts per second after deaths.
pub(crate) const RESPAWNS_PER_SECOND: u32 = 10;

/// The initializer every child runs before its first task.
pub(crate) struct Initializer {
    pub(crate) offset: u64,
    pub(crate) payload: Encoded,
    /// Descriptors of the shared objects among its arguments, which every
    /// child inherits (Python's `initargs=(lock, queue, ...)`).
    pub(crate) inherited: Vec<OwnedFd>,
}

/// What all links of one pool share.
pub(crate) struct LinkConfig {
    pub(crate) program: OsString,
    pub(crate) argv0: OsString,
    pub(crate) initializer: Option<Initializer>,
    pub(crate) max_tasks_per_child: Option<usize>,
    /// `max_memory_per_child`: see `memory.rs`.
    pub(crate) max_memory_per_child: Option<MemoryLimit>,
    /// The hard time limit of every request that sets none of its own.
    pub(crate) task_timeout: Option<Duration>,
    /// How many times a task that sets none of its own is resent after
    /// its worker was lost or it timed out (`pool/retry.rs`).
    pub(crate) retries: u32,
    /// How long dropping the pool waits for its work before terminating.
    pub(crate) drop_timeout: Option<Duration>,
    /// Cores to pin children to (worker `i` on `cores[i % len]`), if asked.
    pub(crate) cores: Vec<usize>,
    pub(crate) startup_timeout: Duration,
    /// How children start: forked by the fork server, or spawned.
    pub(crate) start_method: StartMethod,
    /// How long a link spins for a reply, and a child for a request,
    /// before sleeping on the socket.
    pub(crate) link_spin: Duration,
    pub(crate) child_spin: Duration,
    /// Live children (from their spawn on, so also those still starting),
    /// by worker slot, so `terminate` can kill them. A handle stays valid
    /// after its child was reaped (signalling it then reaches nobody), so
    /// the list may lag behind the reaping.
    pub(crate) children: Mutex<Vec<Option<Arc<ChildHandle>>>>,
    /// Set by `terminate`: deaths are expected, nothing is respawned.
    pub(crate) terminating: AtomicBool,
    /// The initializer failure of a replacement worker: the pool is then
    /// broken and starts no more workers (no respawn loop).
    pub(crate) broken: OnceLock<Error>,
    /// What `Pool::metrics` reports beyond the scheduler's view.
    pub(crate) stats: Stats,
    /// Which slots spawned their first child: a `Pool`'s build waits on it.
    pub(crate) first_spawns: FirstSpawns,
    /// Workers that are not children of this process (the MPI backend's
    /// ranks): each link then talks to one of them instead of spawning a
    /// child (`remote.rs`).
    pub(crate) remote: Option<Arc<dyn remote::RemoteWorkers>>,
    /// The most items the default chunking puts in one chunk, if any
    /// (`PoolBuilder::max_default_chunksize`).
    pub(crate) max_default_chunk: Option<usize>,
}

impl LinkConfig {
    /// Kills every live child (Python's `terminate`).
    pub(crate) fn kill_all(&self) {
        self.signal_all(Signal::Kill);
    }

    /// Sends `signal` to every live child, after marking the pool as
    /// terminating (deaths are expected, nothing is respawned).
    pub(crate) fn signal_all(&self, signal: Signal) {
        self.terminating.store(true, Ordering::SeqCst);
        for child in self.children.lock().iter().flatten() {
            // Through the pidfd: a child already reaped is not signalled,
            // and neither is whoever got its pid.
            let _ = child.signal(signal);
        }
    }

    pub(crate) fn live_pids(&self) -> Vec<u32> {
        self.children
            .lock()
            .iter()
            .flatten()
            .map(|child| child.pid())
            .collect()
    }
}

/// Who runs a request: the link's own thread, or a caller on the lane.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Link,
    Lane,
}

/// One scheduler worker's context: the link to one child process.
pub(crate) struct Link {
    config: Arc<LinkConfig>,
    slot: usize,
    core: Option<usize>,
    child: Option<Child>,
    /// Recent respawn times after deaths, for the rate limit.
    respawns: Vec<Instant>,
    /// The last child died (rather than retired): its replacement counts
    /// against the rate limit.
    died: bool,
    /// A replacement for a retired child, starting on a thread of its own
    /// so the task that retired its predecessor completes at once.
    replacement: Option<JoinHandle<Result<Child, Error>>>,
    /// The remote worker this link talks to instead of a child, if the
    /// pool was built over remote workers.
    remote: Option<Box<dyn remote::RemoteWorker>>,
}

impl Link {
    /// Starts the link's first child (steps 1-3). An error breaks the pool.
    pub(crate) fn start(config: Arc<LinkConfig>, info: &WorkerInfo) -> Result<Link, Error> {
        let slot = info.index();
        let core = (!config.cores.is_empty()).then(|| config.cores[slot % config.cores.len()]);
        let mut link = Link {
            config,
            slot,
            core,
            child: None,
            respawns: Vec::new(),
            died: false,
            replacement: None,
            remote: None,
        };
        match &link.config.remote {
            Some(workers) => {
                link.remote = Some(workers.connect(slot)?);
                // Connected is a remote worker's "spawned": `Pool::build`
                // waits for every slot's first spawn.
                link.config.first_spawns.mark(slot);
            }
            None => link.child = Some(link.spawn()?),
        }
        Ok(link)
    }

    /// Counts a task that has settled after `attempts` attempts (its
    /// retries, by `pool/retry.rs`'s rule) for `Pool::metrics`: the
    /// attempts past the first as retries, a failure as failed. A
    /// success on the first attempt costs two comparisons.
    pub(crate) fn settled<T>(&self, outcome: &Result<T, Error>, attempts: u32) {
        let stats = &self.config.stats;
        if attempts > 1 {
            stats
                .retried
                .fetch_add(u64::from(attempts - 1), Ordering::Relaxed);
        }
        if outcome.is_err() {
            Stats::add(&stats.failed);
        }
    }

    /// Runs one request on the child (step 4), handling its death (step
    /// 5) and retirement (step 6). `decode` turns the reply into the
    /// task's value while the reply is still in the shared region.
    ///
    /// Once the child has answered with a value, the payload is
    /// [released](Encoded::release) before `decode` runs: the argument is
    /// no longer needed, and a large round trip then holds at most the
    /// reply (in the region) and the value decoded from it, never the
    /// argument as well. A payload whose task failed is kept, so it can
    /// be sent again.
    pub(crate) fn call<T>(
        &mut self,
        offset: u64,
        payload: &mut Encoded,
        limits: &Limits,
        decode: impl FnOnce(u8, ReplyBody<'_>, &Who) -> Result<T, Error>,
    ) -> Result<T, Error> {
        if let Some(refused) = self.refusal(limits) {
            return Err(refused);
        }
        if let Some(remote) = &mut self.remote {
            return remote::call(remote.as_mut(), &self.config, offset, payload, decode);
        }
        if let Some(child) = &self.child
            && let Some(status) = child.process.try_wait()
        {
            log_death(self.slot, child.process.pid(), status, "died_idle");
            // It died while it held no task (killed from outside): that
            // fails no task, it is only replaced.
            self.forget_child();
            self.died = true;
            Stats::add(&self.config.stats.deaths);
        }
        if self.child.is_none()
            && let Err(error) = self.replace()
        {
            if self.config.terminating.load(Ordering::SeqCst) {
                return Err(terminated());
            }
            if error.kind() == ErrorKind::Initializer {
                // A replacement failed to initialize: the pool is broken,
                // as it would be had the first worker failed.
                let cause = self.config.broken.get_or_init(|| error).clone();
                return Err(Error::broken(cause));
            }
            return Err(error);
        }
        self.exchange(offset, payload, limits, decode, Role::Link)
    }

    /// Why a request must not be sent at all: the pool is terminating or
    /// broken, or the request was stopped before it reached a worker.
    fn refusal(&self, limits: &Limits) -> Option<Error> {
        if self.config.terminating.load(Ordering::SeqCst) {
            return Some(terminated());
        }
        if limits.stop.as_ref().is_some_and(|stop| stop.requested()) {
            // Stopped before it was sent: no child is involved.
            return Some(
                Error::from_kind(ErrorKind::Stopped)
                    .with_detail("stopped before it reached a worker process"),
            );
        }
        self.config
            .broken
            .get()
            .map(|cause| Error::broken(cause.clone()))
    }

    /// Sends one request to the live child and settles it (steps 4-6),
    /// on the link's thread or, for `Role::Lane`, on a caller's thread
    /// (`lane.rs`), which never spawns: a child that retires there is
    /// replaced by the link's next task.
    fn exchange<T>(
        &mut self,
        offset: u64,
        payload: &mut Encoded,
        limits: &Limits,
        decode: impl FnOnce(u8, ReplyBody<'_>, &Who) -> Result<T, Error>,
        role: Role,
    ) -> Result<T, Error> {
        let child = self
            .child
            .as_mut()
            .expect("`call` respawned it, the lane saw it");
        let pid = child.process.pid();
        let timeout = limits.timeout.or(self.config.task_timeout);
        let limits = Limits {
            timeout,
            stop: limits.stop.clone(),
            retries: None,
        };
        let outcome = child.send(Request::Call, offset, payload).and_then(|()| {
            child.reply(&limits, |status, body| {
                if status == OK {
                    payload.release();
                }
                decode(status, body, &Who::Local(pid))
            })
        });
        // A lent body that could not be read because the child died
        // meanwhile (killed from outside between its reply and our read):
        // the task's worker was lost, as if it had died running it.
        let outcome = match outcome {
            Ok(Err(_))
                if child.lent_reply && child.process.wait_timeout(LENT_DEATH_GRACE).is_some() =>
            {
                Err(Ended::Died)
            }
            other => other,
        };
        match outcome {
            Ok(value) => {
                child.tasks += 1;
                self.config.stats.tasks[self.slot].store(child.tasks as u64, Ordering::Relaxed);
                let worn_out = self
                    .config
                    .max_tasks_per_child
                    .is_some_and(|max| child.tasks >= max);
                if worn_out || child.memory.as_mut().is_some_and(MemoryWatch::over_limit) {
                    self.retire();
                    // Replaced at once, as Python's pool does, so an idle
                    // pool keeps its size; the next task takes it over.
                    if role == Role::Link && !self.config.terminating.load(Ordering::SeqCst) {
                        self.start_replacement();
                    }
                }
                value
            }
            Err(Ended::Died) => {
                let status = child.process.reap(Duration::from_secs(5));
                self.forget_child();
                self.died = true;
                if self.config.terminating.load(Ordering::SeqCst) {
                    log_death(self.slot, pid, status, "terminated");
                    return Err(terminated());
                }
                log_death(self.slot, pid, status, "died");
                Stats::add(&self.config.stats.deaths);
                Err(Error::new(
                    ErrorKind::WorkerLost,
                    WorkerExit { pid, status },
                ))
            }
            Err(ended) => {
                // The child still runs this request, and only this link
                // sends it requests: the stop reaches the task's own
                // worker, never one that moved on.
                let status = stop_child(&child.process);
                self.forget_child();
                self.died = true;
                if self.config.terminating.load(Ordering::SeqCst) {
                    log_death(self.slot, pid, status, "terminated");
                    return Err(terminated());
                }
                let cause = match ended {
                    Ended::Expired(_) => "timed_out",
                    Ended::OverMemory(_) => "over_memory",
                    _ => "stopped",
                };
                log_death(self.slot, pid, status, cause);
                Stats::add(&self.config.stats.deaths);
                let exit = WorkerExit { pid, status };
                Err(match ended {
                    Ended::Expired(limit) => Error::new(ErrorKind::TaskTimedOut, exit)
                        .with_detail(format!("limit {limit:?}; worker process {pid} was stopped")),
                    Ended::OverMemory(overrun) => overrun.error(exit),
                    _ => Error::new(ErrorKind::Stopped, exit)
                        .with_detail(format!("worker process {pid} was stopped")),
                })
            }
        }
    }

    fn forget_child(&mut self) {
        self.child = None;
        self.config.children.lock()[self.slot] = None;
        self.config.stats.tasks[self.slot].store(0, Ordering::Relaxed);
    }

    /// Step 6: asks the child to exit and reaps it.
    fn retire(&mut self) {
        if let Some(mut child) = self.child.take() {
            pool_core::__event!(
                DEBUG,
                "poolrt.process.retire",
                worker = self.slot,
                pid = child.process.pid(),
                tasks = child.tasks,
            );
            self.config.children.lock()[self.slot] = None;
            self.config.stats.tasks[self.slot].store(0, Ordering::Relaxed);
            let _ = child
                .mailbox
                .send(&[&message::request_head(Request::Exit, 0)]);
            let Child {
                process, mailbox, ..
            } = child;
            // Closing our end lets a child that missed the request see
            // end-of-file and exit.
            drop(mailbox);
            process.reap(Duration::from_secs(2));
        }
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        if let Some(starting) = self.replacement.take() {
            // No task will need it: stop it if it is still starting (it is
            // listed as soon as it exists), then reap it either way.
            if !starting.is_finished()
                && let Some(child) = self.config.children.lock()[self.slot].take()
            {
                let _ = child.signal(Signal::Kill);
            }
            if let Ok(Ok(child)) = starting.join() {
                self.child = Some(child);
            }
        }
        self.retire();
    }
}

/// The error for tasks cut short by `terminate`.
fn terminated() -> Error {
    Error::from_kind(ErrorKind::Shutdown).with_detail("the pool was terminated")
}
