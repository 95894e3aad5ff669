//! `Map`: the ordered, bounded, lazy result iterator of
//! [`ThreadPoolExecutor::map`](crate::ThreadPoolExecutor::map).

use std::collections::VecDeque;
use std::fmt;
use std::iter::FusedIterator;
use std::sync::Arc;
use std::time::{Duration, Instant};

use pool_core::{Error, Scheduler, TaskFuture};

/// Results of [`ThreadPoolExecutor::map`](crate::ThreadPoolExecutor::map),
/// in input order.
///
/// Keeps a window of `buffersize` submitted tasks: each `next` takes the
/// oldest, submits one more item, then waits for the oldest.
///
/// **Lazy: only consumed results are computed.** Dropping the iterator
/// cancels the tasks that have not started, so `let _ = ex.map(f, xs);`
/// runs at most the first window, where Python's `map` (without
/// `buffersize`) submits every call at once. To run every call, consume
/// it: `ex.map(f, xs).for_each(drop)`, or submit each item.
///
/// # Examples
///
/// ```
/// use std::sync::{Arc, Mutex, mpsc};
/// use std::time::Duration;
/// use poolrt::thread::ThreadPoolExecutor;
///
/// let executor = ThreadPoolExecutor::new(2).unwrap();
/// let (release, gate) = mpsc::channel::<()>();
/// let gate = Arc::new(Mutex::new(gate));
/// let mut results = executor
///     .map(move |blocks: bool| if blocks { gate.lock().unwrap().recv().ok(); }, [false, true])
///     .timeout(Duration::from_millis(50));
/// assert!(results.next().unwrap().is_ok());
/// assert!(results.next().unwrap().unwrap_err().is_timeout());
/// assert!(results.next().is_none());
/// release.send(()).unwrap();
/// ```
#[must_use = "the calls run only as the results are consumed; dropping the iterator cancels the rest"]
pub struct Map<I, F, T> {
    scheduler: Scheduler<()>,
    f: Arc<F>,
    items: Option<I>,
    window: VecDeque<TaskFuture<T>>,
    buffersize: usize,
    started: Instant,
    deadline: Option<Instant>,
    /// A submit refused mid-way (shutdown): yielded after the window.
    refused: Option<Error>,
    done: bool,
}

impl<I, F, T> Map<I, F, T>
where
    I: Iterator,
    I::Item: Send + 'static,
    F: Fn(I::Item) -> T + Send + Sync + 'static,
    T: Send + 'static,
{
    pub(crate) fn new(scheduler: Scheduler<()>, f: Arc<F>, items: I, buffersize: usize) -> Self {
        let mut map = Map {
            scheduler,
            f,
            items: Some(items),
            window: VecDeque::with_capacity(buffersize),
            buffersize,
            started: Instant::now(),
            deadline: None,
            refused: None,
            done: false,
        };
        // Like Python, the first window is submitted at once.
        map.refill();
        map
    }

    /// Gives up waiting once `timeout` has passed since the call to `map`,
    /// as Python's `map(timeout=…)`: the late item yields a timeout error,
    /// the iterator ends and the remaining tasks are cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::{Mutex, mpsc};
    /// use std::time::Duration;
    /// use poolrt::thread::ThreadPoolExecutor;
    ///
    /// let executor = ThreadPoolExecutor::new(1).unwrap();
    /// let doubled: Result<Vec<i32>, _> = executor.map(|x| x * 2, [1, 2, 3]).timeout(Duration::from_secs(60)).collect();
    /// assert_eq!(doubled.unwrap(), [2, 4, 6]);
    ///
    /// // A task still blocked at the deadline ends the iteration with a timeout.
    /// let (release, gate) = mpsc::channel::<()>();
    /// let gate = Mutex::new(gate);
    /// let mut results = executor.map(move |_: u8| gate.lock().unwrap().recv().ok(), [0]).timeout(Duration::ZERO);
    /// assert!(results.next().unwrap().unwrap_err().is_timeout());
    /// assert!(results.next().is_none());
    /// drop(release); // lets the blocked task finish
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        // A timeout too large to represent (`Duration::MAX`) means none.
        self.deadline = self.started.checked_add(timeout);
        self
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
            let f = Arc::clone(&self.f);
            match self.scheduler.submit(move || f(item)) {
                Ok(future) => self.window.push_back(future),
                Err(refused) => {
                    self.items = None;
                    self.refused = Some(refused.reason().clone());
                }
            }
        }
    }

    fn cancel_window(&mut self) {
        for future in self.window.drain(..) {
            future.cancel();
        }
        self.items = None;
    }
}

impl<I, F, T> Iterator for Map<I, F, T>
where
    I: Iterator,
    I::Item: Send + 'static,
    F: Fn(I::Item) -> T + Send + Sync + 'static,
    T: Send + 'static,
{
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let Some(future) = self.window.pop_front() else {
            self.done = true;
            return self.refused.take().map(Err);
        };
        // Top the window up before waiting, so `buffersize` tasks stay in
        // flight while the consumer waits for the oldest.
        self.refill();
        let result = match self.deadline {
            None => future.result(),
            Some(deadline) => {
                future.result_timeout(deadline.saturating_duration_since(Instant::now()))
            }
        };
        if result.as_ref().is_err_and(Error::is_timeout) && !future.done() {
            future.cancel();
            self.cancel_window();
            self.done = true;
            return Some(result);
        }
        Some(result)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let (low, high) = self
            .items
            .as_ref()
            .map_or((0, Some(0)), Iterator::size_hint);
        let n = self.window.len();
        (low.saturating_add(n), high.and_then(|h| h.checked_add(n)))
    }
}

impl<I, F, T> FusedIterator for Map<I, F, T>
where
    I: Iterator,
    I::Item: Send + 'static,
    F: Fn(I::Item) -> T + Send + Sync + 'static,
    T: Send + 'static,
{
}

impl<I, F, T> Drop for Map<I, F, T> {
    fn drop(&mut self) {
        for future in self.window.drain(..) {
            future.cancel();
        }
    }
}

impl<I, F, T> fmt::Debug for Map<I, F, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Map")
            .field("in_flight", &self.window.len())
            .field("buffersize", &self.buffersize)
            .field("exhausted", &self.items.is_none())
            .finish()
    }
}
