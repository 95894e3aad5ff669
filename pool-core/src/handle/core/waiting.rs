//! Who waits for a task and how they are woken: parked threads, the
//! completion queues of `as_completed` and `wait`, done-callbacks and the
//! async waker, all in one list behind the `NOTIFY` bit of the state word
//! (`README.md` in the folder above: who may touch what).

use std::sync::Arc;
use std::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release};
use std::task::Waker;
use std::time::{Duration, Instant};

use super::{Core, NOTIFY, READER, blocks_take, is_done, readers};
use crate::error::Error;
use crate::loom::thread::{self, Thread};
use crate::report::{self, Report};
use crate::unwind;
use crate::wait::CompletionQueue;

/// A done-callback: it sees the value by reference, or the error.
pub(crate) type Callback<T> = Box<dyn FnOnce(Result<&T, &Error>) + Send>;

/// Something to wake when the state changes.
pub(crate) enum Wake {
    /// A thread blocked in `wait`/`result`.
    Thread(Thread),
    /// A shared completion queue (`as_completed`, `wait`): push the index.
    Completed(Arc<CompletionQueue>, usize),
}

enum Waiter<T> {
    Wake { id: u64, wake: Wake },
    Callback(Callback<T>),
}

/// Boxed on first use: most tasks are never waited on by a parked thread.
pub(super) struct Waiters<T> {
    list: Vec<Waiter<T>>,
    /// The async waker of the (single) `TaskFuture` that polls this task.
    waker: Option<Waker>,
    next_id: u64,
}

impl<T> Waiters<T> {
    fn boxed() -> Box<Waiters<T>> {
        Box::new(Waiters {
            list: Vec::new(),
            waker: None,
            next_id: 0,
        })
    }
}

/// What the publishing thread drained from the waiter list.
struct Drained<T> {
    list: Vec<Waiter<T>>,
    waker: Option<Waker>,
}

/// How a wait ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WaitOutcome {
    Ready,
    TimedOut,
}

impl<T> Core<T> {
    /// Takes the waiter list under its lock, clearing NOTIFY. Registration
    /// also happens under this lock, so nothing registers after the drain
    /// without seeing the new state.
    fn drain(&self) -> Drained<T> {
        let mut waiters = self.waiters.lock();
        self.state.fetch_and(!NOTIFY, Relaxed);
        match waiters.as_deref_mut() {
            // Keep the box: `next_id` must never repeat for this task.
            Some(waiters) => Drained {
                list: std::mem::take(&mut waiters.list),
                waker: waiters.waker.take(),
            },
            None => Drained {
                list: Vec::new(),
                waker: None,
            },
        }
    }

    /// Wakes every waiter and runs the callbacks, in registration order.
    /// `holding_reader` says the caller counted a reader in `publish`.
    pub(super) fn run_waiters(&self, holding_reader: bool) {
        let Drained { list, waker } = self.drain();
        let mut callbacks = Vec::new();
        for waiter in list {
            match waiter {
                Waiter::Wake { wake, .. } => wake_one(wake),
                Waiter::Callback(cb) => callbacks.push(cb),
            }
        }
        if let Some(waker) = waker {
            waker.wake();
        }
        if !callbacks.is_empty() {
            self.with_output_unchecked(|outcome| {
                for cb in callbacks {
                    run_callback(cb, outcome);
                }
            });
        }
        if holding_reader {
            self.release_reader();
        }
    }

    /// Drops a reader; the last reader wakes threads waiting to take.
    pub(super) fn release_reader(&self) {
        // Release: our reads of the value happen before a taker's move.
        let prev = self.state.fetch_sub(READER, Release);
        if readers(prev) == 1 && prev & NOTIFY != 0 {
            let Drained { list, waker } = self.drain();
            for waiter in list {
                if let Waiter::Wake { wake, .. } = waiter {
                    wake_one(wake);
                }
            }
            if let Some(waker) = waker {
                waker.wake();
            }
        }
    }

    /// Blocks until the task is done or the deadline passes.
    pub(crate) fn wait(&self, deadline: Option<Instant>) -> WaitOutcome {
        self.wait_while(|s| !is_done(s), deadline)
    }

    /// Parks the calling thread while `blocked(state)` holds.
    /// Busy-waits up to `budget` for the task to be done: a few
    /// microseconds spinning, then yielding the core (on a machine with few
    /// cores the threads producing the value need it). True if done.
    pub(crate) fn spin_wait(&self, budget: Duration) -> bool {
        let start = Instant::now();
        loop {
            if self.is_done() {
                return true;
            }
            let spent = start.elapsed();
            if spent >= budget {
                return false;
            }
            if spent < budget / 16 {
                for _ in 0..64 {
                    std::hint::spin_loop();
                }
            } else {
                thread::yield_now();
            }
        }
    }

    pub(super) fn wait_while(
        &self,
        blocked: fn(usize) -> bool,
        deadline: Option<Instant>,
    ) -> WaitOutcome {
        let mut current = None;
        loop {
            if !blocked(self.load()) {
                return WaitOutcome::Ready;
            }
            // A wake-up drains our registration; a state that still blocks
            // us (the value is being read by callbacks) needs a new one.
            // Each registration is either drained or removed below, so
            // repeated waits do not pile up entries.
            if let Some(id) = current.take() {
                self.deregister(id);
            }
            match self.register_wake(blocked, Wake::Thread(thread::current())) {
                Some(id) => current = Some(id),
                None => return WaitOutcome::Ready,
            }
            match deadline {
                None => thread::park(),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        if let Some(id) = current.take() {
                            self.deregister(id);
                        }
                        return if blocked(self.load()) {
                            WaitOutcome::TimedOut
                        } else {
                            WaitOutcome::Ready
                        };
                    }
                    thread::park_timeout(deadline - now);
                }
            }
        }
    }

    /// Sets NOTIFY while `blocked(state)` holds, under the waiter lock.
    /// False if the state no longer blocks.
    fn arm(&self, blocked: fn(usize) -> bool) -> bool {
        let mut s = self.load();
        loop {
            if !blocked(s) {
                return false;
            }
            if s & NOTIFY != 0 {
                return true;
            }
            // AcqRel: ordered against the publisher's CAS on the same word.
            match self
                .state
                .compare_exchange_weak(s, s | NOTIFY, AcqRel, Acquire)
            {
                Ok(_) => return true,
                Err(actual) => s = actual,
            }
        }
    }

    /// Registers `wake` while `blocked(state)` holds; `None` if it no
    /// longer does.
    pub(crate) fn register_wake(&self, blocked: fn(usize) -> bool, wake: Wake) -> Option<u64> {
        let mut waiters = self.waiters.lock();
        if !self.arm(blocked) {
            return None;
        }
        let waiters = waiters.get_or_insert_with(Waiters::boxed);
        let id = waiters.next_id;
        waiters.next_id += 1;
        waiters.list.push(Waiter::Wake { id, wake });
        Some(id)
    }

    /// Registers a completion signal unless the task is already done.
    pub(crate) fn register_completion(
        &self,
        queue: Arc<CompletionQueue>,
        index: usize,
    ) -> Option<u64> {
        self.register_wake(|s| !is_done(s), Wake::Completed(queue, index))
    }

    /// Removes a wake registration that is no longer wanted.
    pub(crate) fn deregister(&self, id: u64) {
        let mut waiters = self.waiters.lock();
        let Some(waiters) = waiters.as_deref_mut() else {
            return;
        };
        waiters
            .list
            .retain(|w| !matches!(w, Waiter::Wake { id: other, .. } if *other == id));
    }

    /// Registers a done-callback, or returns it if the task is already done
    /// (the caller then runs it with [`with_output`](Core::with_output)).
    pub(crate) fn register_callback(&self, cb: Callback<T>) -> Option<Callback<T>> {
        let mut waiters = self.waiters.lock();
        if !self.arm(|s| !is_done(s)) {
            return Some(cb);
        }
        waiters
            .get_or_insert_with(Waiters::boxed)
            .list
            .push(Waiter::Callback(cb));
        None
    }

    /// Registers the async waker until the value can be taken. False if it
    /// can be taken now.
    pub(crate) fn register_waker(&self, waker: &Waker) -> bool {
        let mut waiters = self.waiters.lock();
        if !self.arm(blocks_take) {
            return false;
        }
        match &mut waiters.get_or_insert_with(Waiters::boxed).waker {
            Some(existing) if existing.will_wake(waker) => {}
            slot => *slot = Some(waker.clone()),
        }
        true
    }
}

fn wake_one(wake: Wake) {
    match wake {
        Wake::Thread(thread) => thread.unpark(),
        Wake::Completed(queue, index) => queue.notify(index),
    }
}

/// Runs one done-callback; a panic is reported, never propagated.
fn run_callback<T>(cb: Callback<T>, outcome: Result<&T, &Error>) {
    if let Err(panic) = unwind::catch(move || cb(outcome)) {
        report::report(&Report::CallbackPanicked(&panic));
    }
}

/// Runs a callback registered after the task was done, on the caller's
/// thread.
pub(crate) fn run_late_callback<T>(core: &Core<T>, cb: Callback<T>) {
    core.with_output(|outcome| run_callback(cb, outcome));
}
