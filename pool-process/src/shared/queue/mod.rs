//! `Queue`, `JoinableQueue` and `SimpleQueue`: Python's
//! `multiprocessing` queues, FIFO queues shared by processes over one
//! ring buffer in a shared segment (`ring.rs` describes its layout).

mod error;
mod joinable;
mod ring;
mod simple;

pub use error::{GetError, PutError};
pub use joinable::JoinableQueue;
pub use simple::SimpleQueue;

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::{Duration, Instant};

use pool_core::{Deadline, Error, ErrorKind};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::shared::{deserialize_segment, serialize_fd};
use crate::task::Wire;
use crate::wire::inherit;

use self::ring::{DEFAULT_CAPACITY, ITEM_HEAD, Ring};

/// A FIFO queue shared by processes: Python's `multiprocessing.Queue`.
///
/// Items are any [`Wire`] values, copied through shared memory. `maxsize`
/// bounds the number of items (0: no bound); the buffer bounds their
/// total encoded bytes (1 MiB unless set with
/// [`with_capacity`](Queue::with_capacity)). Pass it to a child as an
/// argument of its [`Process`](crate::Process); clones share the queue.
///
/// A process that dies inside a `put` or `get` (holding the queue's
/// internal lock) never blocks the others: the next operation finds the
/// holder dead within about 100 ms, and since the ring may be torn, the
/// queue is then broken for good: that operation and every later `put`,
/// `get` and `task_done` fail with [`ErrorKind::Broken`], whose detail
/// names the dead thread. (Dying outside an operation, blocked in a `get`
/// say, harms nothing.)
///
/// # Examples
///
/// ```
/// use pool_process::{Process, Queue};
///
/// fn produce(q: Queue<String>) {
///     for i in 0..3 {
///         q.put(format!("item {i}")).unwrap();
///     }
/// }
///
/// let q = Queue::new(0).unwrap();
/// let p = Process::new(produce, (q.clone(),));
/// p.start().unwrap();
/// for i in 0..3 {
///     assert_eq!(q.get().unwrap(), format!("item {i}"));
/// }
/// p.join().unwrap();
/// ```
pub struct Queue<T> {
    ring: Arc<Ring>,
    _items: PhantomData<fn(T) -> T>,
}

impl<T: Wire> Queue<T> {
    /// A queue of at most `maxsize` items (0: unbounded), with a 1 MiB
    /// buffer.
    ///
    /// # Errors
    ///
    /// The shared memory could not be created.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_process::Queue::new(2).unwrap();
    /// q.put(1u64).unwrap();
    /// q.put(2).unwrap();
    /// assert!(q.full());
    /// ```
    pub fn new(maxsize: usize) -> Result<Queue<T>, Error> {
        Queue::with_capacity(maxsize, DEFAULT_CAPACITY)
    }

    /// A queue whose buffer holds `bytes` bytes of encoded items (each
    /// takes 4 bytes more than its encoding).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidConfig`] for a buffer too small for any item;
    /// the shared memory could not be created.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_process::Queue::with_capacity(0, 16).unwrap();
    /// let error = q.put(vec![0u8; 64]).unwrap_err();
    /// let cause = error.error().unwrap(); // also the `source()`
    /// assert!(cause.to_string().contains("does not fit"), "{cause}");
    /// ```
    pub fn with_capacity(maxsize: usize, bytes: usize) -> Result<Queue<T>, Error> {
        Ok(Queue {
            ring: Arc::new(Ring::create(maxsize, bytes)?),
            _items: PhantomData,
        })
    }

    fn encode(&self, item: T) -> Result<(Vec<u8>, T), PutError<T>> {
        match crate::wire::codec::to_postcard(&item) {
            Ok(bytes) if ITEM_HEAD + bytes.len() > self.ring.capacity => {
                let error = Error::from_kind(ErrorKind::Serialize).with_detail(format!(
                    "an item of {} bytes does not fit the queue's {}-byte buffer \
                     (see Queue::with_capacity)",
                    bytes.len(),
                    self.ring.capacity
                ));
                Err(PutError::Failed(item, error))
            }
            Ok(bytes) => Ok((bytes, item)),
            Err(e) => {
                let error = Error::new(ErrorKind::Serialize, inherit::explain(e))
                    .with_detail(format!("a queue item ({})", std::any::type_name::<T>()));
                Err(PutError::Failed(item, error))
            }
        }
    }

    fn put_until(
        &self,
        item: T,
        block: bool,
        deadline: Option<Instant>,
    ) -> Result<(), PutError<T>> {
        let (bytes, item) = self.encode(item)?;
        match self.ring.put(&bytes, block, deadline) {
            Ok(true) => Ok(()),
            Ok(false) => Err(PutError::Full(item)),
            Err(broken) => Err(PutError::Failed(item, broken)),
        }
    }

    /// Puts `item`, waiting for room as long as it takes.
    ///
    /// # Errors
    ///
    /// [`PutError::Failed`]: the item could not be serialized or does not
    /// fit the buffer, or the queue is broken ([`ErrorKind::Broken`]: a
    /// process died inside an operation on it; see the type's docs).
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_process::Queue::new(0).unwrap();
    /// q.put((1u8, "one".to_owned())).unwrap();
    /// assert_eq!(q.get().unwrap(), (1, "one".to_owned()));
    /// ```
    pub fn put(&self, item: T) -> Result<(), PutError<T>> {
        self.put_until(item, true, None)
    }

    /// Puts `item` if there is room now (Python's `put_nowait`).
    ///
    /// # Errors
    ///
    /// [`PutError::Full`] with the item, or as for [`put`](Queue::put).
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_process::Queue::new(1).unwrap();
    /// q.put_nowait('a').unwrap();
    /// assert!(q.put_nowait('b').unwrap_err().is_full());
    /// ```
    pub fn put_nowait(&self, item: T) -> Result<(), PutError<T>> {
        self.put_until(item, false, None)
    }

    /// Puts `item`, waiting at most `timeout` for room.
    ///
    /// # Errors
    ///
    /// As for [`put_nowait`](Queue::put_nowait).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let q = pool_process::Queue::new(1).unwrap();
    /// q.put(1i32).unwrap();
    /// let error = q.put_timeout(2, Duration::from_millis(10)).unwrap_err();
    /// assert!(error.is_full());
    /// ```
    pub fn put_timeout(&self, item: T, timeout: Duration) -> Result<(), PutError<T>> {
        self.put_until(item, true, Deadline::after(timeout).instant())
    }

    fn get_until(&self, block: bool, deadline: Option<Instant>) -> Result<T, GetError> {
        let bytes = self
            .ring
            .get(block, deadline)
            .map_err(GetError::Failed)?
            .ok_or(GetError::Empty)?;
        crate::wire::codec::from_postcard(&bytes).map_err(|e| {
            GetError::Failed(
                Error::new(ErrorKind::Deserialize, e)
                    .with_detail(format!("a queue item ({})", std::any::type_name::<T>())),
            )
        })
    }

    /// Takes the oldest item, waiting for one as long as it takes.
    ///
    /// # Errors
    ///
    /// [`GetError::Failed`]: the item could not be deserialized, or the
    /// queue is broken ([`ErrorKind::Broken`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_process::Queue::new(0).unwrap();
    /// q.put(1u8).unwrap();
    /// q.put(2).unwrap();
    /// assert_eq!(q.get().unwrap(), 1);
    /// assert_eq!(q.get().unwrap(), 2);
    /// ```
    pub fn get(&self) -> Result<T, GetError> {
        self.get_until(true, None)
    }

    /// Takes the oldest item if there is one (Python's `get_nowait`).
    ///
    /// # Errors
    ///
    /// [`GetError::Empty`], or as for [`get`](Queue::get).
    ///
    /// # Examples
    ///
    /// ```
    /// let q: pool_process::Queue<u8> = pool_process::Queue::new(0).unwrap();
    /// assert!(q.get_nowait().unwrap_err().is_empty());
    /// ```
    pub fn get_nowait(&self) -> Result<T, GetError> {
        self.get_until(false, None)
    }

    /// Takes the oldest item, waiting at most `timeout` for one.
    ///
    /// # Errors
    ///
    /// As for [`get_nowait`](Queue::get_nowait).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let q: pool_process::Queue<u8> = pool_process::Queue::new(0).unwrap();
    /// assert!(q.get_timeout(Duration::from_millis(10)).unwrap_err().is_empty());
    /// ```
    pub fn get_timeout(&self, timeout: Duration) -> Result<T, GetError> {
        self.get_until(true, Deadline::after(timeout).instant())
    }

    /// The number of items in the queue (a snapshot, as in Python).
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_process::Queue::new(0).unwrap();
    /// q.put(()).unwrap();
    /// assert_eq!(q.qsize(), 1);
    /// ```
    pub fn qsize(&self) -> usize {
        self.ring.count() as usize
    }

    /// For fault-injection tests only: takes the queue's internal lock and
    /// never releases it, so that a test can kill a process inside an
    /// operation. The queue is of no use to anyone afterwards.
    ///
    /// Only with the test-only feature `fault-injection`.
    #[cfg(feature = "fault-injection")]
    #[doc(hidden)]
    pub fn fault_hold_internal_lock(&self) {
        self.ring.hold_mutex();
    }

    /// Whether the queue holds no item (a snapshot).
    ///
    /// # Examples
    ///
    /// ```
    /// let q: pool_process::Queue<()> = pool_process::Queue::new(0).unwrap();
    /// assert!(q.empty());
    /// ```
    pub fn empty(&self) -> bool {
        self.qsize() == 0
    }

    /// Whether the queue holds `maxsize` items (a snapshot; never for an
    /// unbounded queue).
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_process::Queue::new(1).unwrap();
    /// assert!(!q.full());
    /// q.put(0u8).unwrap();
    /// assert!(q.full());
    /// ```
    pub fn full(&self) -> bool {
        let maxsize = self.ring.maxsize();
        maxsize > 0 && self.ring.count() >= maxsize
    }
}

impl<T> Clone for Queue<T> {
    fn clone(&self) -> Queue<T> {
        Queue {
            ring: self.ring.clone(),
            _items: PhantomData,
        }
    }
}

impl<T> fmt::Debug for Queue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Queue")
            .field("qsize", &self.ring.count())
            .field("maxsize", &self.ring.maxsize())
            .finish()
    }
}

impl<T> Serialize for Queue<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_fd(&self.ring.segment, "Queue", s)
    }
}

impl<'de, T> Deserialize<'de> for Queue<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Queue<T>, D::Error> {
        let segment = deserialize_segment(d, "Queue")?;
        let ring = Ring::adopt(segment).map_err(serde::de::Error::custom)?;
        Ok(Queue {
            ring: Arc::new(ring),
            _items: PhantomData,
        })
    }
}
