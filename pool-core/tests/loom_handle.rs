//! A loom model of the task handle's state word (`src/handle/core.rs`,
//! argument in `src/handle/README.md`): transitions 1 (claim/cancel),
//! 2–3 (complete, drain, no lost wake-up) and 5–6 (readers against the
//! one taker).
//!
//! The model copies the state-word operations of `Core` with their
//! orderings; the output is a loom `UnsafeCell`, so loom reports any read
//! or move of it not ordered by the protocol, and a lost wake-up shows as
//! a deadlock. Waiters are parked threads and done-callbacks in a list
//! under a loom `Mutex`. Keep it in step with `core.rs`.
//!
//! ```text
//! RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom \
//!     cargo test -p pool-core --test loom_handle --release
//! ```
#![cfg(loom)]

use loom::cell::UnsafeCell;
use loom::sync::atomic::AtomicUsize;
use loom::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release};
use loom::sync::{Arc, Mutex};
use loom::thread::{self, Thread};

const LIFECYCLE: usize = 0b11;
const PENDING: usize = 0;
const RUNNING: usize = 1;
const FINISHED: usize = 2;
const CANCELLED: usize = 3;
const TAKEN: usize = 1 << 3;
const NOTIFY: usize = 1 << 5;
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

fn blocks_take(s: usize) -> bool {
    !is_done(s) || (lifecycle(s) == FINISHED && s & TAKEN == 0 && readers(s) > 0)
}

enum Waiter {
    Wake(Thread),
    /// A done-callback that reads the value.
    Callback,
}

struct Core {
    state: AtomicUsize,
    output: UnsafeCell<Option<u32>>,
    waiters: Mutex<Vec<Waiter>>,
}

impl Core {
    fn new() -> Core {
        Core {
            state: AtomicUsize::new(PENDING),
            output: UnsafeCell::new(None),
            waiters: Mutex::new(Vec::new()),
        }
    }

    fn start(&self) -> bool {
        let mut s = self.state.load(Relaxed);
        loop {
            if lifecycle(s) != PENDING {
                return false;
            }
            match self
                .state
                .compare_exchange(s, s | RUNNING, Acquire, Relaxed)
            {
                Ok(_) => return true,
                Err(actual) => s = actual,
            }
        }
    }

    fn cancel(&self) -> bool {
        let mut s = self.state.load(Relaxed);
        loop {
            if lifecycle(s) != PENDING {
                return false;
            }
            match self
                .state
                .compare_exchange(s, s | CANCELLED, AcqRel, Relaxed)
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

    fn complete(&self, value: u32) {
        // SAFETY: the claimant alone touches the output while RUNNING
        // (loom checks it).
        self.output.with_mut(|out| unsafe { *out = Some(value) });
        let mut s = self.state.load(Relaxed);
        let prev = loop {
            let mut new = (s & !LIFECYCLE) | FINISHED;
            if s & NOTIFY != 0 {
                new += READER;
            }
            match self.state.compare_exchange(s, new, AcqRel, Relaxed) {
                Ok(_) => break s,
                Err(actual) => s = actual,
            }
        };
        if prev & NOTIFY != 0 {
            self.run_waiters(true);
        }
    }

    fn drain(&self) -> Vec<Waiter> {
        let mut waiters = self.waiters.lock().unwrap();
        self.state.fetch_and(!NOTIFY, Relaxed);
        std::mem::take(&mut *waiters)
    }

    fn run_waiters(&self, holding_reader: bool) {
        let mut callbacks = 0;
        for waiter in self.drain() {
            match waiter {
                Waiter::Wake(thread) => thread.unpark(),
                Waiter::Callback => callbacks += 1,
            }
        }
        if callbacks > 0 {
            self.read_unchecked();
        }
        if holding_reader {
            self.release_reader();
        }
    }

    fn release_reader(&self) {
        let prev = self.state.fetch_sub(READER, Release);
        if readers(prev) == 1 && prev & NOTIFY != 0 {
            for waiter in self.drain() {
                if let Waiter::Wake(thread) = waiter {
                    thread.unpark();
                }
            }
        }
    }

    /// A callback's read of the value (the caller holds a reader).
    fn read_unchecked(&self) {
        let s = self.state.load(Acquire);
        if lifecycle(s) == FINISHED {
            // SAFETY: FINISHED and a reader is held (loom checks it).
            let value = self.output.with(|out| unsafe { *out });
            assert_eq!(value, Some(7));
        }
    }

    /// `with_output`: a late callback's read.
    fn with_output(&self) {
        let mut s = self.state.load(Acquire);
        loop {
            assert!(is_done(s));
            if lifecycle(s) == CANCELLED || s & TAKEN != 0 {
                return;
            }
            match self.state.compare_exchange(s, s + READER, Acquire, Acquire) {
                Ok(_) => break,
                Err(actual) => s = actual,
            }
        }
        self.read_unchecked();
        self.release_reader();
    }

    fn try_take(&self) -> Option<Option<u32>> {
        let mut s = self.state.load(Acquire);
        loop {
            if lifecycle(s) == CANCELLED || s & TAKEN != 0 {
                return Some(None);
            }
            if readers(s) > 0 {
                return None;
            }
            match self.state.compare_exchange(s, s | TAKEN, Acquire, Acquire) {
                Ok(_) => break,
                Err(actual) => s = actual,
            }
        }
        // SAFETY: TAKEN was set with no reader counted (loom checks it).
        Some(self.output.with_mut(|out| unsafe { (*out).take() }))
    }

    fn arm(&self, blocked: fn(usize) -> bool) -> bool {
        let mut s = self.state.load(Acquire);
        loop {
            if !blocked(s) {
                return false;
            }
            if s & NOTIFY != 0 {
                return true;
            }
            match self.state.compare_exchange(s, s | NOTIFY, AcqRel, Acquire) {
                Ok(_) => return true,
                Err(actual) => s = actual,
            }
        }
    }

    /// `register_wake` + park, without deadlines (`wait_while`). A stale
    /// registration only costs a spurious unpark, so it is left in place.
    fn wait_while(&self, blocked: fn(usize) -> bool) {
        loop {
            if !blocked(self.state.load(Acquire)) {
                return;
            }
            {
                let mut waiters = self.waiters.lock().unwrap();
                if !self.arm(blocked) {
                    return;
                }
                waiters.push(Waiter::Wake(thread::current()));
            }
            thread::park();
        }
    }

    fn take(&self) -> Option<u32> {
        loop {
            self.wait_while(blocks_take);
            if let Some(result) = self.try_take() {
                return result;
            }
        }
    }

    /// `register_callback`, or run it late.
    fn add_done_callback(&self) {
        {
            let mut waiters = self.waiters.lock().unwrap();
            if self.arm(|s| !is_done(s)) {
                waiters.push(Waiter::Callback);
                return;
            }
        }
        self.with_output();
    }
}

/// Claim against cancel: exactly one wins, and a waiter sees the outcome.
#[test]
fn claim_and_cancel_exclude_each_other_and_wake_the_waiter() {
    loom::model(|| {
        let core = Arc::new(Core::new());
        let worker = {
            let core = Arc::clone(&core);
            thread::spawn(move || {
                if core.start() {
                    core.complete(7);
                    true
                } else {
                    false
                }
            })
        };
        let cancelled = core.cancel();
        let taken = core.take();
        let ran = worker.join().unwrap();
        assert!(ran != cancelled, "exactly one of claim and cancel wins");
        assert_eq!(taken, ran.then_some(7));
    });
}

/// A done-callback (registered or run late) reads the value while the
/// taker moves it out: never both at once, and the taker is not stranded.
/// Three threads: bounded to 3 preemptions (about a second; unbounded runs
/// for many minutes), unless `LOOM_MAX_PREEMPTIONS` says otherwise.
#[test]
fn readers_and_the_taker_never_overlap() {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound.get_or_insert(3);
    builder.check(|| {
        let core = Arc::new(Core::new());
        let worker = {
            let core = Arc::clone(&core);
            thread::spawn(move || {
                assert!(core.start());
                core.complete(7);
            })
        };
        let callback = {
            let core = Arc::clone(&core);
            thread::spawn(move || core.add_done_callback())
        };
        assert_eq!(core.take(), Some(7));
        worker.join().unwrap();
        callback.join().unwrap();
    });
}
