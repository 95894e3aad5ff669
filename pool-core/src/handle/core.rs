//! The shared state of one task: its lifecycle word, its output slot and the
//! list of whoever waits for it (registering and waking them is in
//! `core/waiting.rs`). See `README.md` in this folder for the state machine
//! and who may touch what.

mod waiting;

use std::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed};
use std::time::Instant;

use crate::error::{Error, ErrorKind};
use crate::loom::{AtomicUsize, Mutex, UnsafeCell};
use crate::report::{self, Report};

use self::waiting::Waiters;
pub(crate) use self::waiting::{WaitOutcome, run_late_callback};

// The state word. Bits 0-1 are the lifecycle; the rest are flags and, from
// bit 6 up, the number of readers currently holding `&T`.
const LIFECYCLE: usize = 0b11;
const PENDING: usize = 0;
const RUNNING: usize = 1;
const FINISHED: usize = 2;
const CANCELLED: usize = 3;
/// The output is an error. Errors are never moved out, so once published
/// they may be read by anyone without counting readers.
const FAILED: usize = 1 << 2;
/// The value was moved out by `take`.
const TAKEN: usize = 1 << 3;
/// Someone observed the outcome; a failure nobody observed is reported.
const RETRIEVED: usize = 1 << 4;
/// The waiter list may be non-empty; whoever publishes must drain it.
const NOTIFY: usize = 1 << 5;
/// One reader of the value (a done-callback running with `&T`).
const READER: usize = 1 << 6;

fn lifecycle(s: usize) -> usize {
    s & LIFECYCLE
}

fn is_done(s: usize) -> bool {
    lifecycle(s) >= FINISHED
}

fn readers(s: usize) -> usize {
    s / READER
}

/// True while `take` must wait: the task is not done, or its value is being
/// read by callbacks.
fn blocks_take(s: usize) -> bool {
    !is_done(s) || (lifecycle(s) == FINISHED && s & (FAILED | TAKEN) == 0 && readers(s) > 0)
}

/// The state of one task shared by its `TaskFuture`, its executor and its
/// waiters.
pub(crate) struct Core<T> {
    state: AtomicUsize,
    waiters: Mutex<Option<Box<Waiters<T>>>>,
    output: UnsafeCell<Option<Result<T, Error>>>,
}

// SAFETY: `output` is written only by the thread that won the RUNNING claim,
// before FINISHED is published with Release; afterwards it is read through
// `&T` only while a reader is counted (callbacks, which the public API
// allows only for `T: Sync`), and moved out only by the single thread that
// sets TAKEN while no reader is counted. So sharing a `Core<T>` needs only
// `T: Send`.
unsafe impl<T: Send> Sync for Core<T> {}

impl<T> Core<T> {
    pub(crate) fn new() -> Core<T> {
        Core {
            state: AtomicUsize::new(PENDING),
            waiters: Mutex::new(None),
            output: UnsafeCell::new(None),
        }
    }

    fn load(&self) -> usize {
        // Acquire: pairs with the Release in `publish`, so a thread that sees
        // FINISHED also sees the output.
        self.state.load(Acquire)
    }

    pub(crate) fn is_done(&self) -> bool {
        is_done(self.load())
    }

    pub(crate) fn is_running(&self) -> bool {
        lifecycle(self.load()) == RUNNING
    }

    pub(crate) fn is_cancelled(&self) -> bool {
        lifecycle(self.load()) == CANCELLED
    }

    pub(crate) fn is_failed(&self) -> bool {
        self.load() & FAILED != 0
    }

    /// Claims the task for execution: PENDING → RUNNING. Exactly one caller
    /// ever wins; it alone may then call [`complete`](Core::complete).
    pub(crate) fn start(&self) -> bool {
        let mut s = self.state.load(Relaxed);
        loop {
            if lifecycle(s) != PENDING {
                return false;
            }
            // Acquire: the winner takes ownership of the task's closure.
            match self
                .state
                .compare_exchange_weak(s, s | RUNNING, Acquire, Relaxed)
            {
                Ok(_) => return true,
                Err(actual) => s = actual,
            }
        }
    }

    /// Stores the outcome and wakes everyone. The caller must have won
    /// [`start`](Core::start).
    pub(crate) fn complete(&self, output: Result<T, Error>) {
        debug_assert_eq!(lifecycle(self.state.load(Relaxed)), RUNNING);
        let failed = if output.is_err() { FAILED } else { 0 };
        // SAFETY: the lifecycle is RUNNING and the caller won `start`, so no
        // other thread reads or writes `output` until FINISHED is published
        // below.
        self.output.with_mut(|slot| unsafe { *slot = Some(output) });
        self.publish(FINISHED | failed);
    }

    /// PENDING → CANCELLED. True if this call cancelled the task; the caller
    /// then owns the task's closure and must drop it.
    pub(crate) fn cancel(&self) -> bool {
        let mut s = self.state.load(Relaxed);
        loop {
            if lifecycle(s) != PENDING {
                return false;
            }
            // AcqRel: the winner owns the closure (Acquire) and publishes
            // the final state to waiters (Release).
            match self
                .state
                .compare_exchange_weak(s, s | CANCELLED, AcqRel, Relaxed)
            {
                Ok(_) => break,
                Err(actual) => s = actual,
            }
        }
        if s & NOTIFY != 0 {
            self.run_waiters(false);
        }
        true
    }

    /// Publishes a final lifecycle (FINISHED, possibly FAILED) with Release,
    /// then drains the waiter list if anyone registered.
    fn publish(&self, done_bits: usize) {
        let mut s = self.state.load(Relaxed);
        let prev = loop {
            let mut new = (s & !LIFECYCLE) | done_bits;
            if s & NOTIFY != 0 {
                // Callbacks may read the value: hold a reader while they run.
                new += READER;
            }
            // Release: publishes `output` to every thread that later loads
            // the state with Acquire. Acquire: see the registrations that
            // set NOTIFY.
            match self.state.compare_exchange_weak(s, new, AcqRel, Relaxed) {
                Ok(_) => break s,
                Err(actual) => s = actual,
            }
        };
        if prev & NOTIFY != 0 {
            self.run_waiters(true);
        }
    }

    /// Calls `f` with the outcome of a done task whose readers the caller
    /// already accounts for (the publishing thread). Marks a failure
    /// retrieved, since the callback saw it.
    fn with_output_unchecked<R>(&self, f: impl FnOnce(Result<&T, &Error>) -> R) -> R {
        let s = self.load();
        if lifecycle(s) == CANCELLED {
            return f(Err(&Error::cancelled()));
        }
        if s & FAILED != 0 {
            self.state.fetch_or(RETRIEVED, Relaxed);
        }
        // SAFETY: the task is FINISHED (published with Release, loaded with
        // Acquire above) and the caller holds a reader, so nobody moves the
        // output out while `f` runs.
        self.output.with(|slot| match unsafe { &*slot } {
            Some(Ok(value)) => f(Ok(value)),
            Some(Err(error)) => f(Err(error)),
            None => f(Err(&Error::from_kind(ErrorKind::Retrieved))),
        })
    }

    /// Calls `f` with the outcome of a done task, counting a reader while it
    /// runs so a concurrent `take` waits.
    pub(crate) fn with_output<R>(&self, f: impl FnOnce(Result<&T, &Error>) -> R) -> R {
        let mut s = self.load();
        loop {
            debug_assert!(is_done(s));
            if lifecycle(s) == CANCELLED || s & FAILED != 0 {
                // Immutable once published: no reader needed.
                return self.with_output_unchecked(f);
            }
            if s & TAKEN != 0 {
                return f(Err(&Error::from_kind(ErrorKind::Retrieved)));
            }
            // Acquire: see the value published by the completer.
            match self
                .state
                .compare_exchange_weak(s, s + READER, Acquire, Acquire)
            {
                Ok(_) => break,
                Err(actual) => s = actual,
            }
        }
        let result = self.with_output_unchecked(f);
        self.release_reader();
        result
    }

    /// The error of a done task, marking it retrieved; `None` if it
    /// succeeded.
    pub(crate) fn error(&self) -> Option<Error> {
        let s = self.load();
        debug_assert!(is_done(s));
        if lifecycle(s) == CANCELLED {
            return Some(Error::cancelled());
        }
        if s & FAILED == 0 {
            return None;
        }
        self.state.fetch_or(RETRIEVED, Relaxed);
        // SAFETY: FAILED was published with Release and loaded with Acquire;
        // a failed output is never moved or written again.
        self.output.with(|slot| match unsafe { &*slot } {
            Some(Err(error)) => Some(error.clone()),
            _ => unreachable!("a FAILED task holds an error"),
        })
    }

    /// Moves the value out of a done task. `None` while callbacks are still
    /// reading it (the caller waits and retries).
    pub(crate) fn try_take(&self) -> Option<Result<T, Error>> {
        let mut s = self.load();
        loop {
            debug_assert!(is_done(s));
            if lifecycle(s) == CANCELLED || s & FAILED != 0 {
                return Some(Err(self.error().expect("cancelled or failed")));
            }
            if s & TAKEN != 0 {
                return Some(Err(Error::from_kind(ErrorKind::Retrieved)));
            }
            if readers(s) > 0 {
                return None;
            }
            // Acquire: pairs with the readers' Release in `release_reader`
            // and the completer's Release in `publish`.
            match self
                .state
                .compare_exchange_weak(s, s | TAKEN | RETRIEVED, Acquire, Acquire)
            {
                Ok(_) => break,
                Err(actual) => s = actual,
            }
        }
        // SAFETY: we set TAKEN while no reader was counted; readers need
        // !TAKEN to start, so this thread has exclusive access.
        let output = self.output.with_mut(|slot| unsafe { (*slot).take() });
        Some(output.expect("a finished task holds its output"))
    }

    /// Blocks until the value can be taken, then takes it.
    pub(crate) fn take(&self, deadline: Option<Instant>) -> Result<T, Error> {
        loop {
            if self.wait_while(blocks_take, deadline) == WaitOutcome::TimedOut {
                return Err(Error::from_kind(ErrorKind::Timeout));
            }
            if let Some(result) = self.try_take() {
                return result;
            }
        }
    }
}

impl<T> Core<T> {
    /// Reports a failure nobody read. A task failed by a shutdown the
    /// program itself asked for (a terminated pool) is, like a cancelled
    /// one, not news to anyone and is not reported.
    fn report_unread(&mut self) {
        // `&mut self`: no other thread can touch the word any more.
        let s = self.state.load(Relaxed);
        if s & FAILED != 0
            && s & RETRIEVED == 0
            && let Some(Err(error)) = self.output.get_mut()
            && error.kind() != ErrorKind::Shutdown
        {
            report::report(&Report::Unretrieved(error));
        }
    }

    /// Does now what the task's last drop would do (reports an unread
    /// failure, drops the outcome and the waiter list), leaving an empty
    /// core whose memory may be freed later, on another thread
    /// (`registry/recycle.rs`).
    pub(crate) fn clear(&mut self) {
        self.report_unread();
        *self.output.get_mut() = None;
        *self.waiters.lock() = None;
    }
}

impl<T> Drop for Core<T> {
    fn drop(&mut self) {
        self.report_unread();
    }
}
