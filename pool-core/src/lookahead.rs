//! [`Lookahead`]: the window behind the ordered, bounded, lazy maps
//! (`ThreadPoolExecutor::map` in pool-thread, [`Scope::map`](crate::Scope::map)
//! here), which differ only in how they submit an item.

use std::borrow::Borrow;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::handle::TaskFuture;

/// How a lazy map submits one item: the handle of its task
/// (`TaskFuture<T>`, or `&TaskFuture<T>` in a scope), or the reason the
/// pool refused it.
#[doc(hidden)]
pub trait SubmitItem<A> {
    /// What a submit returns: a task's future, owned or borrowed.
    type Handle;

    /// Submits `item`'s task.
    ///
    /// # Errors
    ///
    /// The pool refused the task (it shut down).
    fn submit_item(&mut self, item: A) -> Result<Self::Handle, Error>;
}

/// A window of up to `buffersize` submitted tasks over an input: each
/// [`next_result`](Lookahead::next_result) takes the oldest, submits one
/// more item, then waits for the oldest. The maps wrap it, and cancel the
/// window when dropped ([`cancel_window`](Lookahead::cancel_window)).
#[doc(hidden)]
pub struct Lookahead<I, S, H> {
    submit: S,
    items: Option<I>,
    window: VecDeque<H>,
    buffersize: usize,
    started: Instant,
    deadline: Option<Instant>,
    /// A submit refused mid-way (shutdown): yielded after the window.
    refused: Option<Error>,
    done: bool,
}

impl<I, S, H> Lookahead<I, S, H>
where
    I: Iterator,
    S: SubmitItem<I::Item, Handle = H>,
{
    /// Starts the map: the first window is submitted at once, as Python's
    /// `map` does.
    pub fn new(submit: S, items: I, buffersize: usize) -> Self {
        let mut lookahead = Lookahead {
            submit,
            items: Some(items),
            window: VecDeque::with_capacity(buffersize),
            buffersize,
            started: Instant::now(),
            deadline: None,
            refused: None,
            done: false,
        };
        lookahead.refill();
        lookahead
    }

    /// The next result in input order; after a timeout (the late item's
    /// error) or a refused submit (its error, after the window), `None`.
    pub fn next_result<T>(&mut self) -> Option<Result<T, Error>>
    where
        H: Borrow<TaskFuture<T>>,
    {
        if self.done {
            return None;
        }
        let Some(handle) = self.window.pop_front() else {
            self.done = true;
            return self.refused.take().map(Err);
        };
        // Top the window up before waiting, so `buffersize` tasks stay in
        // flight while the consumer waits for the oldest.
        self.refill();
        let future = handle.borrow();
        let result = match self.deadline {
            None => future.result(),
            Some(deadline) => {
                future.result_timeout(deadline.saturating_duration_since(Instant::now()))
            }
        };
        if result.as_ref().is_err_and(Error::is_timeout) && !future.done() {
            future.cancel();
            self.cancel_window::<T>();
            self.done = true;
        }
        Some(result)
    }

    /// Submits items until the window is full or the input ends.
    fn refill(&mut self) {
        while self.window.len() < self.buffersize {
            let Some(items) = self.items.as_mut() else {
                return;
            };
            let Some(item) = items.next() else {
                self.items = None;
                return;
            };
            match self.submit.submit_item(item) {
                Ok(handle) => self.window.push_back(handle),
                Err(refused) => {
                    self.items = None;
                    self.refused = Some(refused);
                }
            }
        }
    }

    /// The iterator's size hint: the window, a refusal to yield, and what
    /// the input has left.
    pub fn size_hint(&self) -> (usize, Option<usize>) {
        let (low, high) = self
            .items
            .as_ref()
            .map_or((0, Some(0)), Iterator::size_hint);
        let n = self.window.len() + usize::from(self.refused.is_some());
        (low.saturating_add(n), high.and_then(|h| h.checked_add(n)))
    }
}

impl<I, S, H> Lookahead<I, S, H> {
    /// Gives up waiting once `timeout` has passed since [`new`](Lookahead::new);
    /// a timeout too large to represent (`Duration::MAX`) means none.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.deadline = self.started.checked_add(timeout);
    }

    /// Cancels the tasks of the window that have not started, and stops
    /// submitting.
    pub fn cancel_window<T>(&mut self)
    where
        H: Borrow<TaskFuture<T>>,
    {
        for handle in self.window.drain(..) {
            handle.borrow().cancel();
        }
        self.items = None;
    }

    /// Tasks submitted and not yet taken.
    pub fn in_flight(&self) -> usize {
        self.window.len()
    }

    /// The window's size.
    pub fn buffersize(&self) -> usize {
        self.buffersize
    }

    /// Whether every item has been submitted (or submitting stopped).
    pub fn exhausted(&self) -> bool {
        self.items.is_none()
    }
}
