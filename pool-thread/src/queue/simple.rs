//! `SimpleQueue`: Python's `queue.SimpleQueue`, an unbounded FIFO queue
//! with no task tracking, built on a crossbeam channel.

use std::fmt;
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use pool_core::Error;

use super::error::{GetError, PutError};

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
/// use poolrt::thread::SimpleQueue;
///
/// let q = Arc::new(SimpleQueue::new().unwrap());
/// let producer = {
///     let q = q.clone();
///     std::thread::spawn(move || q.put(vec![42]).unwrap())
/// };
/// assert_eq!(q.get().unwrap(), vec![42]);
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
    /// assert!(poolrt::thread::SimpleQueue::<u8>::new().unwrap().empty());
    /// ```
    pub fn new() -> Result<SimpleQueue<T>, Error> {
        Ok(SimpleQueue::unbounded())
    }

    fn unbounded() -> SimpleQueue<T> {
        let (sender, receiver) = crossbeam_channel::unbounded();
        SimpleQueue { sender, receiver }
    }

    /// Adds `item`; never blocks.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = poolrt::thread::SimpleQueue::new().unwrap();
    /// q.put("a").unwrap();
    /// assert_eq!(q.qsize(), 1);
    /// ```
    ///
    /// # Errors
    ///
    /// None in this backend (the queue is unbounded and owns its receiver);
    /// the `Result` is the process backend's, whose put can fail to
    /// serialize.
    #[doc(alias = "put_nowait")]
    pub fn put(&self, item: T) -> Result<(), PutError<T>> {
        // The queue owns the receiver, so the channel is never disconnected.
        let _ = self.sender.send(item);
        Ok(())
    }

    /// Removes and returns the oldest item, waiting as long as the queue is
    /// empty.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = poolrt::thread::SimpleQueue::new().unwrap();
    /// q.put(1).unwrap();
    /// q.put(2).unwrap();
    /// assert_eq!(q.get().unwrap(), 1);
    /// ```
    ///
    /// # Errors
    ///
    /// None in this backend; the `Result` is the process backend's, whose
    /// get can fail to deserialize.
    pub fn get(&self) -> Result<T, GetError> {
        match self.receiver.recv() {
            Ok(item) => Ok(item),
            Err(_) => unreachable!("the queue owns a sender, so the channel never disconnects"),
        }
    }

    /// Removes and returns the oldest item if there is one now.
    ///
    /// # Errors
    ///
    /// [`GetError::Empty`] when there is none.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = poolrt::thread::SimpleQueue::<u8>::new().unwrap();
    /// assert!(q.get_nowait().unwrap_err().is_empty());
    /// ```
    #[doc(alias = "get(block=False)")]
    pub fn get_nowait(&self) -> Result<T, GetError> {
        self.receiver.try_recv().map_err(|_| GetError::Empty)
    }

    /// Removes and returns the oldest item, waiting at most `timeout`.
    ///
    /// # Errors
    ///
    /// [`GetError::Empty`] after the timeout.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let q = poolrt::thread::SimpleQueue::<u8>::new().unwrap();
    /// assert!(q.get_timeout(Duration::from_millis(5)).is_err());
    /// ```
    #[doc(alias = "get(timeout)")]
    pub fn get_timeout(&self, timeout: Duration) -> Result<T, GetError> {
        self.receiver
            .recv_timeout(timeout)
            .map_err(|_: RecvTimeoutError| GetError::Empty)
    }

    /// The number of items queued now (a snapshot).
    ///
    /// # Examples
    ///
    /// ```
    /// let q = poolrt::thread::SimpleQueue::new().unwrap();
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
    /// let q = poolrt::thread::SimpleQueue::new().unwrap();
    /// q.put(());
    /// assert!(!q.empty());
    /// ```
    pub fn empty(&self) -> bool {
        self.receiver.is_empty()
    }

    /// The number of items queued now: Python's [`qsize`](Self::qsize), under the name a Rust
    /// programmer looks for first.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = poolrt::thread::SimpleQueue::new().unwrap();
    /// q.put('a').unwrap();
    /// assert_eq!(q.len(), 1);
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
    /// let q = poolrt::thread::SimpleQueue::new().unwrap();
    /// assert!(q.is_empty());
    /// q.put(());
    /// assert!(!q.is_empty());
    /// ```
    #[doc(alias = "empty")]
    pub fn is_empty(&self) -> bool {
        self.empty()
    }
}

impl<T> Default for SimpleQueue<T> {
    fn default() -> SimpleQueue<T> {
        SimpleQueue::unbounded()
    }
}

impl<T> fmt::Debug for SimpleQueue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimpleQueue")
            .field("qsize", &self.qsize())
            .finish()
    }
}
