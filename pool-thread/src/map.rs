//! `Map`: the ordered, bounded, lazy result iterator of
//! [`ThreadPoolExecutor::map`](crate::ThreadPoolExecutor::map).

use std::fmt;
use std::iter::FusedIterator;
use std::sync::Arc;
use std::time::Duration;

use pool_core::{Error, Lookahead, Scheduler, SubmitItem, TaskFuture};

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
    lookahead: Lookahead<I, PoolSubmit<F>, TaskFuture<T>>,
}

/// How [`Map`] submits an item: `f(item)` as a task of the pool.
struct PoolSubmit<F> {
    scheduler: Scheduler<()>,
    f: Arc<F>,
}

impl<A, F, T> SubmitItem<A> for PoolSubmit<F>
where
    A: Send + 'static,
    F: Fn(A) -> T + Send + Sync + 'static,
    T: Send + 'static,
{
    type Handle = TaskFuture<T>;

    fn submit_item(&mut self, item: A) -> Result<TaskFuture<T>, Error> {
        let f = Arc::clone(&self.f);
        self.scheduler
            .submit(move || f(item))
            .map_err(|refused| refused.reason().clone())
    }
}

impl<I, F, T> Map<I, F, T>
where
    I: Iterator,
    I::Item: Send + 'static,
    F: Fn(I::Item) -> T + Send + Sync + 'static,
    T: Send + 'static,
{
    pub(crate) fn new(scheduler: Scheduler<()>, f: Arc<F>, items: I, buffersize: usize) -> Self {
        // Like Python, the first window is submitted at once.
        Map {
            lookahead: Lookahead::new(PoolSubmit { scheduler, f }, items, buffersize),
        }
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
        self.lookahead.set_timeout(timeout);
        self
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
        self.lookahead.next_result()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.lookahead.size_hint()
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
        self.lookahead.cancel_window::<T>();
    }
}

impl<I, F, T> fmt::Debug for Map<I, F, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Map")
            .field("in_flight", &self.lookahead.in_flight())
            .field("buffersize", &self.lookahead.buffersize())
            .field("exhausted", &self.lookahead.exhausted())
            .finish()
    }
}
