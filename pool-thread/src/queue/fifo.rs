//! `Queue`: Python's `queue.Queue`, first in, first out.

use std::collections::VecDeque;
use std::fmt;
use std::time::Duration;

use super::engine::{Engine, Immediate, get_forever_error, put_forever_error};
use super::error::{GetError, PutError, ShutDown, TaskDoneError};
use crate::deadline::Deadline;

/// A first-in, first-out queue for passing items between threads, with
/// Python's `queue.Queue` semantics.
///
/// - `maxsize` bounds it; `0` means unbounded, as in Python.
/// - Each of `put` and `get` comes in three shapes: wait as long as it takes
///   (`put`, `get`), do not wait (`*_nowait`), wait at most a duration
///   (`*_timeout`). A put that fails hands the item back.
/// - Every `put` counts an unfinished task; consumers call
///   [`task_done`](Queue::task_done) per item, and [`join`](Queue::join)
///   waits until all are done.
/// - [`shutdown`](Queue::shutdown) is Python 3.13's: puts fail, gets drain
///   what is left (or fail at once with [`Immediate::Yes`]), and blocked
///   callers wake up.
///
/// [`LifoQueue`](crate::LifoQueue) and [`PriorityQueue`](crate::PriorityQueue)
/// have the same methods with another order.
///
/// # Examples
///
/// The seed program (producer/consumer with `task_done` and `join`):
///
/// ```
/// use std::sync::Arc;
/// use pool_thread::Queue;
///
/// let q = Arc::new(Queue::new(10));
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
/// q.shutdown(pool_thread::Immediate::No);
/// assert_eq!(consumer.join().unwrap(), 78);
/// ```
#[doc(alias = "queue.Queue")]
pub struct Queue<T> {
    engine: Engine<VecDeque<T>>,
}

impl<T> Queue<T> {
    /// A queue holding at most `maxsize` items; `0` means no limit.
    ///
    /// # Examples
    ///
    /// ```
    /// let q: pool_thread::Queue<&str> = pool_thread::Queue::new(4);
    /// assert_eq!(q.maxsize(), 4);
    /// ```
    pub fn new(maxsize: usize) -> Queue<T> {
        Queue {
            engine: Engine::new(maxsize, VecDeque::new()),
        }
    }

    /// The bound given to [`new`](Queue::new); `0` for unbounded.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(pool_thread::Queue::<u8>::new(0).maxsize(), 0);
    /// ```
    pub fn maxsize(&self) -> usize {
        self.engine.maxsize()
    }

    /// Adds `item`, waiting as long as the queue is full.
    ///
    /// # Errors
    ///
    /// [`ShutDown`] with the item when the queue is or gets shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_thread::Queue::new(0);
    /// q.put("jason").unwrap();
    /// assert_eq!(q.qsize(), 1);
    /// ```
    pub fn put(&self, item: T) -> Result<(), ShutDown<T>> {
        self.engine
            .put(item, Deadline::Never)
            .map_err(put_forever_error)
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
    /// let q = pool_thread::Queue::new(1);
    /// q.put_nowait('a').unwrap();
    /// assert_eq!(q.put_nowait('b').unwrap_err().into_inner(), 'b');
    /// ```
    #[doc(alias = "put(block=False)")]
    pub fn put_nowait(&self, item: T) -> Result<(), PutError<T>> {
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
    /// let q = pool_thread::Queue::new(1);
    /// q.put(1).unwrap();
    /// assert!(q.put_timeout(2, Duration::from_millis(5)).unwrap_err().is_full());
    /// ```
    #[doc(alias = "put(timeout)")]
    pub fn put_timeout(&self, item: T, timeout: Duration) -> Result<(), PutError<T>> {
        self.engine.put(item, Deadline::after(timeout))
    }

    /// Removes and returns the oldest item, waiting as long as the queue is
    /// empty.
    ///
    /// # Errors
    ///
    /// [`ShutDown`] when the queue is shut down and empty.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_thread::Queue::new(0);
    /// q.put("jason").unwrap();
    /// q.put("abd").unwrap();
    /// assert_eq!(q.get().unwrap(), "jason");
    /// ```
    pub fn get(&self) -> Result<T, ShutDown> {
        self.engine.get(Deadline::Never).map_err(get_forever_error)
    }

    /// Removes and returns the oldest item if there is one now: Python's
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
    /// let q: pool_thread::Queue<u8> = pool_thread::Queue::new(0);
    /// assert!(q.get_nowait().unwrap_err().is_empty());
    /// ```
    #[doc(alias = "get(block=False)")]
    pub fn get_nowait(&self) -> Result<T, GetError> {
        self.engine.get(Deadline::Now)
    }

    /// Removes and returns the oldest item, waiting at most `timeout`:
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
    /// let q: pool_thread::Queue<u8> = pool_thread::Queue::new(0);
    /// assert!(q.get_timeout(Duration::from_millis(5)).unwrap_err().is_empty());
    /// ```
    #[doc(alias = "get(timeout)")]
    pub fn get_timeout(&self, timeout: Duration) -> Result<T, GetError> {
        self.engine.get(Deadline::after(timeout))
    }

    /// The number of items queued now (a snapshot, as in Python).
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_thread::Queue::new(0);
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
    /// assert!(pool_thread::Queue::<u8>::new(0).empty());
    /// ```
    pub fn empty(&self) -> bool {
        self.qsize() == 0
    }

    /// True when a bounded queue holds `maxsize` items now.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_thread::Queue::new(1);
    /// q.put(()).unwrap();
    /// assert!(q.full());
    /// ```
    pub fn full(&self) -> bool {
        self.engine.full()
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
    /// let q = pool_thread::Queue::new(0);
    /// q.put(1).unwrap();
    /// q.get().unwrap();
    /// assert!(q.task_done().is_ok());
    /// assert!(q.task_done().is_err());
    /// ```
    pub fn task_done(&self) -> Result<(), TaskDoneError> {
        self.engine.task_done()
    }

    /// Waits until every item put has been marked done with
    /// [`task_done`](Queue::task_done).
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_thread::Queue::new(0);
    /// q.put(1).unwrap();
    /// q.get().unwrap();
    /// q.task_done().unwrap();
    /// q.join(); // returns at once: nothing unfinished
    /// ```
    pub fn join(&self) {
        self.engine.join(Deadline::Never);
    }

    /// Like [`join`](Queue::join), for at most `timeout`; returns whether
    /// every task was done.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let q = pool_thread::Queue::new(0);
    /// q.put(1).unwrap();
    /// assert!(!q.join_timeout(Duration::from_millis(5)));
    /// ```
    pub fn join_timeout(&self, timeout: Duration) -> bool {
        self.engine.join(Deadline::after(timeout))
    }

    /// Shuts the queue down (Python 3.13): every later put fails, gets fail
    /// once the queue is empty, and blocked callers wake up. With
    /// [`Immediate::Yes`] the queued items are discarded, each counted as
    /// done, which may release [`join`](Queue::join).
    ///
    /// # Examples
    ///
    /// ```
    /// use pool_thread::{Immediate, Queue};
    ///
    /// let q = Queue::new(0);
    /// q.put("left").unwrap();
    /// q.shutdown(Immediate::No);
    /// assert!(q.put("late").is_err());
    /// assert_eq!(q.get().unwrap(), "left");
    /// assert!(q.get().is_err());
    /// ```
    pub fn shutdown(&self, immediate: Immediate) {
        self.engine.shutdown(immediate);
    }

    /// True once [`shutdown`](Queue::shutdown) was called.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_thread::Queue::<u8>::new(0);
    /// q.shutdown(pool_thread::Immediate::Yes);
    /// assert!(q.is_shutdown());
    /// ```
    pub fn is_shutdown(&self) -> bool {
        self.engine.is_shutdown()
    }
}

impl<T> Default for Queue<T> {
    fn default() -> Queue<T> {
        Queue::new(0)
    }
}

impl<T> fmt::Debug for Queue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.engine.fmt(f)
    }
}
