//! `Queue`, `JoinableQueue` and `SimpleQueue`: Python's
//! `multiprocessing` queues, FIFO queues shared by processes over one
//! ring buffer in a shared segment (`ring.rs` describes its layout).
//! `lifecycle.rs` holds their end of use (`close`, `shutdown`); items
//! larger than the ring, and items holding shared objects, travel as a
//! memfd over the queue's own socket (`sys/fd_pass.rs`), in order.

mod error;
mod joinable;
mod lifecycle;
mod ring;
mod simple;

pub use error::{GetError, PutError};
pub use joinable::JoinableQueue;
pub use simple::SimpleQueue;

use std::fmt;
use std::marker::PhantomData;
use std::os::fd::AsFd;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use pool_core::{Deadline, Error, ErrorKind};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::sys::fd_pass::{FdChannel, MAX_FDS, memfd_contents, memfd_holding};
use crate::sys::segment::Segment;
use crate::task::Wire;
use crate::wire::inherit;

use self::lifecycle::closed;
use self::ring::{DEFAULT_CAPACITY, Got, Payload, Put, Ring};

/// How [`shutdown`](Queue::shutdown) treats the items still queued:
/// Python 3.13's `immediate` argument, as for the thread backend's
/// queues.
///
/// # Examples
///
/// ```
/// use poolrt::process::{Immediate, Queue};
///
/// let q = Queue::new(0).unwrap();
/// q.put(1u8).unwrap();
/// q.shutdown(Immediate::No).unwrap();
/// assert_eq!(q.get().unwrap(), 1, "gets drain what is left");
///
/// let q = Queue::new(0).unwrap();
/// q.put(1u8).unwrap();
/// q.shutdown(Immediate::Yes).unwrap();
/// assert!(q.get().unwrap_err().is_shutdown(), "the items were dropped");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Immediate {
    /// Gets go on returning the queued items, and fail once it is empty.
    No,
    /// The queued items are dropped, each counted as a task done, and gets
    /// fail at once.
    Yes,
}

/// A FIFO queue shared by processes: Python's `multiprocessing.Queue`.
///
/// Items are any [`Wire`] values, copied through shared memory. `maxsize`
/// bounds the number of items (0: no bound); the buffer bounds the total
/// encoded bytes of the small ones (1 MiB unless set with
/// [`with_capacity`](Queue::with_capacity)). An item of more than half
/// the buffer travels apart, in a memfd of its own whose descriptor the
/// queue hands over a socket, so items of any size go through, in order
/// with the small ones; its memory is freed once it is taken, or when the
/// last process holding the queue drops it. Pass the queue to a child as
/// an argument of its [`Process`](crate::Process); clones share the
/// queue.
///
/// An item may hold shared objects (a [`Lock`](crate::Lock), a
/// [`Connection`](crate::Connection), another `Queue`, ...): their
/// descriptors travel with it (`SCM_RIGHTS`, in order with the other
/// items), so a process that is already running gets them, as Python's
/// `multiprocessing.reduction` hands over a `Connection`. An item carries
/// at most 252 descriptors.
///
/// [`shutdown`](Queue::shutdown) (Python 3.13's) ends the queue for every
/// process; [`close`](Queue::close) only ends this process's use of it.
/// A `put` writes the item straight into shared memory: there is no
/// feeder thread and nothing left to flush, so
/// [`join_thread`](Queue::join_thread) and
/// [`cancel_join_thread`](Queue::cancel_join_thread) have nothing to wait
/// for.
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
/// use poolrt::process::{Process, Queue};
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
    /// let q = poolrt::process::Queue::new(2).unwrap();
    /// q.put(1u64).unwrap();
    /// q.put(2).unwrap();
    /// assert!(q.full());
    /// ```
    pub fn new(maxsize: usize) -> Result<Queue<T>, Error> {
        Queue::with_capacity(maxsize, DEFAULT_CAPACITY)
    }

    /// A queue whose buffer holds `bytes` bytes of encoded items (each
    /// takes 4 bytes more than its encoding). An item of more than half of
    /// it travels apart, in a memfd of its own (see [`Queue`]).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidConfig`] for a buffer too small for any item;
    /// the shared memory could not be created.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = poolrt::process::Queue::with_capacity(0, 16).unwrap();
    /// q.put(vec![1u8; 64]).unwrap(); // larger than the buffer: apart
    /// q.put(vec![2u8; 2]).unwrap(); // in the buffer
    /// assert_eq!(q.get().unwrap(), vec![1u8; 64]);
    /// assert_eq!(q.get().unwrap(), vec![2u8; 2]);
    /// ```
    pub fn with_capacity(maxsize: usize, bytes: usize) -> Result<Queue<T>, Error> {
        Ok(Queue {
            ring: Arc::new(Ring::create(maxsize, bytes)?),
            _items: PhantomData,
        })
    }

    /// The item's encoding, inline or in a memfd of its own (with the
    /// descriptors of the shared objects in it); the item comes back for
    /// the caller to return in an error.
    fn encode(&self, item: T) -> Result<(Payload, T), PutError<T>> {
        let failed = |item, e: String| {
            let error = Error::new(ErrorKind::Serialize, inherit::explain(e))
                .with_detail(format!("a queue item ({})", std::any::type_name::<T>()));
            Err(PutError::Failed(item, error))
        };
        let (bytes, shared) = inherit::collect(|| crate::wire::codec::to_postcard(&item));
        let bytes = match bytes {
            Ok(bytes) => bytes,
            Err(e) => return failed(item, e),
        };
        if shared.is_empty() && !self.ring.is_large(bytes.len()) {
            return Ok((Payload::Inline(bytes), item));
        }
        if shared.len() >= MAX_FDS {
            let why = format!(
                "it holds {} descriptors of shared objects; one item carries at most {}",
                shared.len(),
                MAX_FDS - 1
            );
            return failed(item, why);
        }
        match memfd_holding("poolrt-queue-item", &bytes) {
            Ok(memfd) => Ok((
                Payload::Apart([memfd].into_iter().chain(shared).collect()),
                item,
            )),
            Err(e) => {
                let error = Error::new(ErrorKind::SharedMemory, e).with_detail(format!(
                    "needed by a queue item of {} bytes, which travels in a memfd of its own",
                    bytes.len()
                ));
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
        if self.ring.closed.load(Relaxed) {
            return Err(PutError::Failed(item, closed("put")));
        }
        if self.ring.is_shutdown() {
            return Err(PutError::ShutDown(item));
        }
        let (payload, item) = self.encode(item)?;
        match self.ring.put(&payload, block, deadline) {
            Ok(Put::Done) => Ok(()),
            Ok(Put::NoRoom) => Err(PutError::Full(item)),
            Ok(Put::ShutDown) => Err(PutError::ShutDown(item)),
            Err(broken) => Err(PutError::Failed(item, broken)),
        }
    }

    /// Puts `item`, waiting for room as long as it takes.
    ///
    /// # Errors
    ///
    /// [`PutError::ShutDown`] with the item once the queue is shut down
    /// (by any process, even while this put waits).
    /// [`PutError::Failed`]: the item could not be serialized
    /// ([`ErrorKind::Serialize`]) or given a memfd, this process
    /// [`close`](Queue::close)d the queue ([`ErrorKind::Closed`]), or the
    /// queue is broken ([`ErrorKind::Broken`]: a process died inside an
    /// operation on it; see the type's docs).
    ///
    /// # Examples
    ///
    /// ```
    /// let q = poolrt::process::Queue::new(0).unwrap();
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
    /// let q = poolrt::process::Queue::new(1).unwrap();
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
    /// let q = poolrt::process::Queue::new(1).unwrap();
    /// q.put(1i32).unwrap();
    /// let error = q.put_timeout(2, Duration::from_millis(10)).unwrap_err();
    /// assert!(error.is_full());
    /// ```
    pub fn put_timeout(&self, item: T, timeout: Duration) -> Result<(), PutError<T>> {
        self.put_until(item, true, Deadline::after(timeout).instant())
    }

    fn get_until(&self, block: bool, deadline: Option<Instant>) -> Result<T, GetError> {
        if self.ring.closed.load(Relaxed) {
            return Err(GetError::Failed(closed("get")));
        }
        let (bytes, shared) = match self.ring.get(block, deadline).map_err(GetError::Failed)? {
            Got::Item(Payload::Inline(bytes)) => (bytes, Vec::new()),
            Got::Item(Payload::Apart(mut fds)) => {
                let memfd = fds.remove(0);
                let bytes = memfd_contents(memfd).map_err(|e| {
                    GetError::Failed(Error::new(ErrorKind::Io, e).with_detail(
                        "reading a queue item's memfd (a large item, or one with shared objects)",
                    ))
                })?;
                (bytes, fds)
            }
            Got::Nothing => return Err(GetError::Empty),
            Got::ShutDown => return Err(GetError::ShutDown),
        };
        // The item's shared objects hold duplicates of the descriptors
        // they use; the message's own close here.
        let (item, _shared) =
            inherit::receiving(shared, || crate::wire::codec::from_postcard(&bytes));
        item.map_err(|e| {
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
    /// [`GetError::ShutDown`] once the queue is shut down and empty (by
    /// any process, even while this get waits).
    /// [`GetError::Failed`]: the item could not be deserialized, this
    /// process [`close`](Queue::close)d the queue ([`ErrorKind::Closed`]),
    /// or the queue is broken ([`ErrorKind::Broken`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let q = poolrt::process::Queue::new(0).unwrap();
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
    /// let q: poolrt::process::Queue<u8> = poolrt::process::Queue::new(0).unwrap();
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
    /// let q: poolrt::process::Queue<u8> = poolrt::process::Queue::new(0).unwrap();
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
    /// let q = poolrt::process::Queue::new(0).unwrap();
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
    /// let q: poolrt::process::Queue<()> = poolrt::process::Queue::new(0).unwrap();
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
    /// let q = poolrt::process::Queue::new(1).unwrap();
    /// assert!(!q.full());
    /// q.put(0u8).unwrap();
    /// assert!(q.full());
    /// ```
    pub fn full(&self) -> bool {
        let maxsize = self.ring.maxsize();
        maxsize > 0 && self.ring.count() >= maxsize
    }

    /// The number of items in the queue (a snapshot): Python's [`qsize`](Self::qsize), under the name a Rust
    /// programmer looks for first.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = poolrt::process::JoinableQueue::new(0).unwrap();
    /// q.put(1u8).unwrap();
    /// assert_eq!(q.len(), 1);
    /// ```
    #[doc(alias = "qsize")]
    pub fn len(&self) -> usize {
        self.qsize()
    }

    /// Whether the queue holds no item (a snapshot): Python's [`empty`](Self::empty), under the name a Rust
    /// programmer looks for first.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = poolrt::process::SimpleQueue::new().unwrap();
    /// assert!(q.is_empty());
    /// q.put(7u8).unwrap();
    /// assert!(!q.is_empty());
    /// ```
    #[doc(alias = "empty")]
    pub fn is_empty(&self) -> bool {
        self.empty()
    }

    /// Whether the queue holds `maxsize` items (a snapshot; never for an
    /// unbounded queue): Python's [`full`](Self::full), under the name a Rust
    /// programmer looks for first.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = poolrt::process::Queue::new(1).unwrap();
    /// assert!(!q.is_full());
    /// q.put(0u8).unwrap();
    /// assert!(q.is_full());
    /// ```
    #[doc(alias = "full")]
    pub fn is_full(&self) -> bool {
        self.full()
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
            .field("shut_down", &self.ring.is_shutdown())
            .field("closed", &self.ring.closed.load(Relaxed))
            .finish()
    }
}

impl<T> Serialize for Queue<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.ring.serialize("Queue", s)
    }
}

impl<'de, T> Deserialize<'de> for Queue<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Queue<T>, D::Error> {
        Queue::deserialize_as(d, "Queue")
    }
}

impl<T> Queue<T> {
    /// Decodes a queue that travelled as `what` (see [`Ring::serialize`]).
    fn deserialize_as<'de, D: Deserializer<'de>>(d: D, what: &str) -> Result<Queue<T>, D::Error> {
        Ok(Queue {
            ring: Arc::new(Ring::deserialize(d, what)?),
            _items: PhantomData,
        })
    }
}

impl Ring {
    /// A queue travels as the indices of its three descriptors: the
    /// segment and the channel's two ends.
    fn serialize<S: Serializer>(&self, what: &str, s: S) -> Result<S::Ok, S::Error> {
        let [send, recv] = self.channel.ends();
        let mut indices = [0u32; 3];
        for (index, fd) in indices.iter_mut().zip([self.segment.as_fd(), send, recv]) {
            *index = inherit::export(fd, what).map_err(serde::ser::Error::custom)?;
        }
        indices.serialize(s)
    }

    fn deserialize<'de, D: Deserializer<'de>>(d: D, what: &str) -> Result<Ring, D::Error> {
        use serde::de::Error as _;
        let [segment, send, recv] = <[u32; 3]>::deserialize(d)?;
        let import = |index| inherit::import(index, what).map_err(D::Error::custom);
        let (segment, send, recv) = (import(segment)?, import(send)?, import(recv)?);
        let segment = Segment::adopt(segment)
            .map_err(|e| D::Error::custom(format!("cannot map the {what}: {e}")))?;
        Ring::adopt(segment, FdChannel::from_ends(send, recv)).map_err(D::Error::custom)
    }
}
