//! A loom model of the idle protocol (this folder's `README.md`): no
//! wake-up is lost. Compiled only by the model-checking build:
//!
//! ```text
//! RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom \
//!     cargo test -p pool-core --lib --release -- loom_model
//! ```
//!
//! What runs for real: [`Sleep`], all of it (the packed counters, the
//! sleeper list and its lock, steps 1, 2, 3b/3c bookkeeping, the whole of
//! step 4 in [`Sleep::sleep`], step 5), on loom's atomics, fences, mutex and
//! park/unpark through `crate::loom`.
//!
//! What is modelled, and why (the README says the same):
//! - The queues. crossbeam's injector and deques are not built on loom's
//!   types, so [`Queue`] stands in: a count of pushed jobs and a count of
//!   taken ones, with the SeqCst operations crossbeam's injector uses on
//!   its indices. loom treats SeqCst accesses as AcqRel (only SeqCst
//!   *fences* get their full meaning), so the stand-in orders no more than
//!   the real queue: the model cannot pass on the queue's account.
//! - The worker loop. `registry/worker.rs` (`Local::run`, `idle`,
//!   `exit_or_job`) is tied to the registry, thread-locals and crossbeam;
//!   [`worker`] below repeats its calls into `Sleep` in the same order,
//!   without own deques (no step 3d), without spinning (step 3c's rounds
//!   only delay step 4) and without keep-alive (loom has no clock).
//!
//! A wake-up lost anywhere leaves a job queued while every worker is
//! parked and the submitter waits for it: loom reports that as a deadlock.

use std::sync::atomic::Ordering::SeqCst;

use loom::sync::atomic::{AtomicBool, AtomicUsize};
use loom::sync::{Arc, Mutex};
use loom::thread::{self, JoinHandle};

use super::{Notified, Sleep, Slept};
use crate::loom::fence;
// The submitter parks and is unparked like the code under test.
use crate::loom::thread::{Thread, current, park};

/// The queues, reduced to what the protocol looks at: are there jobs, and
/// who takes each one.
struct Queue {
    pushed: AtomicUsize,
    taken: AtomicUsize,
}

impl Queue {
    fn push(&self) {
        self.pushed.fetch_add(1, SeqCst);
    }

    fn is_empty(&self) -> bool {
        self.taken.load(SeqCst) >= self.pushed.load(SeqCst)
    }

    /// Takes the oldest job, if any.
    fn take(&self) -> Option<usize> {
        let mut taken = self.taken.load(SeqCst);
        loop {
            if taken >= self.pushed.load(SeqCst) {
                return None;
            }
            match self
                .taken
                .compare_exchange(taken, taken + 1, SeqCst, SeqCst)
            {
                Ok(_) => return Some(taken),
                Err(actual) => taken = actual,
            }
        }
    }
}

/// One scheduler: its sleep state, its queue, whether it is closed, and
/// who waits for how many jobs to run.
struct Pool {
    sleep: Sleep,
    queue: Queue,
    closed: AtomicBool,
    ran: AtomicUsize,
    jobs: usize,
    submitter: Thread,
    /// Every worker thread started, to join at the end.
    workers: Mutex<Vec<JoinHandle<()>>>,
}

impl Pool {
    fn new(max_workers: usize, jobs: usize) -> Arc<Pool> {
        Arc::new(Pool {
            sleep: Sleep::new(max_workers),
            queue: Queue {
                pushed: AtomicUsize::new(0),
                taken: AtomicUsize::new(0),
            },
            closed: AtomicBool::new(false),
            ran: AtomicUsize::new(0),
            jobs,
            submitter: current(),
            workers: Mutex::new(Vec::new()),
        })
    }

    /// The submitter's side: waits until every job has run, closes the
    /// pool, joins every worker and checks the counters are back to zero.
    fn finish(&self) {
        while self.ran.load(SeqCst) < self.jobs {
            park();
        }
        self.close();
        // Workers leave without starting others: no job is left.
        let workers = std::mem::take(&mut *self.workers.lock().unwrap());
        for worker in workers {
            worker.join().unwrap();
        }
        let counts = self.sleep.counts();
        assert_eq!((counts.live, counts.searching, counts.sleeping), (0, 0, 0));
    }

    /// Running a job: the last one wakes the submitter.
    fn run(&self, _job: usize) {
        let ran = self.ran.fetch_add(1, SeqCst) + 1;
        assert!(ran <= self.jobs, "a job ran twice");
        if ran == self.jobs {
            self.submitter.unpark();
        }
    }

    /// `Registry::close`: refuse submits, wake every sleeper.
    fn close(&self) {
        self.closed.store(true, SeqCst);
        self.sleep.notify_all();
    }
}

/// `Registry::spawn_reserved`: starts a worker if `notified` says so.
fn spawn_if_asked(pool: &Arc<Pool>, notified: Notified) {
    if notified == Notified::Spawn {
        let mut workers = pool.workers.lock().unwrap();
        let index = workers.len();
        let pool = Arc::clone(pool);
        workers.push(thread::spawn(move || worker(&pool, index)));
    }
}

/// A worker thread for slot `index`, counted as live and searching by
/// whoever started it: `worker::main` and `Local::run`/`idle` of
/// `registry/worker.rs`, call for call into `Sleep`.
fn worker(pool: &Arc<Pool>, index: usize) {
    let me = current();
    // At the top of the loop the worker counts as searching: it started so,
    // and without an own deque every job's `finishing` counts it again.
    loop {
        let job = match pool.queue.take() {
            Some(job) => job,
            // Step 3c's spin rounds only delay step 4.
            None => {
                let slept = pool.sleep.sleep(
                    index,
                    &me,
                    None,
                    || pool.queue.take(),
                    || pool.closed.load(SeqCst),
                );
                match slept {
                    Slept::Job(job) => job,
                    Slept::Notified => continue,
                    // `exit_or_job`.
                    Slept::Leave => {
                        fence(SeqCst);
                        match pool.queue.take() {
                            Some(job) => job,
                            None => break,
                        }
                    }
                }
            }
        };
        // Step 3b.
        pool.sleep.end_search();
        if !pool.queue.is_empty() {
            spawn_if_asked(pool, pool.sleep.notify_hand_over());
        }
        // `Local::finishing`, before the outcome is published.
        pool.sleep.start_search();
        pool.run(job);
    }
    // Step 5.
    pool.sleep.leave();
    fence(SeqCst);
    if !pool.queue.is_empty() {
        spawn_if_asked(pool, pool.sleep.notify_one());
    }
}

/// Two workers, started up front and possibly asleep, and a submitter that
/// pushes `jobs` jobs (step 1), waits until they have run, then closes the
/// pool and joins the workers.
fn two_workers_one_submitter(jobs: usize) {
    let pool = Pool::new(2, jobs);
    for _ in 0..2 {
        assert!(pool.sleep.reserve_worker());
        spawn_if_asked(&pool, Notified::Spawn);
    }
    for _ in 0..jobs {
        pool.queue.push();
        spawn_if_asked(&pool, pool.sleep.work_pushed());
    }
    pool.finish();
}

/// Runs `model` in every interleaving with at most `preemptions`
/// preemptions (unbounded runs take hours), unless `LOOM_MAX_PREEMPTIONS`
/// says otherwise. The bounds below keep each model under 40 s in release
/// on a 2-core machine; every park may also return spuriously once.
fn check(preemptions: usize, model: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound.get_or_insert(preemptions);
    builder.check(model);
}

/// One job against two workers that may be anywhere between searching
/// and parked: the Dekker pair of steps 1 and 4a, and step 2's wake-up.
#[test]
fn a_pushed_job_always_runs() {
    check(2, || two_workers_one_submitter(1));
}

/// Two jobs: the second push may find a searcher (the step 1 shortcut) or
/// a sleeper, and a worker that finds one job hands the other over (step
/// 3b).
#[test]
fn two_pushed_jobs_always_run() {
    check(2, || two_workers_one_submitter(2));
}

/// Workers started on demand: the first push starts one (step 2b), which
/// runs both jobs or starts a second worker to hand one over (step 3b).
#[test]
fn workers_started_on_demand_take_every_job() {
    check(3, || {
        let jobs = 2;
        let pool = Pool::new(2, jobs);
        for _ in 0..jobs {
            pool.queue.push();
            spawn_if_asked(&pool, pool.sleep.work_pushed());
        }
        pool.finish();
    });
}
