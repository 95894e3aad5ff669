//! Jobs: the type-erased units of work in the scheduler's queues.
//!
//! Contract: **a task executes at most once, and every task ends settled.**
//! A task's cell sits in exactly one queue entry, but the same cell is also
//! reachable from its [`TaskFuture`] (for `cancel`) and from the executor (to fail
//! it when the pool breaks). All of them go through the claim CAS in
//! [`Core::start`]/[`Core::cancel`], so exactly one party takes the closure
//! out: the worker that runs it, the canceller that drops it, or the
//! executor that fails it. Whoever pops a queue entry whose claim was lost
//! just drops the entry.

use std::cell::UnsafeCell;
use std::sync::Arc;

use crate::error::Error;
use crate::handle::{Core, Task};
use crate::metrics::Counters;
use crate::trace::{self, TaskSpan};
use crate::unwind;

/// A queued unit of work, run with the worker's context `C`.
pub(crate) trait Job<C>: Send + Sync {
    /// Runs the task if nobody claimed it first, calling `finish` between
    /// the closure's return and the publication of its outcome.
    fn run(&self, ctx: &mut C, finish: &dyn Finish);

    /// Settles a task that will never run: cancelled (`None`) or failed with
    /// the error. False if it had already been claimed.
    fn abort(&self, error: Option<Error>) -> bool;

    /// Called, after the job ran, by the worker holding its only
    /// reference: drops what the job still holds, as its last drop would,
    /// and says whether its memory may be freed later on another thread
    /// (`registry/recycle.rs`). False leaves the job to be dropped now.
    fn clear(&mut self) -> bool {
        false
    }
}

/// The largest task cell whose memory is handed back to a submitting
/// thread to free (`registry/recycle.rs`): small tasks, whose allocation
/// is a large part of their cost. A bigger closure keeps its memory no
/// longer than it did.
const RECYCLED_CELL_BYTES: usize = 256;

/// What a worker does between a task's end and the publication of its
/// outcome, so that whoever sees the task done also sees its effects
/// (counters, the worker's idle state).
pub(crate) trait Finish {
    fn finishing(&self, panicked: bool);
}

impl Finish for Counters {
    fn finishing(&self, panicked: bool) {
        self.ran(panicked);
    }
}

/// A reference-counted job, as stored in the queues.
pub(crate) type JobRef<C> = Arc<dyn Job<C>>;

/// A task's closure, called with the worker's context or without it. A
/// closure may fail without panicking (a process task whose worker died):
/// its error becomes the task's outcome.
pub(crate) trait Call<C, T>: Send {
    fn call(self, ctx: &mut C) -> Result<T, Error>;
}

/// A closure that takes the worker's context.
pub(crate) struct WithContext<F>(pub(crate) F);

impl<C, T, F: FnOnce(&mut C) -> T + Send> Call<C, T> for WithContext<F> {
    fn call(self, ctx: &mut C) -> Result<T, Error> {
        Ok((self.0)(ctx))
    }
}

/// A closure that takes the worker's context and may fail.
pub(crate) struct Fallible<F>(pub(crate) F);

impl<C, T, F: FnOnce(&mut C) -> Result<T, Error> + Send> Call<C, T> for Fallible<F> {
    fn call(self, ctx: &mut C) -> Result<T, Error> {
        (self.0)(ctx)
    }
}

/// A closure that ignores the worker's context.
pub(crate) struct Plain<F>(pub(crate) F);

impl<C, T, F: FnOnce() -> T + Send> Call<C, T> for Plain<F> {
    fn call(self, _: &mut C) -> Result<T, Error> {
        Ok((self.0)())
    }
}

/// One allocation per task: its shared state, its closure and an optional
/// guard dropped last (scopes use it to learn when the task is gone).
pub(crate) struct TaskCell<F, T, G = ()> {
    core: Core<T>,
    func: UnsafeCell<Option<F>>,
    /// The task's `poolrt.task` span (zero-sized without the `tracing`
    /// feature).
    span: TaskSpan,
    _guard: G,
}

// SAFETY: `func` is touched only by the single winner of the claim CAS (see
// the module docs), which moves it to its own thread (`F: Send`); `core` is
// `Sync` for `T: Send`; the guard is only dropped.
unsafe impl<F: Send, T: Send, G: Send + Sync> Sync for TaskCell<F, T, G> {}

impl<F, T, G> TaskCell<F, T, G> {
    pub(crate) fn new(func: F, guard: G) -> TaskCell<F, T, G> {
        TaskCell {
            core: Core::new(),
            func: UnsafeCell::new(Some(func)),
            span: trace::task(),
            _guard: guard,
        }
    }

    /// Cancels the task and hands its closure back, unless a worker claimed
    /// it first.
    pub(crate) fn reclaim(&self) -> Option<F> {
        self.core.cancel().then(|| self.take_func())
    }

    /// Moves the closure out. Only the winner of the claim CAS may call this.
    fn take_func(&self) -> F {
        // SAFETY: the caller won `Core::start` or `Core::cancel`, so no other
        // thread touches `func` now or later.
        let func = unsafe { (*self.func.get()).take() };
        func.expect("a task's closure is taken once")
    }
}

impl<C, F, T, G> Job<C> for TaskCell<F, T, G>
where
    F: Call<C, T>,
    T: Send,
    G: Send + Sync,
{
    fn run(&self, ctx: &mut C, finish: &dyn Finish) {
        if !self.core.start() {
            return;
        }
        let func = self.take_func();
        let _span = trace::enter(&self.span);
        let output = unwind::catch_installed(|| func.call(ctx))
            .map_err(Error::panicked)
            .and_then(|outcome| outcome);
        finish.finishing(output.is_err());
        self.core.complete(output);
    }

    fn clear(&mut self) -> bool {
        // A guard or span whose drop means something (a scope's count, the
        // end of a `poolrt.task` span) must be dropped on time.
        if size_of::<Self>() > RECYCLED_CELL_BYTES
            || std::mem::needs_drop::<G>()
            || std::mem::needs_drop::<TaskSpan>()
        {
            return false;
        }
        // Gone already after a run or a cancel; dropped here otherwise.
        *self.func.get_mut() = None;
        self.core.clear();
        true
    }

    fn abort(&self, error: Option<Error>) -> bool {
        match error {
            None => Task::cancel(self),
            Some(error) => {
                if !self.core.start() {
                    return false;
                }
                drop(self.take_func());
                self.core.complete(Err(error));
                true
            }
        }
    }
}

impl<F: Send, T: Send, G: Send + Sync> Task<T> for TaskCell<F, T, G> {
    fn core(&self) -> &Core<T> {
        &self.core
    }

    fn cancel(&self) -> bool {
        if !self.core.cancel() {
            return false;
        }
        drop(self.take_func());
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_cell_is_small() {
        let size = std::mem::size_of::<TaskCell<Plain<fn()>, ()>>();
        println!("TaskCell<Plain<fn()>, ()> = {size} bytes");
        // The `tracing` feature adds the task's span.
        let span = std::mem::size_of::<TaskSpan>();
        assert!(size <= 64 + span, "{size}");
    }
}
