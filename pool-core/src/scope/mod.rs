//! Scoped tasks: tasks that borrow data from the caller's stack.
//!
//! A task in a scope may borrow anything that outlives the scope (`'env`).
//! To queue it on a scheduler whose queues hold `'static` jobs, its
//! lifetime is erased (the one `unsafe` here). That is sound because
//! [`Scheduler::scope`] does not return until every task cell it created
//! has been **dropped**, not merely finished:
//!
//! 1. Every scoped task cell holds a [`ScopeToken`] as its last field, so the
//!    token drops after the closure and after any unread output (which may
//!    borrow `'env` too).
//! 2. Only the scope holds the cells strongly: its arena of futures (the
//!    body gets references into it, so user code can neither keep nor leak
//!    an owning handle) and its list of jobs. The scheduler's queues hold a
//!    [`ScopedJob`] with a `Weak` reference, which keeps no value alive; a
//!    worker upgrades it only to run the task.
//! 3. When the body returns (or panics), the scope drains its pending list
//!    in rounds until a round finds it empty: each round takes the futures
//!    and jobs submitted since the last one (a running task may still
//!    submit into its scope), runs those jobs itself if it is on one of the
//!    scheduler's workers (waiting there could otherwise deadlock a full
//!    pool; these are its own tasks, never unrelated ones), and waits for
//!    each of those tasks to finish. A task's future enters the list before
//!    its job is queued, so an empty round after rounds whose tasks all
//!    finished means no task is running and none can be submitted any more.
//!    Only then does it drop the futures of every round (a later task may
//!    borrow an earlier task's future) and parks until the token count
//!    reaches zero: a worker still holding an upgraded reference drops it
//!    right after the task ends.
//! 4. The last token's drop unparks the owner; it touches only the token's
//!    own `Arc`, never borrowed data. A `Weak` left in a queue afterwards
//!    only frees memory when dropped.

mod map;

pub use self::map::ScopeMap;

use std::marker::PhantomData;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed};
use std::sync::{Arc, Weak};
use std::thread::{self, Thread};

use parking_lot::Mutex;

use crate::error::SubmitError;
use crate::handle::{Task, TaskFuture};
use crate::job::{Finish, Job, Plain, TaskCell};
use crate::metrics::Counters;
use crate::scheduler::Scheduler;
use crate::wait::Waitable;

/// Counts the live task cells of one scope.
struct ScopeState {
    live: AtomicUsize,
    owner: Thread,
}

/// Held by each scoped task cell; its drop is the cell's last act.
struct ScopeToken(Arc<ScopeState>);

impl Drop for ScopeToken {
    fn drop(&mut self) {
        // AcqRel: everything the cell did (running the closure, dropping
        // its output) happens before the owner sees the count reach zero.
        if self.0.live.fetch_sub(1, AcqRel) == 1 {
            self.0.owner.unpark();
        }
    }
}

/// The queue entry of a scoped task: a weak reference, upgraded only to
/// run or settle the task (module docs, step 2).
struct ScopedJob(Weak<dyn Job<()>>);

impl Job<()> for ScopedJob {
    fn run(&self, ctx: &mut (), finish: &dyn Finish) {
        if let Some(job) = self.0.upgrade() {
            job.run(ctx, finish);
        }
    }

    fn abort(&self, error: Option<crate::Error>) -> bool {
        self.0.upgrade().is_some_and(|job| job.abort(error))
    }
}

/// The tasks submitted since `finish` last looked, under one lock so that
/// `finish` takes each future together with its job.
#[derive(Default)]
struct Pending {
    /// Owns the scope's futures; the body and tasks only get references.
    /// Stored with their lifetime erased (so the scope itself has no drop
    /// glue that could touch `'scope` data); `finish` moves them out and
    /// drops them once every task is done.
    arena: Vec<Box<dyn Waitable + Send>>,
    /// The scope's jobs, to run inline when the owner is a worker.
    jobs: Vec<Arc<dyn Job<()>>>,
}

/// A scope for tasks that borrow local data; see [`Scheduler::scope`].
///
/// # Examples
///
/// ```
/// use poolrt::{Scheduler, SchedulerConfig};
///
/// let scheduler = Scheduler::new(SchedulerConfig::new(2, |_| Ok(()))).unwrap();
/// let words = vec!["a", "bb", "ccc"];
/// let total: usize = scheduler.scope(|s| {
///     let futures: Vec<_> = words.iter().map(|w| s.submit(move || w.len()).unwrap()).collect();
///     futures.iter().map(|f| f.result().unwrap()).sum()
/// });
/// assert_eq!(total, 6);
/// # scheduler.shutdown(poolrt::CancelFutures::No);
/// ```
pub struct Scope<'scope, 'env: 'scope> {
    scheduler: Scheduler<()>,
    state: Arc<ScopeState>,
    /// Tasks submitted and not yet taken by `finish`.
    pending: Mutex<Pending>,
    _scope: PhantomData<&'scope mut &'scope ()>,
    _env: PhantomData<&'env mut &'env ()>,
}

impl<'scope> Scope<'scope, '_> {
    /// Queues `task`, which may borrow from outside the scope, and returns
    /// a reference to its future, valid for the rest of the scope.
    ///
    /// # Errors
    ///
    /// The task is handed back if the scheduler is shut down or broken.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{CancelFutures, Scheduler, SchedulerConfig};
    ///
    /// let scheduler = Scheduler::new(SchedulerConfig::new(2, |_| Ok(()))).unwrap();
    /// let data = [3, 4];
    /// let squares = scheduler.scope(|s| {
    ///     let a = s.submit(|| data[0] * data[0]).unwrap();
    ///     let b = s.submit(|| data[1] * data[1]).unwrap();
    ///     a.result().unwrap() + b.result().unwrap()
    /// });
    /// assert_eq!(squares, 25);
    ///
    /// scheduler.shutdown(CancelFutures::No);
    /// scheduler.scope(|s| assert!(s.submit(|| data[0]).unwrap_err().is_shutdown()));
    /// ```
    pub fn submit<F, T>(&'scope self, task: F) -> Result<&'scope TaskFuture<T>, SubmitError<F>>
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope,
    {
        let _submit = crate::trace::submit();
        if let Some(reason) = self.scheduler.refusal() {
            return Err(SubmitError::new(task, reason));
        }
        self.state.live.fetch_add(1, Relaxed);
        let token = ScopeToken(Arc::clone(&self.state));
        let cell = Arc::new(TaskCell::new(Plain(task), token));
        let job: Arc<dyn Job<()> + 'scope> = cell.clone();
        let handle: Arc<dyn Task<T> + 'scope> = cell;
        // SAFETY: only the trait object's lifetime bound changes; the fat
        // pointer's layout is the same. The cell cannot outlive `'scope`:
        // the scope waits until its token, dropped last, is gone (module
        // docs, steps 1-4).
        let job: Arc<dyn Job<()>> = unsafe { erase_job(job) };
        // SAFETY: as above; the future is kept in the arena, dropped before
        // the scope ends.
        let handle: Arc<dyn Task<T>> = unsafe { erase_task(handle) };

        let future = Box::new(TaskFuture::from_task(handle));
        let future_ref: *const TaskFuture<T> = &*future;
        let future: Box<dyn Waitable + Send + 'scope> = future;
        // SAFETY: as above; `finish` drops the arena before the scope ends.
        let future = unsafe { erase_box(future) };
        {
            let mut pending = self.pending.lock();
            pending.arena.push(future);
            pending.jobs.push(job.clone());
        }
        if !self
            .scheduler
            .push_job(Arc::new(ScopedJob(Arc::downgrade(&job))))
        {
            // Shut down while queueing: cancel unless a worker claimed it;
            // the future then reports the cancellation.
            job.abort(None);
        }
        // SAFETY: the boxed future lives in the arena until `finish` moves
        // it out (a `Box` does not move its contents), and `finish` drops
        // it only once every task of the scope has finished and the body
        // has returned, so no holder of `&'scope self` is left.
        Ok(unsafe { &*future_ref })
    }
}

/// Changes the lifetime bound of a job trait object.
///
/// # Safety
///
/// The caller must make sure the job is dropped before `'a` ends.
unsafe fn erase_job<'a>(job: Arc<dyn Job<()> + 'a>) -> Arc<dyn Job<()> + 'static> {
    // SAFETY: same layout; the caller keeps the lifetime promise.
    unsafe { std::mem::transmute::<Arc<dyn Job<()> + 'a>, Arc<dyn Job<()> + 'static>>(job) }
}

/// Changes the lifetime bound of a task trait object.
///
/// # Safety
///
/// The caller must make sure the task is dropped before `'a` ends.
unsafe fn erase_task<'a, T>(task: Arc<dyn Task<T> + 'a>) -> Arc<dyn Task<T> + 'static> {
    // SAFETY: same layout; the caller keeps the lifetime promise.
    unsafe { std::mem::transmute::<Arc<dyn Task<T> + 'a>, Arc<dyn Task<T> + 'static>>(task) }
}

/// Changes the lifetime bound of a boxed value.
///
/// # Safety
///
/// The caller must make sure the box is dropped before `'a` ends.
unsafe fn erase_box<'a>(value: Box<dyn Waitable + Send + 'a>) -> Box<dyn Waitable + Send> {
    // SAFETY: same layout; the caller keeps the lifetime promise.
    unsafe {
        std::mem::transmute::<Box<dyn Waitable + Send + 'a>, Box<dyn Waitable + Send + 'static>>(
            value,
        )
    }
}

impl Scope<'_, '_> {
    /// Steps 3 and 4 of the module docs.
    fn finish(&self) {
        let on_worker = self.scheduler.on_worker_thread();
        // Each pass ends when a round finds nothing new; only an unread
        // output whose drop submits again makes a second pass.
        while !self.pending.lock().arena.is_empty() {
            let mut finished = Vec::new();
            loop {
                let Pending { arena, jobs } = std::mem::take(&mut *self.pending.lock());
                if arena.is_empty() {
                    break;
                }
                if on_worker {
                    let counters = Counters::default();
                    for job in &jobs {
                        job.run(&mut (), &counters);
                    }
                }
                drop(jobs);
                for future in &arena {
                    future.done_state().wait_until(None);
                }
                finished.extend(arena);
            }
            drop(finished);
        }
        // Acquire: pairs with the tokens' AcqRel decrements.
        while self.state.live.load(Acquire) != 0 {
            thread::park();
        }
    }
}

impl Scheduler<()> {
    /// Runs `body` with a [`Scope`] in which tasks may borrow local data,
    /// and returns once every task submitted in it (by the body or by its
    /// tasks, even after the body returned) has finished and been dropped.
    /// Like `std::thread::scope`, a panic in `body` is re-raised after the
    /// tasks are done.
    ///
    /// Called from one of this scheduler's workers, the scope runs its own
    /// still-queued tasks itself while it waits, so a full pool cannot
    /// deadlock on it. It never runs other tasks.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{Scheduler, SchedulerConfig};
    ///
    /// let scheduler = Scheduler::new(SchedulerConfig::new(2, |_| Ok(()))).unwrap();
    /// let mut numbers = vec![1, 2, 3];
    /// let sum = scheduler.scope(|s| {
    ///     let f = s.submit(|| numbers.iter().sum::<i32>()).unwrap();
    ///     f.result().unwrap()
    /// });
    /// numbers.push(sum);
    /// assert_eq!(numbers, [1, 2, 3, 6]);
    /// # scheduler.shutdown(poolrt::CancelFutures::No);
    /// ```
    pub fn scope<'env, F, R>(&self, body: F) -> R
    where
        F: for<'scope> FnOnce(&'scope Scope<'scope, 'env>) -> R,
    {
        let scope = Scope {
            scheduler: self.clone(),
            state: Arc::new(ScopeState {
                live: AtomicUsize::new(0),
                owner: thread::current(),
            }),
            pending: Mutex::new(Pending::default()),
            _scope: PhantomData,
            _env: PhantomData,
        };
        let result = panic::catch_unwind(AssertUnwindSafe(|| body(&scope)));
        scope.finish();
        match result {
            Ok(value) => value,
            Err(payload) => panic::resume_unwind(payload),
        }
    }
}
