//! `ScopeMap`: [`Scope::map`], the executor's ordered, bounded, lazy map
//! for items and functions that borrow from outside the scope.

use std::fmt;
use std::iter::FusedIterator;
use std::sync::Arc;
use std::time::Duration;

use super::Scope;
use crate::error::Error;
use crate::handle::TaskFuture;
use crate::lookahead::{Lookahead, SubmitItem};

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
        let submit = ScopeSubmit {
            scope: self,
            f: Arc::new(f),
        };
        // As the executor's map: the first window is submitted at once.
        ScopeMap {
            lookahead: Lookahead::new(submit, items.into_iter(), buffersize),
        }
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
    lookahead: Lookahead<I, ScopeSubmit<'scope, 'env, F>, &'scope TaskFuture<T>>,
}

/// How [`ScopeMap`] submits an item: `f(item)` as a task of the scope.
struct ScopeSubmit<'scope, 'env, F> {
    scope: &'scope Scope<'scope, 'env>,
    f: Arc<F>,
}

impl<'scope, A, F, T> SubmitItem<A> for ScopeSubmit<'scope, '_, F>
where
    A: Send + 'scope,
    F: Fn(A) -> T + Send + Sync + 'scope,
    T: Send + 'scope,
{
    type Handle = &'scope TaskFuture<T>;

    fn submit_item(&mut self, item: A) -> Result<&'scope TaskFuture<T>, Error> {
        let f = Arc::clone(&self.f);
        self.scope
            .submit(move || f(item))
            .map_err(|refused| refused.reason().clone())
    }
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
        self.lookahead.set_timeout(timeout);
        self
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
        self.lookahead.next_result()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.lookahead.size_hint()
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
        self.lookahead.cancel_window::<T>();
    }
}

impl<I, F, T> fmt::Debug for ScopeMap<'_, '_, I, F, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScopeMap")
            .field("in_flight", &self.lookahead.in_flight())
            .field("buffersize", &self.lookahead.buffersize())
            .field("exhausted", &self.lookahead.exhausted())
            .finish()
    }
}
