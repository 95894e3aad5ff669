//! `SimpleQueue`: Python's `queue.SimpleQueue`, an unbounded FIFO queue
//! with no task tracking, built on a crossbeam channel.

use std::fmt;
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};

use super::error::Empty;

/// An unbounded first-in, first-out queue without `task_done`, `join` or
/// shutdown: Python's `queue.SimpleQueue`. A `put` never blocks and never
/// fails.
///
/// It is a crossbeam unbounded channel holding both of its ends, which
/// makes it the fastest queue here.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use pool_thread::SimpleQueue;
///
/// let q = Arc::new(SimpleQueue::new());
/// let producer = {
///     let q = q.clone();
///     std::thread::spawn(move || q.put(vec![42]))
/// };
/// assert_eq!(q.get(), vec![42]);
/// producer.join().unwrap();
/// ```
#[doc(alias = "queue.SimpleQueue")]
pub struct SimpleQueue<T> {
    sender: Sender<T>,
    receiver: Receiver<T>,
}

impl<T> SimpleQueue<T> {
    /// An empty queue.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(pool_thread::SimpleQueue::<u8>::new().empty());
    /// ```
    pub fn new() -> SimpleQueue<T> {
        let (sender, receiver) = crossbeam_channel::unbounded();
        SimpleQueue { sender, receiver }
    }

    /// Adds `item`; never blocks.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_thread::SimpleQueue::new();
    /// q.put("a");
    /// assert_eq!(q.qsize(), 1);
    /// ```
    #[doc(alias = "put_nowait")]
    pub fn put(&self, item: T) {
        // The queue owns the receiver, so the channel is never disconnected.
        let _ = self.sender.send(item);
    }

    /// Removes and returns the oldest item, waiting as long as the queue is
    /// empty.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_thread::SimpleQueue::new();
    /// q.put(1);
    /// q.put(2);
    /// assert_eq!(q.get(), 1);
    /// ```
    pub fn get(&self) -> T {
        match self.receiver.recv() {
            Ok(item) => item,
            Err(_) => unreachable!("the queue owns a sender, so the channel never disconnects"),
        }
    }

    /// Removes and returns the oldest item if there is one now.
    ///
    /// # Errors
    ///
    /// [`Empty`] when there is none.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_thread::SimpleQueue::<u8>::new();
    /// assert_eq!(q.get_nowait(), Err(pool_thread::Empty));
    /// ```
    #[doc(alias = "get(block=False)")]
    pub fn get_nowait(&self) -> Result<T, Empty> {
        self.receiver.try_recv().map_err(|_| Empty)
    }

    /// Removes and returns the oldest item, waiting at most `timeout`.
    ///
    /// # Errors
    ///
    /// [`Empty`] after the timeout.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let q = pool_thread::SimpleQueue::<u8>::new();
    /// assert!(q.get_timeout(Duration::from_millis(5)).is_err());
    /// ```
    #[doc(alias = "get(timeout)")]
    pub fn get_timeout(&self, timeout: Duration) -> Result<T, Empty> {
        self.receiver
            .recv_timeout(timeout)
            .map_err(|_: RecvTimeoutError| Empty)
    }

    /// The number of items queued now (a snapshot).
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_thread::SimpleQueue::new();
    /// q.put(());
    /// assert_eq!(q.qsize(), 1);
    /// ```
    pub fn qsize(&self) -> usize {
        self.receiver.len()
    }

    /// True when no item is queued now.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_thread::SimpleQueue::new();
    /// q.put(());
    /// assert!(!q.empty());
    /// ```
    pub fn empty(&self) -> bool {
        self.receiver.is_empty()
    }
}

impl<T> Default for SimpleQueue<T> {
    fn default() -> SimpleQueue<T> {
        SimpleQueue::new()
    }
}

impl<T> fmt::Debug for SimpleQueue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimpleQueue")
            .field("qsize", &self.qsize())
            .finish()
    }
}
