//! One worker thread: its start-up, its search loop and its exit. The step
//! numbers refer to the idle protocol in `sleep/README.md`.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{Ordering::Acquire, Ordering::SeqCst, fence};
use std::thread;

use crossbeam_deque::{Steal, Worker};
use crossbeam_utils::Backoff;

use super::Registry;
use crate::affinity;
use crate::config::WorkerInfo;
use crate::error::Error;
use crate::job::{Finish, JobRef};
use crate::loom::thread::Thread;
use crate::metrics::Counters;
use crate::sleep::Slept;
use crate::trace;
use crate::unwind;

thread_local! {
    /// The worker running on this thread, if any, as `Rc<Local<C>>`.
    static CURRENT: RefCell<Option<Rc<dyn Any>>> = const { RefCell::new(None) };
    /// The address of that worker's registry (0 if none): a cheap first
    /// check for the submit path, which runs once per task.
    static CURRENT_REGISTRY: Cell<usize> = const { Cell::new(0) };
}

fn address_of<C: 'static>(registry: &Registry<C>) -> usize {
    std::ptr::from_ref(registry) as usize
}

/// Pushes `job` onto the calling thread's own deque if it is a worker of
/// `registry`; otherwise hands the job back.
pub(super) fn push_local<C: 'static>(registry: &Registry<C>, job: JobRef<C>) -> Option<JobRef<C>> {
    if CURRENT_REGISTRY.get() != address_of(registry) {
        return Some(job);
    }
    CURRENT.with(|current| {
        let current = current.borrow();
        match current.as_ref().and_then(|c| c.downcast_ref::<Local<C>>()) {
            Some(local) if std::ptr::eq(&*local.registry, registry) => {
                local.deque.push(job);
                None
            }
            _ => Some(job),
        }
    })
}

/// True when the calling thread is a worker of `registry`.
pub(crate) fn on_worker_of<C: 'static>(registry: &Registry<C>) -> bool {
    CURRENT_REGISTRY.get() == address_of(registry)
}

/// How many times an idle worker looks for work before it sleeps: a few
/// rounds of spinning, then of yielding the core. Long enough to bridge the
/// gap between a steady submitter's pushes (each park costs the submitter a
/// futex wake), short enough to be a few microseconds on an idle pool.
const SPIN_ROUNDS: u32 = 32;

/// The most jobs a worker takes from the injector at once. One at a time,
/// a worker that keeps up with a submitter takes each job right after it
/// was pushed, and every push and take moved the injector's cache lines
/// between the two cores: the submitter spent a fifth of its time in
/// `Injector::push`. Taking what has piled up, up to crossbeam's own batch
/// limit, leaves the submitter lines nobody is reading; T1 with futures
/// dropped went from 2.4 to 3.4-4.5 M tasks/s (same hour, `threadpool` 2.3).
const INJECTOR_BATCH: usize = 32;

/// What a worker thread owns while it occupies a slot.
struct Local<C: 'static> {
    registry: Arc<Registry<C>>,
    index: usize,
    deque: Worker<JobRef<C>>,
    thread: Thread,
    /// Counted in the `searching` counter (step 3).
    searching: Cell<bool>,
    /// xorshift state for picking where to start stealing.
    rng: Cell<u32>,
    /// Finished jobs cleared for a submitter to free (`recycle.rs`).
    retired: RefCell<Vec<JobRef<C>>>,
}

impl<C: 'static> Finish for Local<C> {
    /// Counts the job, and if our deque is empty and the pool may still
    /// start threads, counts this worker as searching *before* the outcome
    /// is published: a caller that submits its next task as soon as it sees
    /// this one done then finds a searcher, and the idle thread is reused
    /// instead of a new one started, as Python promises.
    ///
    /// In a pool whose threads have all started there is no thread to
    /// save, and the worker goes on to its next job without touching the
    /// shared counters (step 3b): with back-to-back no-op tasks, the two
    /// read-modify-writes per task on the word every submitter reads
    /// (`start_search` here, `end_search` after the next find, with its
    /// SeqCst fence) took about 6% of the time in a profile of T1.
    fn finishing(&self, panicked: bool) {
        self.counters().ran(panicked);
        if self.deque.is_empty() && self.registry.sleep.may_start_worker() {
            self.start_searching();
        }
    }
}

/// How an idle phase ended.
enum Idle<C: 'static> {
    Job(JobRef<C>),
    /// Woken by a notifier: search again.
    Retry,
    /// Leave the pool; the worker is counted as searching.
    Exit,
}

/// A panic outside user code means a broken invariant of the scheduler:
/// abort rather than run on with corrupt counters (as rayon does).
struct AbortOnUnwind;

impl Drop for AbortOnUnwind {
    fn drop(&mut self) {
        if thread::panicking() {
            eprintln!("poolrt: a scheduler invariant broke on a worker thread; aborting");
            std::process::abort();
        }
    }
}

/// Decrements the live-thread count even if the worker unwinds.
struct AliveToken<'a, C: 'static>(&'a Registry<C>);

impl<C: 'static> Drop for AliveToken<'_, C> {
    fn drop(&mut self) {
        self.0.thread_exited();
    }
}

/// The body of a worker thread for slot `index`. The worker was counted as
/// live and searching by whoever started it.
pub(super) fn main<C: 'static>(registry: Arc<Registry<C>>, index: usize) {
    let _abort = AbortOnUnwind;
    let _alive = AliveToken(&registry);
    let _span = trace::worker(&registry.span, index);
    let core = registry
        .core_for(index)
        .filter(|&core| affinity::pin_current(core));
    let deque = registry.slots[index]
        .deque
        .lock()
        .take()
        .expect("a free slot holds its deque");
    let local = Rc::new(Local {
        registry: Arc::clone(&registry),
        index,
        deque,
        thread: crate::loom::thread::current(),
        searching: Cell::new(true),
        rng: Cell::new((index as u32).wrapping_mul(0x9E37_79B9) | 1),
        retired: RefCell::new(Vec::with_capacity(super::recycle::BATCH)),
    });
    CURRENT.with(|current| *current.borrow_mut() = Some(local.clone()));
    CURRENT_REGISTRY.set(address_of(&*registry));

    let info = WorkerInfo { index, core };
    crate::__event!(DEBUG, "poolrt.worker.start", worker = index, core = core);
    // A submit that passed the refusal check just before the pool broke
    // can still start a worker (the breaking one had left). Such a worker
    // must not start a context: a failing start (an initializer) would run
    // again for every racing submit. The breaker failed the queue, and the
    // racing submit fails its own task; this worker fails any job such a
    // submit left queued, so it is not left to the next worker it starts.
    if !registry.is_broken() {
        match unwind::catch(|| (registry.config.start)(&info)) {
            Ok(Ok(mut ctx)) => {
                local.run(&mut ctx);
                // The context (a child process, a connection) is dropped
                // here, on its own thread, before the slot is given back.
                drop(ctx);
            }
            Ok(Err(error)) => start_failed(&registry, index, error),
            Err(panic) => start_failed(&registry, index, Error::panicked(panic)),
        }
    } else {
        registry.fail_queued_if_broken();
    }

    CURRENT_REGISTRY.set(0);
    CURRENT.with(|current| current.borrow_mut().take());
    let local = Rc::try_unwrap(local).unwrap_or_else(|_| unreachable!("only CURRENT held a clone"));
    registry.release_slot(index, local.deque);
    crate::__event!(DEBUG, "poolrt.worker.exit", worker = index);
    // Step 5: leave, then make sure a job pushed while we were counted as
    // searching is not stranded.
    registry.sleep.leave();
    fence(SeqCst);
    if !registry.injector_is_empty() {
        registry.notify();
    }
}

/// A worker's context could not start (a failing initializer, a child
/// process that did not start): the pool is broken, rather than retrying
/// for every task.
#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
fn start_failed<C: 'static>(registry: &Registry<C>, index: usize, error: Error) {
    crate::__event!(
        ERROR,
        "poolrt.worker.start_failed",
        worker = index,
        error = %crate::__private::Chain(&error),
    );
    registry.break_with(error);
}

impl<C: 'static> Local<C> {
    fn counters(&self) -> &Counters {
        &self.registry.slots[self.index].counters
    }

    /// The search loop (step 3). Returns when the worker must exit; it is
    /// then counted as searching.
    fn run(&self, ctx: &mut C) {
        let registry = &self.registry;
        loop {
            let job = match self.find_job() {
                Some(job) => job,
                None => {
                    self.start_searching();
                    match self.idle() {
                        Idle::Job(job) => job,
                        Idle::Retry => continue,
                        Idle::Exit => return,
                    }
                }
            };
            if self.searching.replace(false) {
                // Step 3b: a searcher that found work wakes another while
                // more work is queued anywhere.
                registry.sleep.end_search();
                if registry.has_queued_work() {
                    // Two hand-overs, not one: each worker woken for a
                    // backlog wakes two more, so a burst reaches a sleeping
                    // pool along a tree, up to eight wake-ups in flight
                    // (100 threads in about 15 wake-up latencies), rather
                    // than along a chain of 100, whose skew stayed in every
                    // later round of T2's sleeps. The second is a plain
                    // load when nobody sleeps.
                    registry.hand_over();
                    registry.hand_over();
                }
            } else if !self.deque.is_empty() && registry.sleep.could_use_another() {
                // Step 3d: jobs wait in our deque behind the one we are
                // about to run (which may block for long), and a worker is
                // asleep or could be started: hand them over.
                registry.hand_over();
            }
            job.run(ctx, self);
            registry.recycle.retire(&mut self.retired.borrow_mut(), job);
        }
    }

    /// Step 3c: counts this worker as searching, once.
    fn start_searching(&self) {
        if !self.searching.replace(true) {
            self.registry.sleep.start_search();
        }
    }

    /// Spins briefly, then sleeps (steps 3c and 4).
    fn idle(&self) -> Idle<C> {
        let registry = &self.registry;
        let backoff = Backoff::new();
        // Spinning helps only while spinners have cores to spin on: with
        // more searchers than cores (a 100-thread IO pool going quiet), the
        // extra ones go straight to sleep instead of stealing CPU from
        // workers that are finishing tasks.
        let rounds = if registry.sleep.counts().searching > registry.spinners {
            0
        } else {
            SPIN_ROUNDS
        };
        for _ in 0..rounds {
            if registry.is_closed() {
                return self.exit_or_job();
            }
            if backoff.is_completed() {
                thread::yield_now();
            } else {
                backoff.snooze();
            }
            if let Some(job) = self.find_job() {
                return Idle::Job(job);
            }
        }

        // Step 4.
        let slept = registry.sleep.sleep(
            self.index,
            &self.thread,
            registry.config.keep_alive,
            || self.find_job(),
            || registry.is_closed(),
        );
        match slept {
            Slept::Job(job) => Idle::Job(job),
            Slept::Notified => Idle::Retry,
            Slept::Leave => self.exit_or_job(),
        }
    }

    /// A closed pool's worker leaves once no job is left for it.
    fn exit_or_job(&self) -> Idle<C> {
        // SeqCst fence: after seeing the pool closed (or deciding to leave),
        // see every job pushed by a submitter that saw it open.
        fence(SeqCst);
        match self.find_job() {
            Some(job) => Idle::Job(job),
            None => Idle::Exit,
        }
    }

    /// Own deque first, then the injector, then the other workers.
    ///
    /// From the injector a worker takes up to [`INJECTOR_BATCH`] jobs into
    /// its own deque; from a peer's deque it steals half. Deques are FIFO
    /// and thieves take the oldest jobs, so submits from outside the pool
    /// still start roughly in the order they were made, and a batch never
    /// waits behind a task that blocks: before running a job with others
    /// behind it the worker hands them over (step 3d), and any idle worker
    /// steals them.
    fn find_job(&self) -> Option<JobRef<C>> {
        if let Some(job) = self.deque.pop() {
            return Some(job);
        }
        let registry = &self.registry;
        loop {
            let mut retry = false;
            if !registry.injector.is_empty() {
                match registry
                    .injector
                    .steal_batch_with_limit_and_pop(&self.deque, INJECTOR_BATCH)
                {
                    Steal::Success(job) => return Some(job),
                    Steal::Retry => retry = true,
                    Steal::Empty => {}
                }
            }
            // Acquire: pairs with the Release in `prepare_slot`.
            let used = registry.high_water.load(Acquire);
            if used > 1 {
                let start = self.next_random() as usize % used;
                for i in (start..used).chain(0..start) {
                    if i == self.index {
                        continue;
                    }
                    // `is_empty` reads two indices; `steal` pins an epoch.
                    // With many idle workers (an IO pool of 100 threads)
                    // the check saves most of the search.
                    let Some(stealer) = registry.slots[i].stealer.get().filter(|s| !s.is_empty())
                    else {
                        continue;
                    };
                    match stealer.steal_batch_and_pop(&self.deque) {
                        Steal::Success(job) => {
                            Counters::bump(&self.counters().stolen);
                            return Some(job);
                        }
                        Steal::Retry => retry = true,
                        Steal::Empty => {}
                    }
                }
            }
            if !retry {
                return None;
            }
        }
    }

    fn next_random(&self) -> u32 {
        let mut x = self.rng.get();
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.rng.set(x);
        x
    }
}
