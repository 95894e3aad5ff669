//! `OrderedQueue`: the one implementation of Python's bounded queues;
//! `Queue`, `LifoQueue` and `PriorityQueue` are it with an order each.

use std::fmt;
use std::time::Duration;

use super::engine::{BlockingQueue, Immediate};
use super::error::{GetError, PutError, TaskDoneError};
use super::order::{Fifo, Lifo, Order, Priority};
use crate::deadline::Deadline;
use pool_core::Error;

/// A queue for passing items between threads, with Python's `queue`
/// semantics, handing items out in the order `O` gives: use it as
/// [`Queue`] (first in, first out), [`LifoQueue`] (last in, first out) or
/// [`PriorityQueue`] (smallest first).
///
/// - `maxsize` bounds it; `0` means unbounded, as in Python.
/// - Each of `put` and `get` comes in three shapes: wait as long as it takes
///   (`put`, `get`), do not wait (`*_nowait`), wait at most a duration
///   (`*_timeout`). A put that fails hands the item back.
/// - Every `put` counts an unfinished task; consumers call
///   [`task_done`](OrderedQueue::task_done) per item, and
///   [`join`](OrderedQueue::join) waits until all are done.
/// - [`shutdown`](OrderedQueue::shutdown) is Python 3.13's: puts fail, gets
///   drain what is left (or fail at once with [`Immediate::Yes`]), and
///   blocked callers wake up.
///
/// # Examples
///
/// Code written once for every order, here a consumer that drains any of
/// the three kinds:
///
/// ```
/// use poolrt::thread::{LifoQueue, Order, OrderedQueue, PriorityQueue, Queue};
///
/// fn drain<O: Order>(q: &OrderedQueue<O>) -> Vec<O::Item> {
///     let mut items = Vec::new();
///     while let Ok(item) = q.get_nowait() {
///         items.push(item);
///         q.task_done().unwrap();
///     }
///     items
/// }
///
/// let fifo = Queue::new(0).unwrap();
/// let lifo = LifoQueue::new(0).unwrap();
/// let prio = PriorityQueue::new(0).unwrap();
/// for n in [2, 3, 1] {
///     fifo.put(n).unwrap();
///     lifo.put(n).unwrap();
///     prio.put(n).unwrap();
/// }
/// assert_eq!(drain(&fifo), [2, 3, 1]);
/// assert_eq!(drain(&lifo), [1, 3, 2]);
/// assert_eq!(drain(&prio), [1, 2, 3]);
/// fifo.join(); // every item was marked done
/// ```
pub struct OrderedQueue<O: Order> {
    engine: BlockingQueue<O>,
}

/// A first-in, first-out queue: Python's `queue.Queue`. Its methods are
/// [`OrderedQueue`]'s.
///
/// # Examples
///
/// The seed program (producer/consumer with `task_done` and `join`):
///
/// ```
/// use std::sync::Arc;
/// use poolrt::thread::Queue;
///
/// let q = Arc::new(Queue::new(10).unwrap());
/// let consumer = {
///     let q = q.clone();
///     std::thread::spawn(move || {
///         let mut total = 0;
///         while let Ok(item) = q.get() {
///             total += item;
///             q.task_done().unwrap();
///         }
///         total
///     })
/// };
/// for i in 1..=12 {
///     q.put(i).unwrap();
/// }
/// q.join(); // every item was processed
/// q.shutdown(poolrt::thread::Immediate::No);
/// assert_eq!(consumer.join().unwrap(), 78);
/// ```
#[doc(alias = "queue.Queue")]
pub type Queue<T> = OrderedQueue<Fifo<T>>;

/// A last-in, first-out queue (a stack) shared between threads: Python's
/// `queue.LifoQueue`. Its methods are [`OrderedQueue`]'s.
///
/// # Examples
///
/// ```
/// let q = poolrt::thread::LifoQueue::new(0).unwrap();
/// for item in [1, 2, 3] {
///     q.put(item).unwrap();
/// }
/// let out: Vec<_> = std::iter::from_fn(|| q.get_nowait().ok()).collect();
/// assert_eq!(out, [3, 2, 1]);
/// ```
#[doc(alias = "queue.LifoQueue")]
pub type LifoQueue<T> = OrderedQueue<Lifo<T>>;

/// A queue that hands out the smallest item first: Python's
/// `queue.PriorityQueue`. Its methods are [`OrderedQueue`]'s.
///
/// Items come out smallest first, as from Python's `heapq`; items that
/// compare equal come out in the order they were put. Put `(priority,
/// data)` tuples, or wrap items in [`std::cmp::Reverse`] for largest first.
///
/// # Examples
///
/// ```
/// let q = poolrt::thread::PriorityQueue::new(0).unwrap();
/// for item in [(3, "a"), (1, "b"), (2, "c")] {
///     q.put(item).unwrap();
/// }
/// let out: Vec<_> = std::iter::from_fn(|| q.get_nowait().ok()).collect();
/// assert_eq!(out, [(1, "b"), (2, "c"), (3, "a")]);
/// ```
#[doc(alias = "queue.PriorityQueue")]
pub type PriorityQueue<T> = OrderedQueue<Priority<T>>;

impl<O: Order> OrderedQueue<O> {
    /// A queue holding at most `maxsize` items; `0` means no limit.
    ///
    /// # Examples
    ///
    /// ```
    /// let q: poolrt::thread::Queue<&str> = poolrt::thread::Queue::new(4).unwrap();
    /// assert_eq!(q.maxsize(), 4);
    /// ```
    pub fn new(maxsize: usize) -> Result<OrderedQueue<O>, Error> {
        Ok(OrderedQueue::with_maxsize(maxsize))
    }

    fn with_maxsize(maxsize: usize) -> OrderedQueue<O> {
        OrderedQueue {
            engine: BlockingQueue::new(maxsize, O::default()),
        }
    }

    /// The bound given to [`new`](OrderedQueue::new); `0` for unbounded.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(poolrt::thread::Queue::<u8>::new(0).unwrap().maxsize(), 0);
    /// ```
    pub fn maxsize(&self) -> usize {
        self.engine.maxsize()
    }

    /// Adds `item`, waiting as long as the queue is full.
    ///
    /// # Errors
    ///
    /// [`PutError::ShutDown`] with the item when the queue is or gets shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = poolrt::thread::Queue::new(0).unwrap();
    /// q.put("jason").unwrap();
    /// assert_eq!(q.qsize(), 1);
    /// ```
    pub fn put(&self, item: O::Item) -> Result<(), PutError<O::Item>> {
        self.engine.put(item, Deadline::Never)
    }

    /// Adds `item` if there is room now: Python's `put_nowait` or
    /// `put(item, block=False)`.
    ///
    /// # Errors
    ///
    /// [`PutError::Full`] or [`PutError::ShutDown`], with the item.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = poolrt::thread::Queue::new(1).unwrap();
    /// q.put_nowait('a').unwrap();
    /// assert_eq!(q.put_nowait('b').unwrap_err().into_inner(), 'b');
    /// ```
    #[doc(alias = "put(block=False)")]
    pub fn put_nowait(&self, item: O::Item) -> Result<(), PutError<O::Item>> {
        self.engine.put(item, Deadline::Now)
    }

    /// Adds `item`, waiting at most `timeout` for room: Python's
    /// `put(item, timeout=t)`.
    ///
    /// # Errors
    ///
    /// [`PutError::Full`] after the timeout, or [`PutError::ShutDown`],
    /// with the item.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let q = poolrt::thread::Queue::new(1).unwrap();
    /// q.put(1).unwrap();
    /// assert!(q.put_timeout(2, Duration::from_millis(5)).unwrap_err().is_full());
    /// ```
    #[doc(alias = "put(timeout)")]
    pub fn put_timeout(&self, item: O::Item, timeout: Duration) -> Result<(), PutError<O::Item>> {
        self.engine.put(item, Deadline::after(timeout))
    }

    /// Removes and returns the next item (the oldest, the newest or the
    /// smallest, by the queue's order), waiting as long as the queue is
    /// empty.
    ///
    /// # Errors
    ///
    /// [`GetError::ShutDown`] when the queue is shut down and empty.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = poolrt::thread::Queue::new(0).unwrap();
    /// q.put("jason").unwrap();
    /// q.put("abd").unwrap();
    /// assert_eq!(q.get().unwrap(), "jason");
    /// ```
    pub fn get(&self) -> Result<O::Item, GetError> {
        self.engine.get(Deadline::Never)
    }

    /// Removes and returns the next item if there is one now: Python's
    /// `get_nowait` or `get(block=False)`.
    ///
    /// # Errors
    ///
    /// [`GetError::Empty`], or [`GetError::ShutDown`] when shut down and
    /// empty.
    ///
    /// # Examples
    ///
    /// ```
    /// let q: poolrt::thread::Queue<u8> = poolrt::thread::Queue::new(0).unwrap();
    /// assert!(q.get_nowait().unwrap_err().is_empty());
    /// ```
    #[doc(alias = "get(block=False)")]
    pub fn get_nowait(&self) -> Result<O::Item, GetError> {
        self.engine.get(Deadline::Now)
    }

    /// Removes and returns the next item, waiting at most `timeout`:
    /// Python's `get(timeout=t)`.
    ///
    /// # Errors
    ///
    /// [`GetError::Empty`] after the timeout, or [`GetError::ShutDown`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let q: poolrt::thread::Queue<u8> = poolrt::thread::Queue::new(0).unwrap();
    /// assert!(q.get_timeout(Duration::from_millis(5)).unwrap_err().is_empty());
    /// ```
    #[doc(alias = "get(timeout)")]
    pub fn get_timeout(&self, timeout: Duration) -> Result<O::Item, GetError> {
        self.engine.get(Deadline::after(timeout))
    }

    /// The number of items queued now (a snapshot, as in Python).
    ///
    /// # Examples
    ///
    /// ```
    /// let q = poolrt::thread::Queue::new(0).unwrap();
    /// q.put(()).unwrap();
    /// assert_eq!(q.qsize(), 1);
    /// ```
    pub fn qsize(&self) -> usize {
        self.engine.qsize()
    }

    /// True when no item is queued now.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(poolrt::thread::Queue::<u8>::new(0).unwrap().empty());
    /// ```
    pub fn empty(&self) -> bool {
        self.qsize() == 0
    }

    /// True when a bounded queue holds `maxsize` items now.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = poolrt::thread::Queue::new(1).unwrap();
    /// q.put(()).unwrap();
    /// assert!(q.full());
    /// ```
    pub fn full(&self) -> bool {
        self.engine.full()
    }

    /// The number of items queued now: Python's [`qsize`](Self::qsize), under the name a Rust
    /// programmer looks for first.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = poolrt::thread::PriorityQueue::new(0).unwrap();
    /// q.put(2).unwrap();
    /// q.put(1).unwrap();
    /// assert_eq!(q.len(), 2);
    /// ```
    #[doc(alias = "qsize")]
    pub fn len(&self) -> usize {
        self.qsize()
    }

    /// True when no item is queued now: Python's [`empty`](Self::empty), under the name a Rust
    /// programmer looks for first.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = poolrt::thread::LifoQueue::new(0).unwrap();
    /// assert!(q.is_empty());
    /// q.put(1).unwrap();
    /// assert!(!q.is_empty());
    /// ```
    #[doc(alias = "empty")]
    pub fn is_empty(&self) -> bool {
        self.empty()
    }

    /// True when a bounded queue holds `maxsize` items now: Python's [`full`](Self::full), under the name a Rust
    /// programmer looks for first.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = poolrt::thread::Queue::new(1).unwrap();
    /// assert!(!q.is_full());
    /// q.put(()).unwrap();
    /// assert!(q.is_full());
    /// ```
    #[doc(alias = "full")]
    pub fn is_full(&self) -> bool {
        self.full()
    }

    /// Marks one item taken with `get` as processed.
    ///
    /// # Errors
    ///
    /// [`TaskDoneError`] when called more times than items were put.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = poolrt::thread::Queue::new(0).unwrap();
    /// q.put(1).unwrap();
    /// q.get().unwrap();
    /// assert!(q.task_done().is_ok());
    /// assert!(q.task_done().is_err());
    /// ```
    pub fn task_done(&self) -> Result<(), TaskDoneError> {
        self.engine.task_done()
    }

    /// Waits until every item put has been marked done with
    /// [`task_done`](OrderedQueue::task_done).
    ///
    /// # Examples
    ///
    /// ```
    /// let q = poolrt::thread::Queue::new(0).unwrap();
    /// q.put(1).unwrap();
    /// q.get().unwrap();
    /// q.task_done().unwrap();
    /// q.join(); // returns at once: nothing unfinished
    /// ```
    pub fn join(&self) {
        self.engine.join(Deadline::Never);
    }

    /// Like [`join`](OrderedQueue::join), for at most `timeout`; returns whether
    /// every task was done.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let q = poolrt::thread::Queue::new(0).unwrap();
    /// q.put(1).unwrap();
    /// assert!(!q.join_timeout(Duration::from_millis(5)));
    /// ```
    pub fn join_timeout(&self, timeout: Duration) -> bool {
        self.engine.join(Deadline::after(timeout))
    }

    /// Shuts the queue down (Python 3.13): every later put fails, gets fail
    /// once the queue is empty, and blocked callers wake up. With
    /// [`Immediate::Yes`] the queued items are discarded, each counted as
    /// done, which may release [`join`](OrderedQueue::join).
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::thread::{Immediate, Queue};
    ///
    /// let q = Queue::new(0).unwrap();
    /// q.put("left").unwrap();
    /// q.shutdown(Immediate::No);
    /// assert!(q.put("late").is_err());
    /// assert_eq!(q.get().unwrap(), "left");
    /// assert!(q.get().is_err());
    /// ```
    pub fn shutdown(&self, immediate: Immediate) {
        self.engine.shutdown(immediate);
    }

    /// True once [`shutdown`](OrderedQueue::shutdown) was called.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = poolrt::thread::Queue::<u8>::new(0).unwrap();
    /// q.shutdown(poolrt::thread::Immediate::Yes);
    /// assert!(q.is_shutdown());
    /// ```
    pub fn is_shutdown(&self) -> bool {
        self.engine.is_shutdown()
    }
}

impl<O: Order> Default for OrderedQueue<O> {
    fn default() -> OrderedQueue<O> {
        OrderedQueue::with_maxsize(0)
    }
}

impl<O: Order> fmt::Debug for OrderedQueue<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.engine.fmt(f)
    }
}
