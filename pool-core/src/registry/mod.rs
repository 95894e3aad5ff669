//! The registry: everything the workers of one scheduler share: the global
//! injector, one deque per worker slot, the idle protocol, the status and
//! the count of live threads.

mod recycle;
mod worker;

use std::io;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release, SeqCst};
use std::sync::atomic::{AtomicU8, AtomicUsize, fence};
use std::sync::{Arc, OnceLock};
use std::thread;
use std::time::Instant;

use crossbeam_deque::{Injector, Steal, Stealer, Worker};
use crossbeam_utils::CachePadded;
use parking_lot::{Condvar, Mutex};

use crate::affinity;
use crate::config::SchedulerConfig;
use crate::error::{Error, ErrorKind};
use crate::job::JobRef;
use crate::metrics::{Counters, Metrics};
use crate::sleep::{Notified, Sleep};
use crate::trace;

use self::recycle::Recycler;
pub(crate) use self::worker::on_worker_of;

/// The registry accepts submits.
const OPEN: u8 = 0;
/// Shut down: submits are refused; queued tasks still run unless cancelled.
const CLOSED: u8 = 1;
/// Broken: submits are refused and queued tasks fail with the stored error.
const BROKEN: u8 = 2;

/// One worker position. The deque outlives the threads that occupy it, so
/// work left in it is never lost, and a slot's counters accumulate across
/// occupants.
struct WorkerSlot<C> {
    /// The owner half of the deque, lent to the occupying thread.
    deque: Mutex<Option<Worker<JobRef<C>>>>,
    stealer: OnceLock<Stealer<JobRef<C>>>,
    counters: CachePadded<Counters>,
}

/// How many threads are alive, for `join`.
struct Alive {
    count: Mutex<usize>,
    changed: Condvar,
}

pub(crate) struct Registry<C: 'static> {
    injector: Injector<JobRef<C>>,
    slots: Box<[WorkerSlot<C>]>,
    /// Slots `0..high_water` have been used at least once; only those are
    /// scanned when stealing.
    high_water: AtomicUsize,
    free_slots: Mutex<Vec<usize>>,
    /// Finished small tasks, for submitters to free (`recycle.rs`).
    recycle: Recycler<C>,
    pub(crate) sleep: Sleep,
    status: AtomicU8,
    broken: OnceLock<Error>,
    alive: Alive,
    /// The span the worker spans hang under (`trace.rs`).
    span: trace::PoolSpan,
    started: AtomicUsize,
    cores: Vec<usize>,
    /// How many searchers may spin before sleeping: the cores we may use.
    pub(crate) spinners: usize,
    pub(crate) config: SchedulerConfig<C>,
}

impl<C: 'static> Registry<C> {
    pub(crate) fn new(config: SchedulerConfig<C>) -> Registry<C> {
        let n = config.max_workers;
        Registry {
            injector: Injector::new(),
            slots: (0..n)
                .map(|_| WorkerSlot {
                    deque: Mutex::new(None),
                    stealer: OnceLock::new(),
                    counters: CachePadded::new(Counters::default()),
                })
                .collect(),
            high_water: AtomicUsize::new(0),
            free_slots: Mutex::new((0..n).rev().collect()),
            recycle: Recycler::new(),
            sleep: Sleep::new(n),
            status: AtomicU8::new(OPEN),
            broken: OnceLock::new(),
            alive: Alive {
                count: Mutex::new(0),
                changed: Condvar::new(),
            },
            started: AtomicUsize::new(0),
            span: trace::pool(),
            spinners: thread::available_parallelism().map_or(1, |n| n.get()),
            cores: if config.pin_cores {
                affinity::allowed_cores()
            } else {
                Vec::new()
            },
            config,
        }
    }

    // ----- status -------------------------------------------------------

    pub(crate) fn is_closed(&self) -> bool {
        // SeqCst: ordered against the SeqCst fences of submitters and
        // exiting workers (see the shutdown steps in `Scheduler`).
        self.status.load(SeqCst) != OPEN
    }

    pub(crate) fn is_broken(&self) -> bool {
        self.status.load(SeqCst) == BROKEN
    }

    /// Why submits are refused, if they are.
    pub(crate) fn refusal(&self) -> Option<Error> {
        match self.status.load(SeqCst) {
            OPEN => None,
            CLOSED => Some(Error::from_kind(ErrorKind::Shutdown)),
            _ => Some(self.broken_error()),
        }
    }

    pub(crate) fn broken_error(&self) -> Error {
        self.broken
            .get()
            .cloned()
            .unwrap_or_else(|| Error::from_kind(ErrorKind::Broken))
    }

    /// Refuses new submits; queued tasks still run. True for the call
    /// that closed it.
    pub(crate) fn close(&self) -> bool {
        let closed = self
            .status
            .compare_exchange(OPEN, CLOSED, SeqCst, SeqCst)
            .is_ok();
        self.sleep.notify_all();
        closed
    }

    /// Marks the registry broken by `cause`, fails every queued task and
    /// wakes all workers so they exit.
    pub(crate) fn break_with(&self, cause: Error) {
        let error = self.broken.get_or_init(|| Error::broken(cause)).clone();
        self.status.store(BROKEN, SeqCst);
        fence(SeqCst);
        self.drain(|job| {
            job.abort(Some(error.clone()));
        });
        self.sleep.notify_all();
    }

    /// Fails every job still queued in a broken pool with its error: the
    /// job of a submit that raced the break. Run by a worker started after
    /// the break (which starts no context): otherwise that job would stay
    /// queued, each such worker would leave it and start the next, and the
    /// pool's join would wait for it forever.
    pub(crate) fn fail_queued_if_broken(&self) {
        if let Some(error) = self.broken.get() {
            self.drain(|job| {
                job.abort(Some(error.clone()));
            });
        }
    }

    /// Cancels every queued task; returns how many were cancelled.
    pub(crate) fn cancel_queued(&self) -> usize {
        let mut cancelled = 0;
        self.drain(|job| cancelled += usize::from(job.abort(None)));
        cancelled
    }

    /// Removes every queued job from the injector and all deques.
    fn drain(&self, mut each: impl FnMut(JobRef<C>)) {
        loop {
            match self.injector.steal() {
                Steal::Success(job) => each(job),
                Steal::Retry => continue,
                Steal::Empty => break,
            }
        }
        for slot in &self.slots[..self.high_water.load(Acquire)] {
            let Some(stealer) = slot.stealer.get() else {
                continue;
            };
            loop {
                match stealer.steal() {
                    Steal::Success(job) => each(job),
                    Steal::Retry => continue,
                    Steal::Empty => break,
                }
            }
        }
    }

    // ----- submitting ---------------------------------------------------

    /// Queues `job` (on the calling worker's own deque when it is a worker
    /// of this registry) and wakes or starts a worker if needed (step 1).
    pub(crate) fn push(self: &Arc<Self>, job: JobRef<C>) {
        if let Some(job) = worker::push_local(self, job) {
            self.injector.push(job);
            self.recycle.free_one();
        }
        if self.sleep.work_pushed() == Notified::Spawn {
            self.spawn_reserved();
        }
    }

    /// Wakes or starts one worker if nobody is searching (step 2).
    pub(crate) fn notify(self: &Arc<Self>) {
        if self.sleep.notify_one() == Notified::Spawn {
            self.spawn_reserved();
        }
    }

    /// Wakes or starts one worker to take over a backlog (steps 3b, 3d).
    pub(crate) fn hand_over(self: &Arc<Self>) {
        if self.sleep.notify_hand_over() == Notified::Spawn {
            self.spawn_reserved();
        }
    }

    pub(crate) fn injector_is_empty(&self) -> bool {
        self.injector.is_empty()
    }

    /// True if any job waits in the injector or in any worker's deque.
    pub(crate) fn has_queued_work(&self) -> bool {
        !self.injector.is_empty()
            || self.slots[..self.high_water.load(Acquire)]
                .iter()
                .any(|slot| slot.stealer.get().is_some_and(|s| !s.is_empty()))
    }

    // ----- workers ------------------------------------------------------

    /// Starts workers until `n` are live (for pools that start eagerly).
    /// Stops at the first thread that cannot start: the next submission
    /// tries again, and fails its job if no worker is live.
    pub(crate) fn start_workers(self: &Arc<Self>, n: usize) {
        while self.sleep.counts().live < n.min(self.config.max_workers) {
            if !self.sleep.reserve_worker() || !self.spawn_reserved() {
                break;
            }
        }
    }

    /// Starts a thread for a worker already counted live and searching;
    /// false if the thread could not start (the reservation is undone).
    fn spawn_reserved(self: &Arc<Self>) -> bool {
        let index = self
            .free_slots
            .lock()
            .pop()
            .expect("a live count below max_workers leaves a slot free");
        self.prepare_slot(index);
        *self.alive.count.lock() += 1;
        let number = self.started.fetch_add(1, Relaxed);
        let mut builder = thread::Builder::new().name((self.config.thread_name)(number));
        if let Some(bytes) = self.config.stack_size {
            builder = builder.stack_size(bytes);
        }
        let registry = Arc::clone(self);
        match builder.spawn(move || worker::main(registry, index)) {
            Ok(_) => true,
            Err(error) => {
                self.spawn_failed(index, error);
                false
            }
        }
    }

    /// Makes sure the slot has a deque, and marks it as scanned by thieves.
    fn prepare_slot(&self, index: usize) {
        let slot = &self.slots[index];
        let mut deque = slot.deque.lock();
        if deque.is_none() {
            let worker = Worker::new_fifo();
            let _ = slot.stealer.set(worker.stealer());
            *deque = Some(worker);
        }
        // Release: a thief that sees the new high-water mark sees the
        // stealer set above.
        self.high_water.fetch_max(index + 1, Release);
    }

    fn spawn_failed(&self, index: usize, error: io::Error) {
        self.free_slots.lock().push(index);
        self.thread_exited();
        if self.sleep.spawn_failed() == 0 {
            // Nobody is left to run the queue: fail it rather than hang.
            let error = Error::new(ErrorKind::Spawn, error).with_detail("a worker thread");
            self.drain(|job| {
                job.abort(Some(error.clone()));
            });
        }
    }

    /// Gives a slot back after its thread stopped using it.
    fn release_slot(&self, index: usize, deque: Worker<JobRef<C>>) {
        *self.slots[index].deque.lock() = Some(deque);
        self.free_slots.lock().push(index);
    }

    fn thread_exited(&self) {
        let mut count = self.alive.count.lock();
        *count -= 1;
        self.alive.changed.notify_all();
    }

    /// Waits until at most `allowed` threads are alive; false on timeout.
    pub(crate) fn wait_threads(&self, allowed: usize, deadline: Option<Instant>) -> bool {
        let mut count = self.alive.count.lock();
        while *count > allowed {
            match deadline {
                None => self.alive.changed.wait(&mut count),
                Some(deadline) => {
                    if self
                        .alive
                        .changed
                        .wait_until(&mut count, deadline)
                        .timed_out()
                    {
                        return *count <= allowed;
                    }
                }
            }
        }
        true
    }

    fn core_for(&self, index: usize) -> Option<usize> {
        (!self.cores.is_empty()).then(|| self.cores[index % self.cores.len()])
    }

    // ----- metrics ------------------------------------------------------

    pub(crate) fn metrics(&self) -> Metrics {
        let counts = self.sleep.counts();
        let used = &self.slots[..self.high_water.load(Acquire)];
        let mut m = Metrics {
            workers: counts.live,
            idle: (counts.searching + counts.sleeping).min(counts.live),
            asleep: counts.sleeping.min(counts.live),
            queued: self.injector.len(),
            ..Metrics::default()
        };
        m.busy = m.workers - m.idle;
        for slot in used {
            m.queued += slot.stealer.get().map_or(0, Stealer::len);
            m.completed += slot.counters.completed.load(Relaxed);
            m.stolen += slot.counters.stolen.load(Relaxed);
            m.panicked += slot.counters.panicked.load(Relaxed);
        }
        m
    }
}
