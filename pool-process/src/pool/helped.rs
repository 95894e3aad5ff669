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
//!    included), and settles the promise.
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

use parking_lot::Mutex;
use pool_core::{Error, Promise, TaskFuture, promise_with_help};

use super::links::{LinkPool, decode_result};
use crate::link::{Lane, Limits, LinkHandle};
use crate::task::{self, Call, Runner, Wire};
use crate::wire::codec::Encoded;

/// A task's request and promise, until one side takes them.
struct Pending<R: Send + 'static>(Mutex<Option<(Encoded, Promise<R>)>>);

impl<R: Send + 'static> Pending<R> {
    /// The request and promise, if the other side has not taken them and
    /// the future was not cancelled (it is marked running here).
    fn take(&self) -> Option<(Encoded, Promise<R>)> {
        let (payload, promise) = self.0.lock().take()?;
        promise.set_running().then_some((payload, promise))
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
    /// with retries are submitted as [`call`](LinkPool::call) does.
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
        let lanes = self.lanes.clone();
        let pending: Arc<Pending<R>> = Arc::new(Pending(Mutex::new(None)));
        let for_help = pending.clone();
        // The queued job's future, once submitted (below).
        let slot: Arc<Mutex<Option<TaskFuture<()>>>> = Arc::default();
        let for_cancel = slot.clone();
        let help = move || {
            let ran = lanes.with_idle(&Limits::default(), |lane: Lane<'_>| {
                let (mut payload, promise) = for_help.take()?;
                let outcome = lane.call(offset, &mut payload, &Limits::default(), decode_result);
                Some((promise, outcome))
            });
            // Settled once the link is free again: done-callbacks run here.
            if let Some((promise, outcome)) = ran.flatten() {
                settle(promise, outcome);
            }
        };
        // A task cancelled by its future leaves the queue too, as it
        // would on the link path (`shutdown` counts what it cancels).
        let on_cancel = move || {
            // Out of the slot first: cancelling runs the job's callback,
            // which locks it.
            let job = for_cancel.lock().take();
            if let Some(job) = job {
                job.cancel();
            }
        };
        let (promise, future) = promise_with_help(help, on_cancel);
        *pending.0.lock() = Some((payload, promise));
        let for_job = pending.clone();
        let job = self.submit_to_handle(move |handle: &mut LinkHandle| {
            let Some((mut payload, promise)) = for_job.take() else {
                return Ok(());
            };
            let outcome = handle.with(|link| {
                let outcome = link.call(offset, &mut payload, &limits, decode_result::<R>);
                link.settled(&outcome, 1);
                outcome
            });
            settle(promise, outcome);
            Ok(())
        })?;
        // The job's future is ours alone: it fails only when the job never
        // ran, and the task's future then says why (and is the one
        // reported if nobody reads it). The job's own error is read, so it
        // is not reported twice.
        let for_callback = slot.clone();
        job.add_done_callback(move |outcome: Result<&(), &Error>| {
            if let Err(error) = outcome {
                if let Some((_, promise)) = pending.0.lock().take() {
                    if error.is_cancelled() {
                        promise.cancel();
                    } else {
                        promise.set_error(error.clone());
                    }
                }
                if let Some(job) = for_callback.lock().take() {
                    // Done: marks the error read, without waiting.
                    let _ = job.exception();
                }
            }
        });
        *slot.lock() = Some(job);
        // Done before it was stored: the callback found no future to read.
        let done = slot.lock().take_if(|job| job.done());
        if let Some(job) = done {
            let _ = job.exception();
        }
        Ok(future)
    }
}
