//! `ScopeMap`: [`Scope::map`], the executor's ordered, bounded, lazy map
//! for items and functions that borrow from outside the scope.

use std::collections::VecDeque;
use std::fmt;
use std::iter::FusedIterator;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::Scope;
use crate::error::Error;
use crate::handle::TaskFuture;

impl<'scope, 'env> Scope<'scope, 'env> {
    /// Applies `f` to every item on the pool and yields the results in
    /// input order, each as a `Result` (a panic in `f` is that item's
    /// [`Error`], as with the executor's `map`). Unlike the executor's
    /// `map`, `f` and the items may borrow from outside the scope: map
    /// over `&words` without `'static` copies.
    ///
    /// At most `2 × max_workers` items are in flight ahead of the consumer
    /// (one new task each time a result is taken), so a long or endless
    /// iterator works. **Lazy: only consumed results are computed**;
    /// dropping the iterator cancels the tasks not yet started. If the
    /// pool shuts down during the map, the items it could not submit end
    /// the iteration with one `Err` after the submitted ones.
    ///
    /// Each item's task handle is kept until the scope ends (its value is
    /// moved out when the result is taken): a few words per item.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::{Scheduler, SchedulerConfig};
    ///
    /// let scheduler = Scheduler::new(SchedulerConfig::new(2, |_| Ok(()))).unwrap();
    /// let words = vec!["alpha".to_owned(), "beta".to_owned(), "gamma".to_owned()];
    /// let suffix = String::from("!");
    /// let shouted: Vec<String> = scheduler.scope(|s| {
    ///     s.map(|w: &String| format!("{w}{suffix}"), &words)
    ///         .collect::<Result<_, _>>()
    ///         .unwrap()
    /// });
    /// assert_eq!(shouted, ["alpha!", "beta!", "gamma!"]);
    /// # scheduler.shutdown(poolrt::CancelFutures::No);
    /// ```
    pub fn map<F, I, T>(&'scope self, f: F, items: I) -> ScopeMap<'scope, 'env, I::IntoIter, F, T>
    where
        F: Fn(I::Item) -> T + Send + Sync + 'scope,
        I: IntoIterator,
        I::Item: Send + 'scope,
        T: Send + 'scope,
    {
        let buffersize = 2 * self.scheduler.max_workers().max(1);
        let mut map = ScopeMap {
            scope: self,
            f: Arc::new(f),
            items: Some(items.into_iter()),
            window: VecDeque::with_capacity(buffersize),
            buffersize,
            started: Instant::now(),
            deadline: None,
            refused: None,
            done: false,
        };
        // As the executor's map: the first window is submitted at once.
        map.refill();
        map
    }
}

/// Results of [`Scope::map`], in input order; see there.
///
/// # Examples
///
/// ```
/// use poolrt::{Scheduler, SchedulerConfig};
///
/// let scheduler = Scheduler::new(SchedulerConfig::new(2, |_| Ok(()))).unwrap();
/// let numbers = [1, 2, 3, 4];
/// let first_two: Vec<i32> = scheduler.scope(|s| {
///     let squares = s.map(|n: &i32| n * n, &numbers);
///     squares.take(2).map(Result::unwrap).collect()
/// });
/// assert_eq!(first_two, [1, 4]);
/// # scheduler.shutdown(poolrt::CancelFutures::No);
/// ```
#[must_use = "the calls run only as the results are consumed; dropping the iterator cancels the rest"]
pub struct ScopeMap<'scope, 'env, I, F, T> {
    scope: &'scope Scope<'scope, 'env>,
    f: Arc<F>,
    items: Option<I>,
    window: VecDeque<&'scope TaskFuture<T>>,
    buffersize: usize,
    started: Instant,
    deadline: Option<Instant>,
    /// A submit refused mid-way (shutdown): yielded after the window.
    refused: Option<Error>,
    done: bool,
}

impl<'scope, I, F, T> ScopeMap<'scope, '_, I, F, T>
where
    I: Iterator,
    I::Item: Send + 'scope,
    F: Fn(I::Item) -> T + Send + Sync + 'scope,
    T: Send + 'scope,
{
    /// Gives up waiting once `timeout` has passed since the call to `map`,
    /// as the executor's `map(..).timeout(d)` and Python's
    /// `map(timeout=…)`: the late item yields a timeout error, the
    /// iteration ends and the tasks not yet started are cancelled (the
    /// scope still waits, at its end, for those that run).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use poolrt::thread::ThreadPoolExecutor;
    ///
    /// let executor = ThreadPoolExecutor::new(1).unwrap();
    /// let (release, gate) = std::sync::mpsc::channel::<()>();
    /// let gate = std::sync::Mutex::new(gate);
    /// let items = [true, false];
    /// executor.scope(|s| {
    ///     let blocks = |b: &bool| if *b { gate.lock().unwrap().recv().ok(); };
    ///     let mut results = s.map(blocks, &items).timeout(Duration::ZERO);
    ///     assert!(results.next().unwrap().unwrap_err().is_timeout());
    ///     assert!(results.next().is_none());
    ///     release.send(()).unwrap(); // the scope waits for the blocked task
    /// });
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        // A timeout too large to represent (`Duration::MAX`) means none.
        self.deadline = self.started.checked_add(timeout);
        self
    }

    fn cancel_window(&mut self) {
        for future in self.window.drain(..) {
            future.cancel();
        }
        self.items = None;
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
            match self.scope.submit(move || f(item)) {
                Ok(future) => self.window.push_back(future),
                Err(refused) => {
                    self.items = None;
                    self.refused = Some(refused.reason().clone());
                }
            }
        }
    }
}

impl<'scope, I, F, T> Iterator for ScopeMap<'scope, '_, I, F, T>
where
    I: Iterator,
    I::Item: Send + 'scope,
    F: Fn(I::Item) -> T + Send + Sync + 'scope,
    T: Send + 'scope,
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
        }
        Some(result)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let (low, high) = self
            .items
            .as_ref()
            .map_or((0, Some(0)), Iterator::size_hint);
        let n = self.window.len() + usize::from(self.refused.is_some());
        (low.saturating_add(n), high.and_then(|h| h.checked_add(n)))
    }
}

impl<'scope, I, F, T> FusedIterator for ScopeMap<'scope, '_, I, F, T>
where
    I: Iterator,
    I::Item: Send + 'scope,
    F: Fn(I::Item) -> T + Send + Sync + 'scope,
    T: Send + 'scope,
{
}

impl<I, F, T> Drop for ScopeMap<'_, '_, I, F, T> {
    fn drop(&mut self) {
        for future in self.window.drain(..) {
            future.cancel();
        }
    }
}

impl<I, F, T> fmt::Debug for ScopeMap<'_, '_, I, F, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScopeMap")
            .field("in_flight", &self.window.len())
            .field("buffersize", &self.buffersize)
            .field("exhausted", &self.items.is_none())
            .finish()
    }
}
