//! `JoinableQueue`: Python's `multiprocessing.JoinableQueue`.

use std::fmt;
use std::time::Duration;

use pool_core::{Deadline, Error};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::task::Wire;

use super::Queue;

/// A [`Queue`] that also counts unfinished items: Python's
/// `multiprocessing.JoinableQueue`. Every [`get`](Queue::get) is
/// to be followed by a [`task_done`](JoinableQueue::task_done);
/// [`join`](JoinableQueue::join) waits until every item put was done.
///
/// # Examples
///
/// ```
/// use poolrt::process::{Daemon, JoinableQueue, Process};
///
/// fn consume(q: JoinableQueue<u32>) {
///     loop {
///         let n = q.get().unwrap();
///         println!("consumed {n}");
///         q.task_done().unwrap();
///     }
/// }
///
/// let q = JoinableQueue::new(0).unwrap();
/// let consumer = Process::builder().daemon(Daemon::Yes).target(consume, (q.clone(),));
/// consumer.start().unwrap();
/// for n in 0..5 {
///     q.put(n).unwrap();
/// }
/// q.join();
/// assert!(q.empty());
/// consumer.terminate().unwrap();
/// ```
pub struct JoinableQueue<T> {
    queue: Queue<T>,
}

impl<T: Wire> JoinableQueue<T> {
    /// A joinable queue of at most `maxsize` items (0: unbounded).
    ///
    /// # Errors
    ///
    /// The shared memory could not be created.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = poolrt::process::JoinableQueue::new(4).unwrap();
    /// q.put("job".to_owned()).unwrap();
    /// assert_eq!(q.qsize(), 1);
    /// ```
    pub fn new(maxsize: usize) -> Result<JoinableQueue<T>, Error> {
        Ok(JoinableQueue {
            queue: Queue::new(maxsize)?,
        })
    }

    /// A joinable queue with a buffer of `bytes` bytes; see
    /// [`Queue::with_capacity`].
    ///
    /// # Errors
    ///
    /// As for [`Queue::with_capacity`].
    ///
    /// # Examples
    ///
    /// ```
    /// let q = poolrt::process::JoinableQueue::<u8>::with_capacity(0, 4096).unwrap();
    /// assert!(q.empty());
    /// ```
    pub fn with_capacity(maxsize: usize, bytes: usize) -> Result<JoinableQueue<T>, Error> {
        Ok(JoinableQueue {
            queue: Queue::with_capacity(maxsize, bytes)?,
        })
    }

    /// Marks one taken item done.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidState`](pool_core::ErrorKind::InvalidState) if called more times than items were
    /// put (Python's `ValueError`); [`ErrorKind::Broken`](pool_core::ErrorKind::Broken) if the queue is
    /// broken (see [`Queue`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let q = poolrt::process::JoinableQueue::new(0).unwrap();
    /// q.put(1u8).unwrap();
    /// q.get().unwrap();
    /// q.task_done().unwrap();
    /// assert!(q.task_done().is_err());
    /// ```
    pub fn task_done(&self) -> Result<(), Error> {
        self.queue.ring.task_done()
    }

    /// Waits until every item put has been marked done. Returns at once
    /// if the queue is broken (see [`Queue`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let q: poolrt::process::JoinableQueue<u8> = poolrt::process::JoinableQueue::new(0).unwrap();
    /// q.join(); // nothing was put
    /// ```
    pub fn join(&self) {
        let _ = self.queue.ring.join(None);
    }

    /// Waits at most `timeout`; true if every item put was marked done
    /// (false at once if the queue is broken).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let q = poolrt::process::JoinableQueue::new(0).unwrap();
    /// q.put(1u8).unwrap();
    /// assert!(!q.join_timeout(Duration::from_millis(10)));
    /// q.get().unwrap();
    /// q.task_done().unwrap();
    /// assert!(q.join_timeout(Duration::from_millis(10)));
    /// ```
    pub fn join_timeout(&self, timeout: Duration) -> bool {
        self.queue
            .ring
            .join(Deadline::after(timeout).instant())
            .unwrap_or(false)
    }
}

impl<T> std::ops::Deref for JoinableQueue<T> {
    type Target = Queue<T>;

    fn deref(&self) -> &Queue<T> {
        &self.queue
    }
}

impl<T> Clone for JoinableQueue<T> {
    fn clone(&self) -> JoinableQueue<T> {
        JoinableQueue {
            queue: self.queue.clone(),
        }
    }
}

impl<T> fmt::Debug for JoinableQueue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinableQueue")
            .field("qsize", &self.queue.ring.count())
            .field("unfinished", &self.queue.ring.unfinished())
            .finish()
    }
}

impl<T> Serialize for JoinableQueue<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.queue.ring.serialize("JoinableQueue", s)
    }
}

impl<'de, T> Deserialize<'de> for JoinableQueue<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<JoinableQueue<T>, D::Error> {
        Ok(JoinableQueue {
            queue: Queue::deserialize_as(d, "JoinableQueue")?,
        })
    }
}
