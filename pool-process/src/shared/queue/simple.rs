//! `SimpleQueue`: Python's `multiprocessing.SimpleQueue`.

use pool_core::Error;
use serde::{Deserialize, Serialize};

use crate::task::Wire;

use super::Queue;

/// An unbounded [`Queue`]: Python's `multiprocessing.SimpleQueue`. It
/// derefs to the `Queue`, whose methods it shares: Python's `close()`
/// among them ([`Queue::close`]; later puts and gets in this process fail
/// with [`ErrorKind::Closed`](pool_core::ErrorKind::Closed)), and items of
/// any size.
///
/// # Examples
///
/// ```
/// use poolrt::process::{Process, SimpleQueue};
///
/// fn answer(q: SimpleQueue<u32>) {
///     q.put(42).unwrap();
/// }
///
/// let q = SimpleQueue::new().unwrap();
/// let p = Process::new(answer, (q.clone(),));
/// p.start().unwrap();
/// assert_eq!(q.get().unwrap(), 42);
/// p.join().unwrap();
/// assert!(q.empty());
/// ```
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct SimpleQueue<T> {
    queue: Queue<T>,
}

impl<T: Wire> SimpleQueue<T> {
    /// A new, empty queue.
    ///
    /// # Errors
    ///
    /// The shared memory could not be created.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = poolrt::process::SimpleQueue::<String>::new().unwrap();
    /// assert!(q.empty());
    /// ```
    pub fn new() -> Result<SimpleQueue<T>, Error> {
        Ok(SimpleQueue {
            queue: Queue::new(0)?,
        })
    }
}

impl<T> std::ops::Deref for SimpleQueue<T> {
    type Target = Queue<T>;

    fn deref(&self) -> &Queue<T> {
        &self.queue
    }
}
