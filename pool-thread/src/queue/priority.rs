//! `PriorityQueue`: Python's `queue.PriorityQueue`, smallest item first.

use std::fmt;
use std::time::Duration;

use super::engine::{Engine, Immediate, get_forever_error, put_forever_error};
use super::error::{GetError, PutError, ShutDown, TaskDoneError};
use super::heap::Heap;
use crate::deadline::Deadline;

/// A queue that hands out the smallest item first: Python's
/// `queue.PriorityQueue`.
///
/// Every method behaves as the [`Queue`](crate::Queue) method of the same
/// name (bounds, blocking shapes, `task_done`/`join`, shutdown); only the
/// order in which `get` hands items out differs.
///
/// Items come out smallest first, as from Python's `heapq`; items that
/// compare equal come out in the order they were put. Put `(priority,
/// data)` tuples, or wrap items in [`std::cmp::Reverse`] for largest first.
///
/// # Examples
///
/// ```
/// let q = pool_thread::PriorityQueue::new(0);
/// for item in [(3, "a"), (1, "b"), (2, "c")] {
///     q.put(item).unwrap();
/// }
/// let out: Vec<_> = std::iter::from_fn(|| q.get_nowait().ok()).collect();
/// assert_eq!(out, [(1, "b"), (2, "c"), (3, "a")]);
/// ```
#[doc(alias = "queue.PriorityQueue")]
pub struct PriorityQueue<T> {
    engine: Engine<Heap<T>>,
}

impl<T: Ord> PriorityQueue<T> {
    /// A queue holding at most `maxsize` items; `0` means no limit.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(pool_thread::PriorityQueue::<u8>::new(3).maxsize(), 3);
    /// ```
    pub fn new(maxsize: usize) -> PriorityQueue<T> {
        PriorityQueue {
            engine: Engine::new(maxsize, Heap::new()),
        }
    }

    /// As [`Queue::maxsize`](crate::Queue::maxsize).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(pool_thread::PriorityQueue::<u8>::new(0).maxsize(), 0);
    /// ```
    pub fn maxsize(&self) -> usize {
        self.engine.maxsize()
    }

    /// As [`Queue::put`](crate::Queue::put).
    ///
    /// # Errors
    ///
    /// [`ShutDown`] with the item when the queue is or gets shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_thread::PriorityQueue::new(0);
    /// q.put((3, "a")).unwrap();
    /// assert_eq!(q.qsize(), 1);
    /// ```
    pub fn put(&self, item: T) -> Result<(), ShutDown<T>> {
        self.engine
            .put(item, Deadline::Never)
            .map_err(put_forever_error)
    }

    /// As [`Queue::put_nowait`](crate::Queue::put_nowait).
    ///
    /// # Errors
    ///
    /// [`PutError::Full`] or [`PutError::ShutDown`], with the item.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_thread::PriorityQueue::new(1);
    /// q.put_nowait((3, "a")).unwrap();
    /// assert_eq!(q.put_nowait((1, "b")).unwrap_err().into_inner(), (1, "b"));
    /// ```
    #[doc(alias = "put(block=False)")]
    pub fn put_nowait(&self, item: T) -> Result<(), PutError<T>> {
        self.engine.put(item, Deadline::Now)
    }

    /// As [`Queue::put_timeout`](crate::Queue::put_timeout).
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
    /// let q = pool_thread::PriorityQueue::new(1);
    /// q.put((3, "a")).unwrap();
    /// assert!(q.put_timeout((1, "b"), Duration::from_millis(5)).unwrap_err().is_full());
    /// ```
    #[doc(alias = "put(timeout)")]
    pub fn put_timeout(&self, item: T, timeout: Duration) -> Result<(), PutError<T>> {
        self.engine.put(item, Deadline::after(timeout))
    }

    /// As [`Queue::get`](crate::Queue::get), in this queue's order.
    ///
    /// # Errors
    ///
    /// [`ShutDown`] when the queue is shut down and empty.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_thread::PriorityQueue::new(0);
    /// q.put((3, "a")).unwrap();
    /// q.put((1, "b")).unwrap();
    /// assert_eq!(q.get().unwrap(), (1, "b"), "the smallest comes out first");
    /// ```
    pub fn get(&self) -> Result<T, ShutDown> {
        self.engine.get(Deadline::Never).map_err(get_forever_error)
    }

    /// As [`Queue::get_nowait`](crate::Queue::get_nowait).
    ///
    /// # Errors
    ///
    /// [`GetError::Empty`], or [`GetError::ShutDown`] when shut down and
    /// empty.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_thread::PriorityQueue::<u8>::new(0);
    /// assert!(q.get_nowait().unwrap_err().is_empty());
    /// ```
    #[doc(alias = "get(block=False)")]
    pub fn get_nowait(&self) -> Result<T, GetError> {
        self.engine.get(Deadline::Now)
    }

    /// As [`Queue::get_timeout`](crate::Queue::get_timeout).
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
    /// let q = pool_thread::PriorityQueue::<u8>::new(0);
    /// assert!(q.get_timeout(Duration::from_millis(5)).unwrap_err().is_empty());
    /// ```
    #[doc(alias = "get(timeout)")]
    pub fn get_timeout(&self, timeout: Duration) -> Result<T, GetError> {
        self.engine.get(Deadline::after(timeout))
    }

    /// As [`Queue::qsize`](crate::Queue::qsize).
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_thread::PriorityQueue::new(0);
    /// q.put((3, "a")).unwrap();
    /// assert_eq!(q.qsize(), 1);
    /// ```
    pub fn qsize(&self) -> usize {
        self.engine.qsize()
    }

    /// As [`Queue::empty`](crate::Queue::empty).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(pool_thread::PriorityQueue::<u8>::new(0).empty());
    /// ```
    pub fn empty(&self) -> bool {
        self.qsize() == 0
    }

    /// As [`Queue::full`](crate::Queue::full).
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_thread::PriorityQueue::new(1);
    /// q.put((3, "a")).unwrap();
    /// assert!(q.full());
    /// ```
    pub fn full(&self) -> bool {
        self.engine.full()
    }

    /// As [`Queue::task_done`](crate::Queue::task_done).
    ///
    /// # Errors
    ///
    /// [`TaskDoneError`] when called more times than items were put.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_thread::PriorityQueue::<u8>::new(0);
    /// assert!(q.task_done().is_err());
    /// ```
    pub fn task_done(&self) -> Result<(), TaskDoneError> {
        self.engine.task_done()
    }

    /// As [`Queue::join`](crate::Queue::join).
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_thread::PriorityQueue::new(0);
    /// q.put((3, "a")).unwrap();
    /// q.get().unwrap();
    /// q.task_done().unwrap();
    /// q.join();
    /// ```
    pub fn join(&self) {
        self.engine.join(Deadline::Never);
    }

    /// As [`Queue::join_timeout`](crate::Queue::join_timeout).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let q = pool_thread::PriorityQueue::new(0);
    /// q.put((3, "a")).unwrap();
    /// assert!(!q.join_timeout(Duration::from_millis(5)));
    /// ```
    pub fn join_timeout(&self, timeout: Duration) -> bool {
        self.engine.join(Deadline::after(timeout))
    }

    /// As [`Queue::shutdown`](crate::Queue::shutdown).
    ///
    /// # Examples
    ///
    /// ```
    /// use pool_thread::{Immediate, PriorityQueue};
    ///
    /// let q = PriorityQueue::new(0);
    /// q.put((3, "a")).unwrap();
    /// q.shutdown(Immediate::Yes);
    /// assert!(q.get().is_err());
    /// q.join(); // the discarded item counts as done
    /// ```
    pub fn shutdown(&self, immediate: Immediate) {
        self.engine.shutdown(immediate);
    }

    /// As [`Queue::is_shutdown`](crate::Queue::is_shutdown).
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_thread::PriorityQueue::<u8>::new(0);
    /// q.shutdown(pool_thread::Immediate::No);
    /// assert!(q.is_shutdown());
    /// ```
    pub fn is_shutdown(&self) -> bool {
        self.engine.is_shutdown()
    }
}

impl<T: Ord> Default for PriorityQueue<T> {
    fn default() -> PriorityQueue<T> {
        PriorityQueue::new(0)
    }
}

impl<T: Ord> fmt::Debug for PriorityQueue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.engine.fmt(f)
    }
}
