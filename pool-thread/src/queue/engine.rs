//! `BlockingQueue`: the mutex, condition variables and counters every bounded
//! queue shares; only the buffer (FIFO, LIFO, heap) differs. See
//! `README.md` for the locking protocol.

use std::fmt;
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed};

use crossbeam_utils::Backoff;
use parking_lot::{Condvar, Mutex, MutexGuard};

use super::error::{GetError, PutError, TaskDoneError};
use super::order::Order;
use crate::deadline::{Deadline, DeadlineWait};

/// How [`shutdown`](crate::Queue::shutdown) treats the items still queued:
/// Python 3.13's `immediate` argument.
///
/// # Examples
///
/// ```
/// use poolrt::thread::{Immediate, Queue};
///
/// let q = Queue::new(0).unwrap();
/// q.put(1).unwrap();
/// q.shutdown(Immediate::No);
/// assert_eq!(q.get().unwrap(), 1, "gets drain what is left");
///
/// let q = Queue::new(0).unwrap();
/// q.put(1).unwrap();
/// q.shutdown(Immediate::Yes);
/// assert!(q.get().is_err(), "the items were discarded");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Immediate {
    /// Gets go on returning the queued items, and fail once it is empty.
    No,
    /// The queued items are discarded, each counted as a task done, and
    /// gets fail at once.
    Yes,
}

/// A bounded (or, with `maxsize == 0`, unbounded) blocking queue with
/// Python's `task_done`/`join` accounting and 3.13's `shutdown`.
pub(crate) struct BlockingQueue<B> {
    maxsize: usize,
    state: Mutex<State<B>>,
    /// Signalled when an item arrives (one getter) or on shutdown (all).
    not_empty: Condvar,
    /// Signalled when an item leaves (one putter) or on shutdown (all).
    not_full: Condvar,
    /// Signalled (all) when `unfinished` reaches zero.
    all_tasks_done: Condvar,
    /// Items put and not yet marked done by `task_done`. Outside the mutex,
    /// so `task_done` costs a consumer one atomic operation instead of a
    /// second trip through the mutex per item; it goes up under the mutex
    /// (in `put`) and takes the mutex only to wake joiners at zero (see
    /// `README.md`).
    unfinished: AtomicUsize,
    /// The buffer's length, stored under the mutex after every change and
    /// read without it by callers backing off before a wait: they watch
    /// this word instead of taking the mutex again and again from the
    /// thread that would make room (or bring an item). A hint only: the
    /// check that counts is made under the mutex.
    len: AtomicUsize,
}

/// Everything the queue's mutex protects.
struct State<B> {
    items: B,
    shut_down: bool,
}

impl<B: Order> BlockingQueue<B> {
    pub(crate) fn new(maxsize: usize, items: B) -> BlockingQueue<B> {
        BlockingQueue {
            maxsize,
            state: Mutex::new(State {
                items,
                shut_down: false,
            }),
            not_empty: Condvar::new(),
            not_full: Condvar::new(),
            all_tasks_done: Condvar::new(),
            unfinished: AtomicUsize::new(0),
            len: AtomicUsize::new(0),
        }
    }

    pub(crate) fn maxsize(&self) -> usize {
        self.maxsize
    }

    pub(crate) fn put(&self, item: B::Item, deadline: Deadline) -> Result<(), PutError<B::Item>> {
        let mut state = self.state.lock();
        let backoff = Backoff::new();
        loop {
            if state.shut_down {
                return Err(PutError::ShutDown(item));
            }
            if self.maxsize == 0 || state.items.len() < self.maxsize {
                break;
            }
            if deadline != Deadline::Now && !backoff.is_completed() {
                MutexGuard::unlocked(&mut state, || {
                    self.back_off_while(&backoff, |len| len >= self.maxsize);
                });
                continue;
            }
            if !deadline.wait(&self.not_full, &mut state) {
                return Err(PutError::Full(item));
            }
        }
        state.items.push(item);
        self.len.store(state.items.len(), Relaxed);
        // Under the mutex, before the item can be got: no `task_done` for
        // it can come first. AcqRel, as every change of the count (the
        // joiner's Acquire load sees the consumers' work).
        self.unfinished.fetch_add(1, AcqRel);
        self.not_empty.notify_one();
        Ok(())
    }

    pub(crate) fn get(&self, deadline: Deadline) -> Result<B::Item, GetError> {
        let mut state = self.state.lock();
        let backoff = Backoff::new();
        loop {
            if let Some(item) = state.items.pop() {
                self.len.store(state.items.len(), Relaxed);
                if self.maxsize > 0 {
                    self.not_full.notify_one();
                }
                return Ok(item);
            }
            if state.shut_down {
                return Err(GetError::ShutDown);
            }
            if deadline != Deadline::Now && !backoff.is_completed() {
                MutexGuard::unlocked(&mut state, || {
                    self.back_off_while(&backoff, |len| len == 0);
                });
                continue;
            }
            if !deadline.wait(&self.not_empty, &mut state) {
                return Err(GetError::Empty);
            }
        }
    }

    /// Backs off (spins, then yields) without the mutex while the length
    /// still looks `blocked`, until the back-off is spent. The caller then
    /// re-checks under the mutex, and waits on a condvar if it must.
    fn back_off_while(&self, backoff: &Backoff, blocked: impl Fn(usize) -> bool) {
        loop {
            backoff.snooze();
            if backoff.is_completed() || !blocked(self.len.load(Relaxed)) {
                return;
            }
        }
    }

    pub(crate) fn qsize(&self) -> usize {
        self.state.lock().items.len()
    }

    pub(crate) fn full(&self) -> bool {
        self.maxsize > 0 && self.qsize() >= self.maxsize
    }

    pub(crate) fn task_done(&self) -> Result<(), TaskDoneError> {
        // AcqRel: Release publishes this consumer's work to the joiner that
        // sees the count reach zero (Acquire in `join`).
        let before = self
            .unfinished
            .fetch_update(AcqRel, Acquire, |n| n.checked_sub(1))
            .map_err(|_| TaskDoneError)?;
        if before == 1 {
            // A joiner checks the count under the mutex and waits without
            // letting go of it in between: taking the mutex here means it
            // is either before its check (and sees zero) or waiting (and
            // gets this notification).
            let _state = self.state.lock();
            self.all_tasks_done.notify_all();
        }
        Ok(())
    }

    pub(crate) fn join(&self, deadline: Deadline) -> bool {
        let mut state = self.state.lock();
        while self.unfinished.load(Acquire) > 0 {
            if !deadline.wait(&self.all_tasks_done, &mut state) {
                return false;
            }
        }
        true
    }

    pub(crate) fn shutdown(&self, immediate: Immediate) {
        let mut state = self.state.lock();
        state.shut_down = true;
        if immediate == Immediate::Yes {
            while state.items.pop().is_some() {
                self.len.store(state.items.len(), Relaxed);
                let _ = self
                    .unfinished
                    .fetch_update(AcqRel, Acquire, |n| Some(n.saturating_sub(1)));
            }
            if self.unfinished.load(Acquire) == 0 {
                self.all_tasks_done.notify_all();
            }
        }
        self.not_empty.notify_all();
        self.not_full.notify_all();
    }

    pub(crate) fn is_shutdown(&self) -> bool {
        self.state.lock().shut_down
    }

    /// `(qsize, unfinished, shut down)` for `Debug`.
    pub(crate) fn snapshot(&self) -> (usize, usize, bool) {
        let state = self.state.lock();
        (
            state.items.len(),
            self.unfinished.load(Acquire),
            state.shut_down,
        )
    }
}

impl<B: Order> fmt::Debug for BlockingQueue<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (qsize, unfinished, shut_down) = self.snapshot();
        f.debug_struct("Queue")
            .field("maxsize", &self.maxsize)
            .field("qsize", &qsize)
            .field("unfinished_tasks", &unfinished)
            .field("shut_down", &shut_down)
            .finish()
    }
}
