//! One task whose waiter may run it: the executor's `submit`, whose
//! `result()` takes the direct lane (`link/lane.rs`) when the task has
//! not started yet.
//!
//! A submitted task must run whether or not anyone waits for it, so it is
//! queued as usual; but its future is a
//! [`promise_with_help`](pool_core::promise_with_help), and the encoded
//! request waits in a [`Pending`] cell that both sides try to take:
//!
//! 1. The queued job, on a link: it takes the request, marks the future
//!    running, runs it on its child as the link path does (retries
//!    included); the job's done-callback settles the promise, once the
//!    scheduler has counted the job (so `metrics()` agrees with it).
//! 2. The first untimed wait on the future (`result()`, `wait()`): if an
//!    idle link is open to the lane, it takes the request under that
//!    link's lock, and runs it there, on the waiter's thread. The queued
//!    job later finds the cell empty and does nothing.
//!
//! Exactly one side takes the request (the cell's lock), so the task runs
//! once. A future cancelled first (`cancel()`) is seen by either side's
//! `set_running`, and the task is not run. A queued job that never runs
//! (`shutdown` with `cancel_futures`, a broken pool) passes its fate on:
//! the future is cancelled, or fails with the job's error.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::time::Instant;

use parking_lot::Mutex;
use pool_core::{Error, Help, Promise, TaskFuture, promise_with_help};

use super::async_result::REPLY_SPIN;
use super::links::{LinkPool, decode_result};
use crate::link::{Lanes, Limits, LinkHandle};
use crate::task::{self, Call, Runner, Wire};
use crate::wire::codec::Encoded;

/// A promise and the outcome it is to be settled with.
type Ready<R> = (Promise<R>, Result<R, Error>);

/// One task between its submit and whichever side runs it: one allocation
/// shared by the queued job, the future's [`Help`] and the job's
/// done-callback.
struct Pending<R: Send + 'static> {
    /// The request and promise, until one side takes them.
    work: Mutex<Option<(Encoded, Promise<R>)>>,
    /// The queued job's future, once submitted.
    job: Mutex<Option<TaskFuture<()>>>,
    /// The outcome the queued job got, until its done-callback settles
    /// the promise: after the scheduler counted the job, so whoever sees
    /// the future done sees the task in `metrics()` too.
    ready: Mutex<Option<Ready<R>>>,
    lanes: Arc<Lanes>,
    offset: u64,
    /// Set when a waiter took the work (for the metrics).
    helped: AtomicBool,
    /// Set once the queued job has settled the promise.
    settled: AtomicBool,
}

impl<R: Send + 'static> Pending<R> {
    /// The request and promise, if the other side has not taken them and
    /// the future was not cancelled (it is marked running here).
    fn take(&self) -> Option<(Encoded, Promise<R>)> {
        let (payload, promise) = self.work.lock().take()?;
        promise.set_running().then_some((payload, promise))
    }

    /// The queued job ended without running the task (a cancelled queue,
    /// a broken pool): the future says why. The job's own error is read,
    /// so it is not reported twice when nobody reads the future's.
    fn job_failed(&self, error: &Error) {
        if let Some((_, promise)) = self.work.lock().take() {
            if error.is_cancelled() {
                promise.cancel();
            } else {
                promise.set_error(error.clone());
            }
        }
        let job = self.job.lock().take();
        if let Some(job) = job {
            // Done: reads the error without waiting.
            let _ = job.exception();
        }
    }
}

impl<R: Wire> Help for Pending<R> {
    /// Step 2 of the module docs.
    fn help(&self) {
        let limits = Limits::default();
        let counts = &self.lanes.helped;
        // An executor still starting links on demand keeps the link path:
        // the link woken for a task a waiter ran looks busy while it pops
        // the no-op job, and a submit meanwhile would start another link,
        // so sequential tasks would end up spread over every worker.
        let lane_open = self.lanes.all_started();
        let ran = lane_open.then(|| {
            self.lanes.with_idle(&limits, |lane| {
                let (mut payload, promise) = self.take()?;
                // Relaxed: statistics; the work's lock orders this before
                // the job's look at it.
                self.helped.store(true, Relaxed);
                counts.taken.fetch_add(1, Relaxed);
                let outcome = lane.call(self.offset, &mut payload, &limits, decode_result::<R>);
                counts.finished.fetch_add(1, Relaxed);
                Some((promise, outcome))
            })
        });
        // Settled once the link is free again: done-callbacks run here.
        if let Some((promise, outcome)) = ran.flatten().flatten() {
            settle(promise, outcome);
            return;
        }
        // A link has the task, or will: as `AsyncResult::get`, catch a
        // short task's reply spinning rather than parked.
        let start = Instant::now();
        // Acquire: pairs with the job's Release store (the promise is
        // settled before it).
        while !self.settled.load(Acquire) && start.elapsed() < REPLY_SPIN {
            for _ in 0..64 {
                std::hint::spin_loop();
            }
            std::thread::yield_now();
        }
    }

    /// A task cancelled by its future leaves the queue too, as on the link
    /// path (`shutdown` counts what it cancels).
    fn cancelled(&self) {
        // Out of its slot first: cancelling runs the job's callback, which
        // looks there.
        let job = self.job.lock().take();
        if let Some(job) = job {
            job.cancel();
        }
    }
}

/// Settles `promise` with `outcome`.
fn settle<R: Send + 'static>(promise: Promise<R>, outcome: Result<R, Error>) {
    // Both fail only for a future cancelled before it ran, and `take`
    // marked it running: nothing is lost.
    match outcome {
        Ok(value) => drop(promise.set_result(value)),
        Err(error) => drop(promise.set_error(error)),
    }
}

impl LinkPool {
    /// Submits one task, `X::run(arg)`, whose future's first untimed wait
    /// runs it on the lane if it has not started (module docs). Tasks
    /// with retries or a stop are submitted as [`call`](LinkPool::call)
    /// does.
    pub(crate) fn call_helped<X, A, R>(
        &self,
        arg: A,
        what: &str,
        limits: Limits,
    ) -> Result<TaskFuture<R>, Error>
    where
        X: Runner<A, R>,
        A: Wire,
        R: Wire,
    {
        let payload = self.encode_call(arg, what)?;
        let offset = task::offset::<Call<X, A, R>>();
        if self.retries(&limits) != 0 || limits.stop.is_some() {
            return self.submit_call(offset, payload, limits);
        }
        let pending = Arc::new(Pending::<R> {
            work: Mutex::new(None),
            job: Mutex::new(None),
            ready: Mutex::new(None),
            lanes: self.lanes.clone(),
            offset,
            helped: AtomicBool::new(false),
            settled: AtomicBool::new(false),
        });
        let (promise, future) = promise_with_help(pending.clone());
        *pending.work.lock() = Some((payload, promise));
        let for_job = pending.clone();
        // Step 1 of the module docs.
        let job = self.submit_to_handle(move |handle: &mut LinkHandle| {
            let Some((mut payload, promise)) = for_job.take() else {
                let counts = &for_job.lanes.helped;
                counts.noops.fetch_add(1, Relaxed);
                if for_job.helped.load(Relaxed) {
                    counts.taken_popped.fetch_add(1, Relaxed);
                }
                return Ok(());
            };
            let outcome = handle.with(|link| {
                // A panic of the result's `Deserialize` fails this task
                // (as on the lane): unwinding out of the job would drop
                // the promise, and the future would say "abandoned".
                let outcome = pool_core::catch_task_panic(|| {
                    link.call(offset, &mut payload, &limits, decode_result::<R>)
                })
                .map_err(Error::panicked)
                .and_then(|outcome| outcome);
                link.settled(&outcome, 1);
                outcome
            });
            *for_job.ready.lock() = Some((promise, outcome));
            Ok(())
        })?;
        let for_callback = pending.clone();
        job.add_done_callback(move |outcome: Result<&(), &Error>| {
            if let Err(error) = outcome {
                for_callback.job_failed(error);
            }
            let ready = for_callback.ready.lock().take();
            if let Some((promise, outcome)) = ready {
                settle(promise, outcome);
                // Release: the promise was settled before.
                for_callback.settled.store(true, Release);
            }
        });
        *pending.job.lock() = Some(job);
        // Failed before it was stored: the callback found no future to read.
        let failed = pending.job.lock().take_if(|job| job.done());
        if let Some(job) = failed {
            let _ = job.exception();
        }
        Ok(future)
    }
}
