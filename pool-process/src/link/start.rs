//! Starting a link's children (steps 1-3): the first one, a replacement
//! for one that retired (started at once, greeted on a thread of its
//! own), and a respawn after a death (rate-limited).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use pool_core::{Error, ErrorKind};

use super::child::{Child, stop_child};
use super::launch::{Launch, Spawned};
use super::limit::{Ended, Limits};
use super::memory::MemoryWatch;
use super::{ExitReason, Link, LinkConfig, RESPAWNS_PER_SECOND, Stats, WorkerExit, terminated};
use crate::link::failure_reply;
use crate::sys::child::ChildHandle;
use crate::wire::message::{OK, Request};

/// How many replacements in a row may be killed while they start before
/// a link gives up and fails the task it was to run.
const STARTUP_KILLS: u32 = 10;

/// Whether a spawn failed because the child was killed by a signal before
/// it greeted.
fn killed_in_startup(error: &Error) -> bool {
    use std::error::Error as _;
    error.kind() == ErrorKind::Spawn
        && error
            .source()
            .and_then(|source| source.downcast_ref::<WorkerExit>())
            .is_some_and(|exit| matches!(exit.status, ExitReason::Signal(_)))
}

impl Link {
    /// Steps 1-3. The child is listed for `terminate` from the moment it
    /// exists, so a pool terminated while a worker starts (or runs its
    /// initializer) kills that worker too, and it runs no task.
    pub(super) fn spawn(&self) -> Result<Child, Error> {
        Self::spawn_in(&self.config, self.slot, self.core)
    }

    /// [`spawn`](Self::spawn) for worker `slot`, pinned to `core`: a
    /// function of its own, so a replacement can start on another thread.
    fn spawn_in(config: &LinkConfig, slot: usize, core: Option<usize>) -> Result<Child, Error> {
        Self::finish_start(config, slot, Self::spawn_process(config, slot, core)?)
    }

    /// Step 1 of [`spawn`](Self::spawn), on the link's own thread (the
    /// child's parent-death signal follows the thread that spawned it).
    fn spawn_process(
        config: &LinkConfig,
        slot: usize,
        core: Option<usize>,
    ) -> Result<Spawned, Error> {
        let launch = Launch {
            program: &config.program,
            argv0: &config.argv0,
            core,
            child_spin: config.child_spin,
            inherited: config
                .initializer
                .as_ref()
                .map_or(&[], |init| init.inherited.as_slice()),
            name: &format!("PoolWorker-{}", slot + 1),
            // A pool's workers are daemons, as in Python.
            daemon: true,
            startup_timeout: config.startup_timeout,
            reply_spin: config.link_spin,
            start_method: config.start_method,
        };
        let listed = |child: &Arc<ChildHandle>| {
            let mut children = config.children.lock();
            // Under the lock `kill_all` takes after setting the flag: either
            // it sees this child, or this sees the flag.
            if config.terminating.load(Ordering::SeqCst) {
                return Err(terminated());
            }
            children[slot] = Some(child.clone());
            Ok(())
        };
        let spawned = launch.spawn(listed).inspect_err(|_| {
            config.children.lock()[slot] = None;
        });
        config.first_spawns.mark(slot);
        spawned
    }

    /// Steps 2-3 of [`spawn`](Self::spawn), on any thread.
    fn finish_start(config: &LinkConfig, slot: usize, spawned: Spawned) -> Result<Child, Error> {
        let (process, mailbox) = spawned.greeted().inspect_err(|_| {
            config.children.lock()[slot] = None;
        })?;
        let memory = config
            .max_memory_per_child
            .map(|limit| MemoryWatch::start(limit, process.pid()))
            .transpose()
            .inspect_err(|_| {
                process.kill_and_reap();
                config.children.lock()[slot] = None;
            })?;
        let child = Child {
            process,
            mailbox,
            tasks: 0,
            memory,
            lent_reply: false,
        };
        #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
        let pid = child.process.pid();
        match Self::initialize(config, child) {
            Ok(child) => {
                pool_core::__event!(INFO, "poolrt.process.spawn", worker = slot, pid = pid);
                Ok(child)
            }
            Err(error) => {
                config.children.lock()[slot] = None;
                if error.kind() == ErrorKind::Initializer {
                    pool_core::__event!(
                        ERROR,
                        "poolrt.process.init_failed",
                        worker = slot,
                        pid = pid,
                        error = %pool_core::__private::Chain(&error),
                    );
                }
                Err(error)
            }
        }
    }

    /// Step 3 for a child that greeted; on an error the child is reaped.
    fn initialize(config: &LinkConfig, mut child: Child) -> Result<Child, Error> {
        let pid = child.process.pid();
        if let Some(init) = &config.initializer {
            let outcome = child.exchange(
                Request::Init,
                init.offset,
                &init.payload,
                &Limits::default(),
                |status, body| {
                    if status == OK {
                        Ok(())
                    } else {
                        Err(failure_reply(body, pid))
                    }
                },
            );
            match outcome {
                Ok(Ok(())) => {}
                Ok(Err(failure)) => {
                    child.process.kill_and_reap();
                    // An error it returned is an initializer error already;
                    // a panic (or a bad argument) gets wrapped in one.
                    return Err(if failure.kind() == ErrorKind::Initializer {
                        failure
                    } else {
                        Error::new(ErrorKind::Initializer, failure)
                    });
                }
                Err(Ended::OverMemory(overrun)) => {
                    let status = stop_child(&child.process);
                    let exit = WorkerExit { pid, status };
                    return Err(Error::new(ErrorKind::Initializer, overrun.error(exit)));
                }
                Err(_) => {
                    let status = child.process.reap(Duration::from_secs(5));
                    return Err(Error::new(
                        ErrorKind::Initializer,
                        WorkerExit { pid, status },
                    ));
                }
            }
        }
        Ok(child)
    }

    /// Starts a retired child's replacement: spawned here, greeted and
    /// initialized on a thread of its own ([`replace`](Self::replace)
    /// takes it over), so the task that retired its predecessor completes
    /// at once. A failure is left for the next task, which starts a child
    /// itself.
    pub(super) fn start_replacement(&mut self) {
        let Ok(spawned) = Self::spawn_process(&self.config, self.slot, self.core) else {
            return;
        };
        let handoff = Arc::new(Mutex::new(Some(spawned)));
        let (config, slot, theirs) = (self.config.clone(), self.slot, handoff.clone());
        let started = std::thread::Builder::new()
            .name(format!("poolrt-replace-{}", slot + 1))
            .spawn(move || {
                let spawned = theirs.lock().take().expect("handed over once");
                Self::finish_start(&config, slot, spawned)
            });
        match started {
            Ok(starting) => self.replacement = Some(starting),
            // No thread: finish the start here instead.
            Err(_) => {
                if let Some(spawned) = handoff.lock().take() {
                    self.child = Self::finish_start(&self.config, self.slot, spawned).ok();
                    if self.child.is_some() {
                        Stats::add(&self.config.stats.replacements);
                    }
                }
            }
        }
    }

    /// Gives the link a child again: the replacement already starting, or
    /// a new one.
    pub(super) fn replace(&mut self) -> Result<(), Error> {
        self.take_replacement()?;
        Stats::add(&self.config.stats.replacements);
        pool_core::__event!(
            INFO,
            "poolrt.process.replace",
            worker = self.slot,
            pid = self.child.as_ref().map(|child| child.process.pid()),
        );
        Ok(())
    }

    /// [`replace`](Self::replace), uncounted.
    fn take_replacement(&mut self) -> Result<(), Error> {
        match self.replacement.take() {
            Some(starting) => {
                let child = starting.join().unwrap_or_else(|_| {
                    Err(Error::from_kind(ErrorKind::Spawn)
                        .with_detail("the thread starting a replacement worker panicked"))
                })?;
                self.child = Some(child);
                Ok(())
            }
            None => self.respawn(),
        }
    }

    /// Starts a replacement child. After a death it first waits if
    /// children die faster than the rate limit allows; a child retired by
    /// `maxtasksperchild` or `max_memory_per_child` is replaced at once,
    /// before the task that retired it completes. A replacement killed by a
    /// signal before it greeted (killed from outside while it started)
    /// held no task, like one killed while idle: another is started, up
    /// to [`STARTUP_KILLS`] times in a row.
    fn respawn(&mut self) -> Result<(), Error> {
        let mut kills = 0;
        loop {
            if self.died {
                let now = Instant::now();
                self.respawns
                    .retain(|t| now.duration_since(*t) < Duration::from_secs(1));
                if self.respawns.len() as u32 >= RESPAWNS_PER_SECOND {
                    let oldest = self.respawns[0];
                    std::thread::sleep(
                        Duration::from_secs(1).saturating_sub(now.duration_since(oldest)),
                    );
                }
                self.respawns.push(Instant::now());
            }
            match self.spawn() {
                Ok(child) => {
                    self.child = Some(child);
                    self.died = false;
                    return Ok(());
                }
                Err(error) if kills < STARTUP_KILLS && killed_in_startup(&error) => {
                    pool_core::__event!(
                        WARN,
                        "poolrt.process.death",
                        worker = self.slot,
                        cause = "died_starting",
                        error = %pool_core::__private::Chain(&error),
                    );
                    kills += 1;
                    self.died = true;
                }
                Err(error) => return Err(error),
            }
        }
    }
}
