//! `imap` and `imap_unordered`: lazy result iterators over chunks.

use std::any::Any;
use std::collections::VecDeque;
use std::fmt;
use std::iter::FusedIterator;
use std::panic;
use std::time::{Duration, Instant};

use pool_core::{Error, ErrorKind, ReturnWhen};

use super::chunks::{ChunkFuture, Feed, Pulled};
use super::links::LinkPool;
use crate::task::{Outcomes, Wire};

/// How long `imap_unordered` yields for a chunk to end before it sleeps.
const SPIN: Duration = Duration::from_micros(50);

/// Yields the processor for up to [`SPIN`] (and not past `deadline`)
/// until `done`: true if it came. A chunk of small tasks ends within
/// microseconds of the last; yielding catches it without a sleep and a
/// wake-up on both sides.
fn spin_until(deadline: Option<Instant>, done: impl Fn() -> bool) -> bool {
    let start = Instant::now();
    let until = deadline.map_or(start + SPIN, |d| d.min(start + SPIN));
    loop {
        std::thread::yield_now();
        if done() {
            return true;
        }
        if Instant::now() >= until {
            return false;
        }
    }
}

/// Which order results come in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Order {
    /// Input order (`imap`).
    Input,
    /// Completion order (`imap_unordered`).
    Completion,
}

/// Chunks in flight per worker process for a lazy map without a
/// `buffersize`, when its chunks keep one size. Python's `imap` queues
/// its whole input at once; a bound keeps an endless input working, but a
/// small one starves the links: at two per worker, `imap_unordered` of
/// 1,000-item chunks on 2 workers spent its time switching between link
/// threads, workers and the consumer (3.6 ms per million items), at eight
/// 2.5 ms.
const IN_FLIGHT_PER_WORKER: usize = 8;

/// The same for an input of unknown length with default chunks: those
/// grow from 1 to 1,024 items, so few are enough, and an endless input is
/// read only a little ahead of its results.
const IN_FLIGHT_PER_WORKER_GROWING: usize = 2;

/// The iterator of `imap`, `imap_unordered` and the executor's `map`.
///
/// It pulls items from the input only as results are consumed: at most
/// `8 × processes` chunks are in flight (`2 × processes` of the growing
/// chunks of an input of unknown length), so an endless input works.
/// Dropping it cancels the chunks not yet started.
///
/// If the input iterator panics, the results of the items it gave before
/// come out first, then the panic resumes in the caller's `next` (as
/// Python's `imap` yields them and then raises the iterator's exception).
///
/// # Examples
///
/// ```
/// use poolrt::process::Pool;
///
/// fn square(x: u64) -> u64 { x * x }
///
/// let pool = Pool::new(2).unwrap();
/// let first: Vec<u64> = pool.imap(square, 1..).take(4).map(Result::unwrap).collect();
/// assert_eq!(first, [1, 4, 9, 16]);
/// ```
#[must_use = "the calls run only as the results are consumed; dropping the iterator cancels the rest"]
pub struct IMap<'p, I: Iterator, R> {
    links: &'p LinkPool,
    /// Submits the input's chunks; `None` once submitting has stopped
    /// (the input ended, a submit was refused, or the pool was closing).
    feed: Option<Feed<'p, Pulled<I>>>,
    order: Order,
    max_in_flight: usize,
    /// Submitted chunks with their lengths, oldest first.
    window: VecDeque<(ChunkFuture<R>, usize)>,
    /// The values of the chunk being handed out, when every item of it
    /// succeeded (the common case: each is handed out as it lies, with no
    /// copy into `ready`).
    values: std::vec::IntoIter<R>,
    /// The outcomes still to hand out of a chunk that failed in part or
    /// whole.
    ready: VecDeque<Result<R, Error>>,
    /// A refused submit (pool closed), reported after the window drains.
    refused: Option<Error>,
    /// The input iterator's panic, resumed after the window drains.
    input_panic: Option<Box<dyn Any + Send>>,
    /// When the map was called, and the deadline `timeout` set from it.
    started: Instant,
    deadline: Option<Instant>,
    /// Registered with the links as still submitting (`lazy_enter`).
    submitting: bool,
}

impl<'p, I, R> IMap<'p, I, R>
where
    I: Iterator,
    I::Item: Wire,
    R: Wire,
{
    /// Starts submitting `feed`'s chunks, at most `buffersize` (default:
    /// [`IN_FLIGHT_PER_WORKER`] per worker, or
    /// [`IN_FLIGHT_PER_WORKER_GROWING`]) ahead, unless the pool is closing
    /// or the map was refused (then its one item is that error).
    pub(crate) fn new(
        links: &'p LinkPool,
        feed: Result<Feed<'p, Pulled<I>>, Error>,
        order: Order,
        buffersize: Option<usize>,
    ) -> Self {
        let per_worker = match &feed {
            Ok(feed) if !feed.fixed_chunks() => IN_FLIGHT_PER_WORKER_GROWING,
            _ => IN_FLIGHT_PER_WORKER,
        };
        let (feed, refused) = match feed {
            Ok(feed) => (Some(feed), None),
            Err(error) => (None, Some(error)),
        };
        let mut imap = IMap {
            links,
            feed,
            order,
            max_in_flight: buffersize.unwrap_or(per_worker * links.processes),
            window: VecDeque::new(),
            values: Vec::new().into_iter(),
            ready: VecDeque::new(),
            refused,
            input_panic: None,
            started: Instant::now(),
            deadline: None,
            submitting: false,
        };
        if imap.feed.is_some() {
            if links.lazy_enter() {
                imap.submitting = true;
            } else {
                imap.feed = None;
                imap.refused = Some(
                    Error::from_kind(ErrorKind::Shutdown).with_detail("the pool is not running"),
                );
            }
        }
        imap.refill();
        imap
    }

    /// The input is done with (ended, refused, or the iterator dropped):
    /// a close waiting for this iterator may go ahead.
    fn stop_submitting(&mut self) {
        if let Some(mut feed) = self.feed.take() {
            self.input_panic = feed.input_panic();
        }
        if std::mem::take(&mut self.submitting) {
            self.links.lazy_exit();
        }
    }

    /// Submits chunks until the window is full or the input ends.
    fn refill(&mut self) {
        while self.window.len() < self.max_in_flight {
            let Some(feed) = self.feed.as_mut() else {
                return;
            };
            match feed.submit_next() {
                Some(Ok(submitted)) => self.window.push_back(submitted),
                Some(Err(error)) => {
                    self.refused = Some(error);
                    self.stop_submitting();
                    return;
                }
                None => {}
            }
            if self.feed.as_ref().is_none_or(Feed::ended) {
                self.stop_submitting();
                return;
            }
        }
    }

    /// Takes the next chunk in the iterator's order once it is done, or
    /// `Err(())` when `deadline` passes first (the chunk stays in the
    /// window); `Ok(None)` once there are no more chunks.
    fn next_chunk(
        &mut self,
        deadline: Option<Instant>,
    ) -> Result<Option<(ChunkFuture<R>, usize)>, ()> {
        let left = || deadline.map(|d| d.saturating_duration_since(Instant::now()));
        match self.order {
            Order::Input => {
                let front_done = |window: &VecDeque<(ChunkFuture<R>, usize)>| {
                    window.front().is_none_or(|(f, _)| f.done())
                };
                if !front_done(&self.window)
                    && !spin_until(deadline, || front_done(&self.window))
                    && let (Some(left), Some((future, _))) = (left(), self.window.front())
                    && !future.wait_timeout(left)
                {
                    return Err(());
                }
                Ok(self.window.pop_front())
            }
            Order::Completion => {
                if self.window.is_empty() {
                    return Ok(None);
                }
                let any_done = |window: &VecDeque<(ChunkFuture<R>, usize)>| {
                    window.iter().any(|(f, _)| f.done())
                };
                if !any_done(&self.window) && !spin_until(deadline, || any_done(&self.window)) {
                    let futures: Vec<_> = self.window.iter().map(|(f, _)| f).collect();
                    pool_core::wait(futures, left(), ReturnWhen::FirstCompleted);
                }
                match self.window.iter().position(|(f, _)| f.done()) {
                    Some(position) => Ok(self.window.remove(position)),
                    None => Err(()),
                }
            }
        }
    }

    /// The next result, waiting until `deadline` at most.
    fn next_until(&mut self, deadline: Option<Instant>) -> Option<Result<R, Error>> {
        loop {
            if let Some(value) = self.values.next() {
                return Some(Ok(value));
            }
            if let Some(result) = self.ready.pop_front() {
                return Some(result);
            }
            self.refill();
            let Ok(next) = self.next_chunk(deadline) else {
                return Some(Err(Error::from_kind(ErrorKind::Timeout)
                    .with_detail("no result within the timeout; the iterator goes on")));
            };
            let Some((future, len)) = next else {
                if let Some(payload) = self.input_panic.take() {
                    // Every result before the panic was handed out.
                    panic::resume_unwind(payload);
                }
                return self.refused.take().map(Err);
            };
            // Keep the window full while we wait.
            self.refill();
            match future.result() {
                Ok(Outcomes::Values(values)) => self.values = values.into_iter(),
                Ok(outcomes) => self.ready.extend(outcomes.into_results()),
                // The whole chunk failed (its worker died): every item of
                // it reports the error.
                Err(error) => self.ready.extend((0..len).map(|_| Err(error.clone()))),
            }
        }
    }

    /// Gives up once `timeout` has passed since the map was called, as
    /// Python's `Executor.map(timeout=…)`: the late result is an
    /// [`ErrorKind::Timeout`] item, then the iterator ends and the chunks
    /// not yet started are cancelled (like `thread::Map::timeout`).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use poolrt::process::ProcessPoolExecutor;
    ///
    /// fn nap(ms: u64) -> u64 { std::thread::sleep(Duration::from_millis(ms)); ms }
    ///
    /// let executor = ProcessPoolExecutor::new(1).unwrap();
    /// let quick: Vec<u64> = executor.map(nap, [1, 2]).timeout(Duration::from_secs(60)).map(Result::unwrap).collect();
    /// assert_eq!(quick, [1, 2]);
    /// let mut late = executor.map(nap, [10_000, 1]).timeout(Duration::from_millis(50));
    /// assert!(late.next().unwrap().unwrap_err().is_timeout());
    /// assert!(late.next().is_none(), "the iterator ends");
    /// executor.kill_workers();
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        // A timeout too large for a deadline (`Duration::MAX`) means none.
        self.deadline = self.started.checked_add(timeout);
        self
    }

    /// The next result, waiting at most `timeout` for it (Python's
    /// `IMapIterator.next(timeout)`). A timeout is an
    /// [`ErrorKind::Timeout`] item that loses nothing: the iterator goes
    /// on, and the next call waits for the same result again.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use poolrt::process::Pool;
    ///
    /// fn nap(ms: u64) -> u64 { std::thread::sleep(Duration::from_millis(ms)); ms }
    ///
    /// let pool = Pool::new(1).unwrap();
    /// let mut results = pool.imap(nap, [300, 1]);
    /// assert!(results.next_timeout(Duration::from_millis(1)).unwrap().unwrap_err().is_timeout());
    /// assert_eq!(results.next_timeout(Duration::from_secs(30)).unwrap().unwrap(), 300);
    /// assert_eq!(results.next_timeout(Duration::from_secs(30)).unwrap().unwrap(), 1);
    /// assert!(results.next_timeout(Duration::from_secs(30)).is_none());
    /// ```
    #[doc(alias = "next")]
    pub fn next_timeout(&mut self, timeout: Duration) -> Option<Result<R, Error>> {
        // A timeout too large for a deadline (`Duration::MAX`) waits forever.
        self.next_until(Instant::now().checked_add(timeout))
    }
}

impl<I, R> Iterator for IMap<'_, I, R>
where
    I: Iterator,
    I::Item: Wire,
    R: Wire,
{
    type Item = Result<R, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(value) = self.values.next() {
            // A value at hand: no deadline to check, none to wait for.
            return Some(Ok(value));
        }
        let Some(deadline) = self.deadline else {
            return self.next_until(None);
        };
        let next = self.next_until(Some(deadline));
        if let Some(Err(error)) = &next
            && error.is_timeout()
            && Instant::now() >= deadline
        {
            // The map's deadline passed: this timeout ends the iteration.
            self.stop_submitting();
            for (future, _) in self.window.drain(..) {
                future.cancel();
            }
            self.values = Vec::new().into_iter();
            self.ready.clear();
            self.refused = None;
            return Some(Err(Error::from_kind(ErrorKind::Timeout).with_detail(
                format!(
                    "the map's results did not all come within {:?} of the call",
                    deadline.saturating_duration_since(self.started)
                ),
            )));
        }
        next
    }

    /// The results still to come: those ready, those in flight, and the
    /// input's items not yet submitted (as the input's `size_hint` says).
    /// A map over a `Vec` or a range knows its length exactly, so a
    /// progress bar can show the time left.
    /// A map with a [`timeout`](IMap::timeout) may end early: its lower
    /// bound is 0.
    fn size_hint(&self) -> (usize, Option<usize>) {
        let known = self.values.len()
            + self.ready.len()
            + self.window.iter().map(|(_, n)| n).sum::<usize>()
            + usize::from(self.refused.is_some());
        let (low, high) = self.feed.as_ref().map_or((0, Some(0)), |feed| feed.left());
        let low = if self.deadline.is_some() {
            0
        } else {
            known.saturating_add(low)
        };
        (low, high.and_then(|h| h.checked_add(known)))
    }
}

impl<I, R> FusedIterator for IMap<'_, I, R>
where
    I: Iterator,
    I::Item: Wire,
    R: Wire,
{
}

impl<I: Iterator, R> Drop for IMap<'_, I, R> {
    fn drop(&mut self) {
        for (future, _) in self.window.drain(..) {
            future.cancel();
        }
        if self.submitting {
            self.links.lazy_exit();
        }
    }
}

impl<I: Iterator, R> fmt::Debug for IMap<'_, I, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IMap")
            .field("order", &self.order)
            .field("chunks_in_flight", &self.window.len())
            .field("buffered", &(self.values.len() + self.ready.len()))
            .finish()
    }
}
