//! The direct lane: a caller that is going to wait for its task (a
//! blocking `Pool::apply`) talks to an idle link's child itself, instead of
//! handing the task to the link's thread and waiting to be woken.
//!
//! The link path costs two thread wake-ups per task (caller → link, link
//! → caller) on top of the child's own; the lane costs none while the
//! child spins: the caller writes the request into the child's mailbox,
//! spins on the reply (then sleeps on the socket, as a link does), and
//! decodes it in place.
//!
//! # How, step by step
//!
//! 1. Each link lives in a slot, `Mutex<Option<Link>>`. Its thread holds
//!    the lock while it runs a task ([`LinkHandle::with`]), so a slot whose
//!    lock is free holds an idle link.
//! 2. A caller tries the slots' locks in turn (`try_lock`: never waits);
//!    it takes the first free slot whose link [is open to the
//!    lane](Link::lane_open). None (all busy, or none open) → the caller
//!    submits to the scheduler as before, so nothing is lost and a task
//!    never waits for a lane.
//! 3. Under the lock, the caller runs the same exchange the link's thread
//!    runs ([`Link::call`]'s second half): send, wait under the request's
//!    limits, decode, count. A child that dies meanwhile is reaped by the
//!    caller, which gets the link path's error (pid, exit code or
//!    signal); a time limit stops the child the same way.
//! 4. The caller never spawns: a child's parent-death signal follows the
//!    thread that spawned it, so only the link's thread may. A slot
//!    whose child is gone, starting, or would retire after this task
//!    (`maxtasksperchild`) is not open to the lane; the link's next task
//!    replaces or retires it.
//! 5. When the link's thread ends, it takes its link out of the slot
//!    (waiting for a lane call in flight) and retires the child.
//!
//! | state | who may touch it |
//! |-------|------------------|
//! | the `Link` in a slot | whoever holds the slot's lock: its thread, or one lane caller |
//! | `Lanes::next` | anyone (a hint where to start looking) |

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use parking_lot::Mutex;
use pool_core::Error;

use super::limit::Limits;
use super::{Link, ReplyBody, Role, Who, set_link_spin};
use crate::wire::codec::Encoded;

/// One link's slot: the link, while its thread runs.
type Slot = Arc<Mutex<Option<Link>>>;

/// The slots of every link of one pool.
pub(crate) struct Lanes {
    slots: Box<[Slot]>,
    /// Where the next caller starts looking: the slot used last, whose
    /// child is most likely still spinning.
    next: AtomicUsize,
    /// Tasks the lane has settled, for `Pool::metrics` (the scheduler
    /// does not see them).
    settled: AtomicU64,
    /// The executor's tasks run on the lane (`pool/helped.rs`): their
    /// queued jobs then run as no-ops, which the scheduler counts.
    pub(crate) helped: HelpedCounts,
    /// Set once every slot was seen filled: [`all_started`] then costs
    /// one load instead of a try-lock per slot on every `result()`.
    ///
    /// [`all_started`]: Lanes::all_started
    started: AtomicBool,
}

/// What `pool/helped.rs` counts so that `metrics()` shows each task once,
/// whichever side ran it.
#[derive(Default)]
pub(crate) struct HelpedCounts {
    /// Tasks a waiter took from the queue (their no-op jobs are still
    /// queued until a link pops them).
    pub(crate) taken: AtomicU64,
    /// Of those, finished.
    pub(crate) finished: AtomicU64,
    /// Jobs that ran as no-ops: their task was taken by a waiter, or
    /// cancelled.
    pub(crate) noops: AtomicU64,
    /// No-op jobs whose task a waiter took.
    pub(crate) taken_popped: AtomicU64,
}

/// A link thread's hold on its slot: the scheduler worker's context.
pub(crate) struct LinkHandle(Slot);

impl Lanes {
    /// Empty slots for `processes` links.
    pub(crate) fn new(processes: usize) -> Lanes {
        Lanes {
            slots: (0..processes).map(|_| Slot::default()).collect(),
            next: AtomicUsize::new(0),
            settled: AtomicU64::new(0),
            helped: HelpedCounts::default(),
            started: AtomicBool::new(false),
        }
    }

    /// Puts a started link into its slot; its thread keeps the handle.
    pub(crate) fn install(&self, link: Link) -> LinkHandle {
        let slot = self.slots[link.slot].clone();
        *slot.lock() = Some(link);
        LinkHandle(slot)
    }

    /// Whether every link has started (its slot was filled): until then
    /// an executor starts links on demand. A slot locked now is in use,
    /// so filled.
    pub(crate) fn all_started(&self) -> bool {
        // Relaxed: a hint; a link whose slot empties later (shutdown) is
        // refused by `with_idle` itself.
        if self.started.load(Ordering::Relaxed) {
            return true;
        }
        let all = self
            .slots
            .iter()
            .all(|slot| slot.try_lock().is_none_or(|link| link.is_some()));
        if all {
            self.started.store(true, Ordering::Relaxed);
        }
        all
    }

    /// The scheduler's `completed` and `queued` corrected for the lane:
    /// tasks the lane settled count as completed, no-op jobs (whose task
    /// a waiter ran, or that were cancelled) neither as completed nor as
    /// queued.
    pub(crate) fn corrected(&self, completed: u64, queued: usize) -> (u64, usize) {
        let h = &self.helped;
        // Relaxed: statistics; each counter only grows.
        let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let completed =
            (completed + load(&self.settled) + load(&h.finished)).saturating_sub(load(&h.noops));
        let still_queued = load(&h.taken).saturating_sub(load(&h.taken_popped));
        (completed, queued.saturating_sub(still_queued as usize))
    }

    /// Runs one request on an idle link's child from this thread (module
    /// docs). `None` when no link was free and open to the lane: the
    /// payload is untouched, and the caller submits the task instead.
    pub(crate) fn call<T>(
        &self,
        offset: u64,
        payload: &mut Encoded,
        limits: &Limits,
        decode: impl FnOnce(u8, ReplyBody<'_>, &Who) -> Result<T, Error>,
    ) -> Option<Result<T, Error>> {
        let outcome = self.with_idle(limits, |lane| lane.call(offset, payload, limits, decode))?;
        self.settled.fetch_add(1, Ordering::Relaxed);
        Some(outcome)
    }

    /// Runs `task` with an idle link open to a request with `limits`
    /// (steps 2-3), on this thread; `None` when there was none.
    pub(crate) fn with_idle<T>(
        &self,
        limits: &Limits,
        task: impl FnOnce(Lane<'_>) -> T,
    ) -> Option<T> {
        let count = self.slots.len();
        let first = self.next.load(Ordering::Relaxed);
        for i in 0..count {
            let index = (first + i) % count;
            let Some(mut guard) = self.slots[index].try_lock() else {
                continue;
            };
            let Some(link) = guard.as_mut() else {
                continue;
            };
            if !link.lane_open(limits) {
                continue;
            }
            if index != first {
                self.next.store(index, Ordering::Relaxed);
            }
            return Some(task(Lane(link)));
        }
        None
    }
}

/// An idle link taken by a caller, for one request.
pub(crate) struct Lane<'l>(&'l mut Link);

impl Lane<'_> {
    /// Runs one request (step 3) and counts it for the link's metrics.
    pub(crate) fn call<T>(
        self,
        offset: u64,
        payload: &mut Encoded,
        limits: &Limits,
        decode: impl FnOnce(u8, ReplyBody<'_>, &Who) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let _spans = spans();
        let link = self.0;
        // A panic of the caller's own code (a result's `Deserialize`)
        // fails the task, as the scheduler's job boundary does on the link
        // path; the link stays usable (the reply was received).
        let outcome =
            pool_core::catch_task_panic(|| link.lane_exchange(offset, payload, limits, decode))
                .map_err(Error::panicked)
                .and_then(|outcome| outcome);
        link.settled(&outcome, 1);
        outcome
    }
}

/// The spans a task on the link path has (`poolrt.submit`, and inside it
/// `poolrt.task`), open on the caller's thread while the lane runs it.
#[cfg(feature = "tracing")]
fn spans() -> impl Sized {
    use pool_core::__private::tracing::{Level, span};
    let submit = span!(target: "poolrt", Level::DEBUG, "poolrt.submit").entered();
    let task = span!(target: "poolrt", Level::DEBUG, "poolrt.task").entered();
    // Dropped in order: the task's span is left first.
    (task, submit)
}

#[cfg(not(feature = "tracing"))]
fn spans() -> impl Sized {}

impl LinkHandle {
    /// Runs `task` with the link, holding its slot (step 1).
    pub(crate) fn with<T>(&mut self, task: impl FnOnce(&mut Link) -> T) -> T {
        let mut guard = self.0.lock();
        task(
            guard
                .as_mut()
                .expect("a link stays in its slot while its thread runs"),
        )
    }
}

impl Drop for LinkHandle {
    fn drop(&mut self) {
        // Step 5: out of the slot first (lane callers then pass it by),
        // then dropped, which retires the child, outside the lock.
        let link = self.0.lock().take();
        drop(link);
    }
}

impl Link {
    /// Whether a lane caller may run a request with `limits` on this
    /// link now (step 4): a live child that is not starting, no per-child
    /// memory limit (its watch is the link's), and no retirement due
    /// after this task. A request the link would refuse (a terminating
    /// or broken pool, a stopped task) is left to the link path too,
    /// which gives its error.
    fn lane_open(&self, limits: &Limits) -> bool {
        if self.remote.is_some() || self.replacement.is_some() {
            return false;
        }
        if self.refusal(limits).is_some() {
            return false;
        }
        let Some(child) = &self.child else {
            return false;
        };
        if child.memory.is_some()
            || self
                .config
                .max_tasks_per_child
                .is_some_and(|max| child.tasks + 1 >= max)
        {
            return false;
        }
        // A child that died idle fails no task: the link's next task
        // reaps and replaces it.
        child.process.try_wait().is_none()
    }

    /// Step 3, after [`lane_open`](Self::lane_open) said yes.
    fn lane_exchange<T>(
        &mut self,
        offset: u64,
        payload: &mut Encoded,
        limits: &Limits,
        decode: impl FnOnce(u8, ReplyBody<'_>, &Who) -> Result<T, Error>,
    ) -> Result<T, Error> {
        // The caller's thread waits for the reply as the link's would.
        set_link_spin(self.config.link_spin);
        self.exchange(offset, payload, limits, decode, Role::Lane)
    }
}
