//! [`LinkPool`], the machinery `Pool` and `ProcessPoolExecutor` share: a
//! pool-core scheduler whose workers are links to child processes, the
//! two ways to submit work to it (one task, one chunk of items), and the
//! result-handler thread for callbacks.

use std::any::type_name;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Sender, unbounded};
use parking_lot::Mutex;
use pool_core::{CancelFutures, Error, ErrorKind, Report, Scheduler, SchedulerConfig, TaskFuture};

use super::retry::retrying;
use crate::link::{
    Lanes, Limits, Link, LinkConfig, LinkHandle, ReplyBody, Who, failure_reply, failure_to_error,
    set_link_spin,
};
use crate::sys::child::Signal;

use crate::task::{self, Call, Outcomes, Runner, Wire};
use crate::wire::codec::{self, Encoded};
use crate::wire::message::OK;

/// How often a drop that waits for its pool's work reports what it waits
/// for.
pub(crate) const DROP_REPORT_EVERY: Duration = Duration::from_secs(5);

/// A callback invocation queued for the result-handler thread.
pub(crate) type Delivery = Box<dyn FnOnce() + Send>;

/// The single thread that runs `apply_async`/`map_async` callbacks in the
/// parent, in completion order (Python's result handler).
struct Handler {
    /// `None` once `join` has closed the channel.
    sender: Option<Sender<Delivery>>,
    thread: JoinHandle<()>,
}

/// The links (scheduler workers, each owning one child process), the
/// result handler, and the bookkeeping `close` needs.
pub(crate) struct LinkPool {
    pub(crate) scheduler: Scheduler<LinkHandle>,
    /// The links' slots, for blocking callers' direct lane (`link/lane.rs`).
    pub(crate) lanes: Arc<Lanes>,
    pub(crate) config: Arc<LinkConfig>,
    pub(crate) processes: usize,
    handler: OnceLock<Mutex<Option<Handler>>>,
    /// Lazy iterators (`imap`, the executor's `map`) still submitting.
    lazy: Mutex<Lazy>,
    /// Set by `close`: new work is refused, even while the scheduler stays
    /// open for the lazy iterators.
    closing: AtomicBool,
}

/// Lazy iterators still submitting, and whether a `close` waits for them.
///
/// An iterator started before `close` counts as submitted whole, as in
/// Python, where the pool takes the entire iterable at the call: the
/// scheduler shuts down only once the last such iterator has run out of
/// input (or is dropped), or when `join` forces it.
#[derive(Default)]
struct Lazy {
    live: usize,
    close_pending: bool,
}

impl LinkPool {
    /// Builds the scheduler and starts every worker (and its child) now,
    /// as Python's `Pool` does.
    pub(crate) fn start(processes: usize, config: LinkConfig) -> Result<LinkPool, Error> {
        let links = LinkPool::on_demand(processes, config)?;
        links.scheduler.start_workers(processes);
        // Started means spawned: every worker has its pid when this returns
        // (`link/spawned.rs`). A link thread that could not start, or that
        // left before its spawn (the pool broke), stops the wait: its
        // worker starts with a later task, or never. The start-up timeout
        // bounds the wait.
        let scheduler = &links.scheduler;
        links.config.first_spawns.wait_all(
            links.config.startup_timeout,
            Duration::from_millis(10),
            || scheduler.broken().is_some() || scheduler.metrics().workers < processes,
        );
        Ok(links)
    }

    /// Builds the scheduler; a worker (and its child) starts when a task
    /// finds none idle, up to `processes`, as Python's
    /// `ProcessPoolExecutor` does (3.9+). Idle workers are reused first.
    pub(crate) fn on_demand(processes: usize, config: LinkConfig) -> Result<LinkPool, Error> {
        crate::worker::ensure_linked();
        let config = Arc::new(config);
        let spin = config.link_spin;
        let for_links = config.clone();
        let lanes = Arc::new(Lanes::new(processes));
        let for_lanes = lanes.clone();
        let scheduler = Scheduler::new(
            SchedulerConfig::new(processes, move |info| {
                set_link_spin(spin);
                Link::start(for_links.clone(), info).map(|link| for_lanes.install(link))
            })
            .thread_name(|n| format!("poolrt-link-{n}")),
        )?;
        Ok(LinkPool {
            scheduler,
            lanes,
            config,
            processes,
            handler: OnceLock::new(),
            lazy: Mutex::new(Lazy::default()),
            closing: AtomicBool::new(false),
        })
    }

    /// Refuses new work once `close` (or `terminate`) has begun.
    pub(crate) fn check_open(&self) -> Result<(), Error> {
        if self.closing.load(Ordering::SeqCst) {
            return Err(
                Error::from_kind(ErrorKind::Shutdown).with_detail("the pool is not running")
            );
        }
        Ok(())
    }

    /// Submits one task: `X::run(arg)` in a worker. The argument is
    /// encoded now, so an argument that cannot be serialized is an error
    /// here, not later.
    pub(crate) fn call<X, A, R>(
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
        self.submit_call(task::offset::<Call<X, A, R>>(), payload, limits)
    }

    /// Runs one task, `X::run(arg)`, and waits for its result (a blocking
    /// `apply`): on the direct lane when a link is idle (`link/lane.rs`),
    /// else as [`call`](Self::call) does. Tasks with retries take the
    /// link path, where the link resends them.
    pub(crate) fn call_blocking<X, A, R>(
        &self,
        arg: A,
        what: &str,
        limits: Limits,
    ) -> Result<R, Error>
    where
        X: Runner<A, R>,
        A: Wire,
        R: Wire,
    {
        let mut payload = self.encode_call(arg, what)?;
        let offset = task::offset::<Call<X, A, R>>();
        if self.retries(&limits) == 0
            && let Some(outcome) =
                self.lanes
                    .call(offset, &mut payload, &limits, decode_result::<R>)
        {
            return outcome;
        }
        let future = self.submit_call(offset, payload, limits)?;
        // As `AsyncResult::get`: catch a short task's reply spinning.
        future.spin_wait(super::async_result::REPLY_SPIN);
        future.result()
    }

    /// Encodes the argument of one task; `what` names it in the error.
    pub(super) fn encode_call<A: Wire>(&self, arg: A, what: &str) -> Result<codec::Encoded, Error> {
        if self.closing.load(Ordering::SeqCst) {
            return Err(Error::from_kind(ErrorKind::Shutdown));
        }
        codec::encode(arg).map_err(|message| {
            Error::new(ErrorKind::Serialize, message)
                .with_detail(format!("{what} ({})", type_name::<A>()))
        })
    }

    /// Submits one encoded task to the entry at `offset`.
    pub(super) fn submit_call<R: Wire>(
        &self,
        offset: u64,
        mut payload: codec::Encoded,
        limits: Limits,
    ) -> Result<TaskFuture<R>, Error> {
        let retries = self.retries(&limits);
        self.submit(move |link: &mut Link| {
            let (outcome, attempts) = retrying(retries, || {
                link.call(offset, &mut payload, &limits, decode_result::<R>)
            });
            link.settled(&outcome, attempts);
            outcome
        })
    }

    /// Submits a chunk of `count` items, the `first`-th onwards, to the
    /// chunk entry at `entry` (`task::offset::<Chunk<..>>()`): `encoded`
    /// is the items as the caller encoded them (`pool/chunks.rs`), or why
    /// they could not be. The future holds each item's outcome.
    pub(crate) fn chunk<A, R>(
        &self,
        entry: u64,
        encoded: Result<Encoded, String>,
        count: usize,
        first: usize,
        limits: &Limits,
    ) -> Result<TaskFuture<Outcomes<R, Error>>, Error>
    where
        A: Wire,
        R: Wire,
    {
        let mut payload = encoded.map_err(|message| {
            Error::new(ErrorKind::Serialize, message).with_detail(format!(
                "items {first}..{} ({})",
                first + count,
                type_name::<A>()
            ))
        })?;
        let limits = limits.clone();
        let retries = self.retries(&limits);
        self.submit(move |link: &mut Link| {
            let decode = |status, body: ReplyBody<'_>, who: &Who| {
                if status != OK {
                    return Err(failure_reply(body, who.clone())
                        .with_detail(format!("items {first}..{}", first + count)));
                }
                let outcomes = body.bytes().and_then(|body| task::decode_chunk::<R>(&body));
                let outcomes = outcomes.map_err(|message| {
                    Error::new(ErrorKind::Deserialize, message).with_detail(format!(
                        "the results of items {first}..{} ({}) from worker {who}",
                        first + count,
                        type_name::<R>()
                    ))
                })?;
                Ok(match outcomes {
                    Outcomes::Values(values) => Outcomes::Values(values),
                    Outcomes::Mixed(all) => Outcomes::Mixed(
                        all.into_iter()
                            .enumerate()
                            .map(|(i, outcome)| {
                                outcome.map_err(|failure| {
                                    failure_to_error(failure, who.clone())
                                        .with_detail(format!("item {}", first + i))
                                })
                            })
                            .collect(),
                    ),
                })
            };
            let (outcome, attempts) = retrying(retries, || {
                link.call(entry, &mut payload, &limits, decode)
                    .map_err(|error| {
                        // A worker that died holding the chunk: say which items.
                        if error.detail().is_none() {
                            error.with_detail(format!("items {first}..{}", first + count))
                        } else {
                            error
                        }
                    })
            });
            link.settled(&outcome, attempts);
            outcome
        })
    }

    /// Submits a request received from elsewhere (a remote worker that
    /// feeds this pool, `link/remote.rs`): its entry `offset` and encoded
    /// `payload`, answered with the raw reply, status and body.
    pub(crate) fn raw(
        &self,
        offset: u64,
        payload: Vec<u8>,
    ) -> Result<TaskFuture<(u8, Vec<u8>)>, Error> {
        let mut payload = Encoded {
            head: Vec::new(),
            body: payload.into(),
        };
        self.submit(move |link: &mut Link| {
            let raw = |status, body: ReplyBody<'_>, who: &Who| match body.bytes() {
                Ok(bytes) => Ok((status, bytes.into_owned())),
                Err(message) => Err(Error::new(ErrorKind::Deserialize, message)
                    .with_detail(format!("a reply from worker {who}"))),
            };
            link.call(offset, &mut payload, &Limits::default(), raw)
        })
    }

    /// How many times a task with `limits` is resent: its own count, or
    /// the pool's.
    pub(super) fn retries(&self, limits: &Limits) -> u32 {
        limits.retries.unwrap_or(self.config.retries)
    }

    fn submit<T: Send + 'static>(
        &self,
        task: impl FnOnce(&mut Link) -> Result<T, Error> + Send + 'static,
    ) -> Result<TaskFuture<T>, Error> {
        self.submit_to_handle(move |handle: &mut LinkHandle| handle.with(task))
    }

    /// Submits `task`, which gets the link's slot, not yet locked.
    pub(super) fn submit_to_handle<T: Send + 'static>(
        &self,
        task: impl FnOnce(&mut LinkHandle) -> Result<T, Error> + Send + 'static,
    ) -> Result<TaskFuture<T>, Error> {
        if let Some(cause) = self.config.broken.get() {
            // A replacement worker failed to initialize: break the
            // scheduler too, so queued tasks fail and submits are refused.
            self.scheduler.break_with(cause.clone());
        }
        self.scheduler
            .submit_fallible_with(task)
            .map_err(|refused| refused.reason().clone())
    }

    /// A sender to the result-handler thread, which is started on first
    /// use. If it cannot start, the sender is closed and deliveries run
    /// where they are sent.
    pub(crate) fn delivery_sender(&self) -> Sender<Delivery> {
        let slot = self.handler.get_or_init(|| {
            let (sender, receiver) = unbounded::<Delivery>();
            let started = std::thread::Builder::new()
                .name("poolrt-results".to_owned())
                .spawn(move || {
                    for delivery in receiver {
                        delivery();
                    }
                });
            // A thread that cannot start (the process is out of threads or
            // memory) is no reason to fail: with no handler, deliveries run
            // on the thread that completed the task, as after `join`.
            Mutex::new(started.ok().map(|thread| Handler {
                sender: Some(sender),
                thread,
            }))
        });
        match slot.lock().as_ref().and_then(|h| h.sender.as_ref()) {
            Some(sender) => sender.clone(),
            // Joined already: a closed channel makes senders run inline.
            None => unbounded().0,
        }
    }

    /// Registers a lazy iterator that will submit chunks; false once the
    /// pool is closing (the iterator must refuse its items).
    pub(crate) fn lazy_enter(&self) -> bool {
        let mut lazy = self.lazy.lock();
        if self.closing.load(Ordering::SeqCst) || self.scheduler.is_shutdown() {
            return false;
        }
        lazy.live += 1;
        true
    }

    /// A lazy iterator submits no more (its input ended, or it was
    /// dropped); the last one carries out a pending close.
    pub(crate) fn lazy_exit(&self) {
        let close_now = {
            let mut lazy = self.lazy.lock();
            lazy.live -= 1;
            lazy.live == 0 && std::mem::take(&mut lazy.close_pending)
        };
        if close_now {
            self.scheduler.shutdown(CancelFutures::No);
        }
    }

    /// Stops accepting tasks; queued ones run (or are cancelled, which also
    /// cuts lazy iterators short). Returns how many were cancelled.
    pub(crate) fn close(&self, cancel: CancelFutures) -> usize {
        {
            let mut lazy = self.lazy.lock();
            self.closing.store(true, Ordering::SeqCst);
            if cancel == CancelFutures::No && lazy.live > 0 {
                lazy.close_pending = true;
                return 0;
            }
            lazy.close_pending = false;
        }
        // Outside the lock: cancelling runs done-callbacks (user code).
        self.scheduler.shutdown(cancel)
    }

    /// Kills the children at once; tasks in flight fail, queued ones are
    /// cancelled. The queue is cancelled first: killed first, a link could
    /// see its child die and take a queued task before the cancel reached
    /// it, failing that task with a shutdown error instead.
    pub(crate) fn terminate(&self) {
        pool_core::__event!(INFO, "poolrt.terminate", signal = ?Signal::Kill);
        self.close(CancelFutures::Yes);
        self.config.kill_all();
    }

    /// Waits for the links (and so the children) to exit, then for the
    /// callbacks still queued. A close still waiting for lazy iterators
    /// happens now: `join` never waits for an iterator nobody may be
    /// consuming (it then yields a shutdown error after its results in
    /// flight).
    ///
    /// With a `timeout`, gives up when it passes: false then, and the
    /// workers (or the callbacks) go on; a later `join` waits again.
    pub(crate) fn join(&self, timeout: Option<Duration>) -> bool {
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        let close_now = std::mem::take(&mut self.lazy.lock().close_pending);
        if close_now {
            self.scheduler.shutdown(CancelFutures::No);
        }
        let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        if !self.scheduler.join(left) {
            return false;
        }
        let Some(slot) = self.handler.get() else {
            return true;
        };
        let mut handler = slot.lock();
        let Some(Handler { sender, thread }) = handler.as_mut() else {
            return true;
        };
        // Closing the channel ends the handler once the queued callbacks
        // have run.
        *sender = None;
        if thread.thread().id() == std::thread::current().id() {
            return true;
        }
        if let Some(deadline) = deadline {
            // A `JoinHandle` cannot be joined with a timeout: look at it
            // until the deadline, without holding the lock.
            drop(handler);
            while !slot.lock().as_ref().is_none_or(|h| h.thread.is_finished()) {
                if Instant::now() >= deadline {
                    return false;
                }
                std::thread::sleep(Duration::from_millis(1));
            }
            handler = slot.lock();
        }
        if let Some(Handler { thread, .. }) = handler.take() {
            drop(handler);
            let _ = thread.join();
        }
        true
    }

    /// The error of a join that ran out of time: which workers it was
    /// still waiting for.
    pub(crate) fn join_timed_out(&self, timeout: Duration) -> Error {
        Error::from_kind(ErrorKind::Timeout).with_detail(format!(
            "after {timeout:?} the workers (pids {:?}) or the callbacks still run",
            self.pids()
        ))
    }

    /// Stops every worker with `signal` at once (the executor's
    /// `terminate_workers`/`kill_workers`): queued tasks are cancelled,
    /// running ones fail with a shutdown error saying the pool was
    /// terminated.
    pub(crate) fn terminate_with(&self, signal: Signal) {
        pool_core::__event!(INFO, "poolrt.terminate", signal = ?signal);
        self.close(CancelFutures::Yes);
        self.config.signal_all(signal);
    }

    /// Waits for the work, as a drop must (after `close`): every
    /// [`DROP_REPORT_EVERY`] it reports what it still waits for; past
    /// the configured `drop_timeout` it terminates the pool and reports
    /// what it cut short. `what` names the pool in the reports.
    pub(crate) fn join_on_drop(&self, what: &str) {
        let start = Instant::now();
        let bound = self.config.drop_timeout;
        loop {
            let elapsed = start.elapsed();
            let slice = match bound {
                Some(bound) => DROP_REPORT_EVERY.min(bound.saturating_sub(elapsed)),
                None => DROP_REPORT_EVERY,
            };
            if self.join(Some(slice)) {
                return;
            }
            let elapsed = start.elapsed();
            let running = self.scheduler.metrics();
            let pids = self.pids();
            if bound.is_some_and(|bound| elapsed >= bound) {
                self.terminate();
                pool_core::report(&Report::DropCutShort(&format!(
                    "{what}, after {elapsed:.1?} (its drop_timeout): {} running task(s) on worker processes {pids:?} killed, {} queued cancelled",
                    running.busy, running.queued
                )));
                self.join(None);
                return;
            }
            pool_core::report(&Report::DropWaiting(&format!(
                "{what}, for {elapsed:.1?}: {} running task(s) on worker processes {pids:?}, {} queued",
                running.busy, running.queued
            )));
        }
    }

    /// The pids of the live worker processes.
    pub(crate) fn pids(&self) -> Vec<u32> {
        self.config.live_pids()
    }
}

/// Decodes one task's reply: its value, or the failure it reports.
pub(super) fn decode_result<R: Wire>(
    status: u8,
    body: ReplyBody<'_>,
    who: &Who,
) -> Result<R, Error> {
    if status == OK {
        let decoded = match body {
            ReplyBody::Here(bytes) => codec::decode::<R>(bytes),
            // A large result, copied once: straight out of the worker.
            ReplyBody::Lent { head, body } => codec::decode_lent::<R>(head, &body),
        };
        decoded.map_err(|message| {
            Error::new(ErrorKind::Deserialize, message).with_detail(format!(
                "the result ({}) from worker {who}",
                type_name::<R>()
            ))
        })
    } else {
        Err(failure_reply(body, who.clone()))
    }
}
