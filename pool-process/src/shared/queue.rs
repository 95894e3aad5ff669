//! `Queue` and `JoinableQueue`: Python's `multiprocessing.Queue` and
//! `JoinableQueue`, FIFO queues shared by processes.
//!
//! # Layout of the shared segment
//!
//! A header of words, then a ring buffer of `capacity` bytes holding the
//! items as `u32` length + postcard bytes, wrapping at the end. `head` and
//! `tail` count bytes taken and added since creation (so `tail - head` is
//! the bytes in use). Every field but the futex words is read and written
//! only under the mutex word; the `*_WAITERS` counts let a producer or
//! consumer skip the wake-up system call when nobody sleeps.
//!
//! Items are encoded before the mutex is taken and decoded after it is
//! released, so the mutex covers only two copies and some arithmetic.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use pool_core::{Error, ErrorKind};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::futex::{ALL, RawMutex, Signal};
use super::{create_error, deadline_after, deserialize_segment, inherit, serialize_fd};
use crate::sys::segment::Segment;
use crate::task::Wire;

const LOCK: usize = 0;
const NOT_EMPTY: usize = 4;
const NOT_FULL: usize = 8;
const ALL_DONE: usize = 12;
const GET_WAITERS: usize = 16;
const PUT_WAITERS: usize = 20;
const JOIN_WAITERS: usize = 24;
const HEAD: usize = 32;
const TAIL: usize = 40;
const COUNT: usize = 48;
const UNFINISHED: usize = 56;
const MAXSIZE: usize = 64;
const CAPACITY: usize = 72;
const DATA: usize = 128;

/// Ring bytes a queue gets unless told otherwise. Pages are only used as
/// items reach them.
const DEFAULT_CAPACITY: usize = 1 << 20;

/// Bytes before each item in the ring: its length.
const ITEM_HEAD: usize = 4;

/// Why a put failed. The item is handed back either way.
///
/// # Examples
///
/// ```
/// use pool_process::{PutError, Queue};
///
/// let q = Queue::new(1).unwrap();
/// q.put(1u32).unwrap();
/// let refused = q.put_nowait(2).unwrap_err();
/// assert!(refused.is_full());
/// assert_eq!(refused.into_inner(), 2);
/// ```
pub enum PutError<T> {
    /// The queue is full (Python's `queue.Full`).
    #[doc(alias = "queue.Full")]
    Full(T),
    /// The item could not be serialized, or does not fit the queue's
    /// buffer; the error says which.
    Failed(T, Error),
}

impl<T> PutError<T> {
    /// The item that was not put.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_process::Queue::new(1).unwrap();
    /// q.put("a".to_owned()).unwrap();
    /// assert_eq!(q.put_nowait("b".to_owned()).unwrap_err().into_inner(), "b");
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            PutError::Full(item) | PutError::Failed(item, _) => item,
        }
    }

    /// Whether the queue was full.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_process::Queue::new(1).unwrap();
    /// q.put(1u8).unwrap();
    /// assert!(q.put_nowait(2).unwrap_err().is_full());
    /// ```
    pub fn is_full(&self) -> bool {
        matches!(self, PutError::Full(_))
    }
}

impl<T> fmt::Debug for PutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PutError::Full(_) => f.write_str("Full(..)"),
            PutError::Failed(_, error) => write!(f, "Failed(.., {error:?})"),
        }
    }
}

impl<T> fmt::Display for PutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PutError::Full(_) => f.write_str("queue is full"),
            PutError::Failed(_, error) => write!(f, "cannot put the item: {error}"),
        }
    }
}

impl<T> std::error::Error for PutError<T> {}

/// Why a get failed.
///
/// # Examples
///
/// ```
/// use pool_process::{GetError, Queue};
///
/// let q: Queue<u32> = Queue::new(0).unwrap();
/// assert!(matches!(q.get_nowait(), Err(GetError::Empty)));
/// ```
#[derive(Debug)]
pub enum GetError {
    /// No item came in time (Python's `queue.Empty`).
    #[doc(alias = "queue.Empty")]
    Empty,
    /// The item was taken but could not be deserialized.
    Failed(Error),
}

impl GetError {
    /// Whether the queue was empty.
    ///
    /// # Examples
    ///
    /// ```
    /// let q: pool_process::Queue<u32> = pool_process::Queue::new(0).unwrap();
    /// assert!(q.get_nowait().unwrap_err().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        matches!(self, GetError::Empty)
    }
}

impl fmt::Display for GetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GetError::Empty => f.write_str("queue is empty"),
            GetError::Failed(error) => write!(f, "cannot get the item: {error}"),
        }
    }
}

impl std::error::Error for GetError {}

/// The shared ring both queue types are built on.
struct Ring {
    segment: Segment,
    capacity: usize,
}

impl Ring {
    fn create(maxsize: usize, capacity: usize) -> Result<Ring, Error> {
        if capacity < ITEM_HEAD + 1 {
            return Err(Error::from_kind(ErrorKind::InvalidConfig)
                .with_detail(format!("a queue buffer of {capacity} bytes holds no item")));
        }
        let segment = Segment::create("poolrt-queue", DATA + capacity)
            .map_err(|e| create_error("Queue", e))?;
        segment.u64_at(MAXSIZE).store(maxsize as u64, Relaxed);
        segment.u64_at(CAPACITY).store(capacity as u64, Relaxed);
        Ok(Ring { segment, capacity })
    }

    fn adopt(segment: Segment) -> Result<Ring, String> {
        let capacity = segment.u64_at(CAPACITY).load(Relaxed) as usize;
        if capacity == 0 || DATA + capacity > segment.len() {
            return Err("the inherited queue memory is not a queue".to_owned());
        }
        Ok(Ring { segment, capacity })
    }

    fn mutex(&self) -> RawMutex<'_> {
        RawMutex(self.segment.u32_at(LOCK))
    }

    fn word(&self, at: usize) -> u64 {
        self.segment.u64_at(at).load(Relaxed)
    }

    fn set(&self, at: usize, value: u64) {
        self.segment.u64_at(at).store(value, Relaxed);
    }

    /// Copies `bytes` into the ring at stream position `at`, wrapping.
    fn write_wrapped(&self, at: u64, bytes: &[u8]) {
        let offset = (at % self.capacity as u64) as usize;
        let first = bytes.len().min(self.capacity - offset);
        self.segment.write(DATA + offset, &bytes[..first]);
        self.segment.write(DATA, &bytes[first..]);
    }

    fn read_wrapped(&self, at: u64, out: &mut [u8]) {
        let offset = (at % self.capacity as u64) as usize;
        let first = out.len().min(self.capacity - offset);
        self.segment.read(DATA + offset, &mut out[..first]);
        self.segment.read(DATA, &mut out[first..]);
    }

    /// Adds one encoded item, waiting for room until `deadline` (`None`:
    /// forever) if `block`. False if there was no room in time.
    fn put(&self, bytes: &[u8], mut block: bool, deadline: Option<Instant>) -> bool {
        let need = (ITEM_HEAD + bytes.len()) as u64;
        if !self.mutex().lock(deadline) {
            return false;
        }
        loop {
            let maxsize = self.word(MAXSIZE);
            let count = self.word(COUNT);
            let (head, tail) = (self.word(HEAD), self.word(TAIL));
            let free = self.capacity as u64 - (tail - head);
            if (maxsize == 0 || count < maxsize) && free >= need {
                self.write_wrapped(tail, &(bytes.len() as u32).to_le_bytes());
                self.write_wrapped(tail + ITEM_HEAD as u64, bytes);
                self.set(TAIL, tail + need);
                self.set(COUNT, count + 1);
                self.set(UNFINISHED, self.word(UNFINISHED) + 1);
                let signal = Signal(self.segment.u32_at(NOT_EMPTY));
                signal.bump();
                let sleepers = self.segment.u32_at(GET_WAITERS).load(Relaxed) > 0;
                self.mutex().unlock();
                if sleepers {
                    signal.wake(1);
                }
                return true;
            }
            if !block {
                self.mutex().unlock();
                return false;
            }
            block = self.sleep(NOT_FULL, PUT_WAITERS, deadline);
        }
    }

    /// Takes one encoded item, waiting until `deadline` if `block`.
    fn get(&self, mut block: bool, deadline: Option<Instant>) -> Option<Vec<u8>> {
        if !self.mutex().lock(deadline) {
            return None;
        }
        loop {
            let count = self.word(COUNT);
            if count > 0 {
                let head = self.word(HEAD);
                let mut len = [0u8; ITEM_HEAD];
                self.read_wrapped(head, &mut len);
                let len = u32::from_le_bytes(len) as usize;
                let mut bytes = vec![0u8; len];
                self.read_wrapped(head + ITEM_HEAD as u64, &mut bytes);
                self.set(HEAD, head + (ITEM_HEAD + len) as u64);
                self.set(COUNT, count - 1);
                let signal = Signal(self.segment.u32_at(NOT_FULL));
                signal.bump();
                let sleepers = self.segment.u32_at(PUT_WAITERS).load(Relaxed) > 0;
                self.mutex().unlock();
                if sleepers {
                    // Every producer: the room freed may suit a smaller
                    // item than the first sleeper's.
                    signal.wake(ALL);
                }
                return Some(bytes);
            }
            if !block {
                self.mutex().unlock();
                return None;
            }
            block = self.sleep(NOT_EMPTY, GET_WAITERS, deadline);
        }
    }

    /// With the mutex held: sleeps on `signal` as one of `waiters`, and
    /// takes the mutex again. False once `deadline` has passed (the caller
    /// then checks one last time without blocking).
    fn sleep(&self, signal: usize, waiters: usize, deadline: Option<Instant>) -> bool {
        let waiters = self.segment.u32_at(waiters);
        waiters.fetch_add(1, Relaxed);
        let in_time = Signal(self.segment.u32_at(signal)).wait_unlocked(&self.mutex(), deadline);
        waiters.fetch_sub(1, Relaxed);
        in_time
    }

    fn task_done(&self) -> Result<(), Error> {
        self.mutex().lock(None);
        let unfinished = self.word(UNFINISHED);
        if unfinished == 0 {
            self.mutex().unlock();
            return Err(Error::from_kind(ErrorKind::InvalidState)
                .with_detail("task_done() called more times than items were put"));
        }
        self.set(UNFINISHED, unfinished - 1);
        let signal = Signal(self.segment.u32_at(ALL_DONE));
        let sleepers = unfinished == 1 && self.segment.u32_at(JOIN_WAITERS).load(Relaxed) > 0;
        if unfinished == 1 {
            signal.bump();
        }
        self.mutex().unlock();
        if sleepers {
            signal.wake(ALL);
        }
        Ok(())
    }

    fn join(&self, deadline: Option<Instant>) -> bool {
        if !self.mutex().lock(deadline) {
            return false;
        }
        loop {
            if self.word(UNFINISHED) == 0 {
                self.mutex().unlock();
                return true;
            }
            if !self.sleep(ALL_DONE, JOIN_WAITERS, deadline) {
                let done = self.word(UNFINISHED) == 0;
                self.mutex().unlock();
                return done;
            }
        }
    }
}

/// A FIFO queue shared by processes: Python's `multiprocessing.Queue`.
///
/// Items are any [`Wire`] values, copied through shared memory. `maxsize`
/// bounds the number of items (0: no bound); the buffer bounds their
/// total encoded bytes (1 MiB unless set with
/// [`with_capacity`](Queue::with_capacity)). Pass it to a child as an
/// argument of its [`Process`](crate::Process); clones share the queue.
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

/// A [`Queue`] that also counts unfinished items: Python's
/// `multiprocessing.JoinableQueue`. Every [`get`](Queue::get) is
/// to be followed by a [`task_done`](JoinableQueue::task_done);
/// [`join`](JoinableQueue::join) waits until every item put was done.
///
/// # Examples
///
/// ```
/// use pool_process::{JoinableQueue, Process};
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
/// let consumer = Process::builder().daemon(true).target(consume, (q.clone(),));
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
    /// assert!(error.to_string().contains("does not fit"), "{error}");
    /// ```
    pub fn with_capacity(maxsize: usize, bytes: usize) -> Result<Queue<T>, Error> {
        Ok(Queue {
            ring: Arc::new(Ring::create(maxsize, bytes)?),
            _items: PhantomData,
        })
    }

    fn encode(&self, item: T) -> Result<(Vec<u8>, T), PutError<T>> {
        match postcard::to_stdvec(&item) {
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
        if self.ring.put(&bytes, block, deadline) {
            Ok(())
        } else {
            Err(PutError::Full(item))
        }
    }

    /// Puts `item`, waiting for room as long as it takes.
    ///
    /// # Errors
    ///
    /// [`PutError::Failed`]: the item could not be serialized or does not
    /// fit the buffer.
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
        self.put_until(item, true, deadline_after(timeout))
    }

    fn get_until(&self, block: bool, deadline: Option<Instant>) -> Result<T, GetError> {
        let bytes = self.ring.get(block, deadline).ok_or(GetError::Empty)?;
        postcard::from_bytes(&bytes).map_err(|e| {
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
    /// [`GetError::Failed`]: the item could not be deserialized.
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
        self.get_until(true, deadline_after(timeout))
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
        self.ring.word(COUNT) as usize
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
        let maxsize = self.ring.word(MAXSIZE);
        maxsize > 0 && self.ring.word(COUNT) >= maxsize
    }
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
    /// let q = pool_process::JoinableQueue::new(4).unwrap();
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
    /// let q = pool_process::JoinableQueue::<u8>::with_capacity(0, 4096).unwrap();
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
    /// [`ErrorKind::InvalidState`] if called more times than items were
    /// put (Python's `ValueError`).
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_process::JoinableQueue::new(0).unwrap();
    /// q.put(1u8).unwrap();
    /// q.get().unwrap();
    /// q.task_done().unwrap();
    /// assert!(q.task_done().is_err());
    /// ```
    pub fn task_done(&self) -> Result<(), Error> {
        self.queue.ring.task_done()
    }

    /// Waits until every item put has been marked done.
    ///
    /// # Examples
    ///
    /// ```
    /// let q: pool_process::JoinableQueue<u8> = pool_process::JoinableQueue::new(0).unwrap();
    /// q.join(); // nothing was put
    /// ```
    pub fn join(&self) {
        self.queue.ring.join(None);
    }

    /// Waits at most `timeout`; true if every item put was marked done.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let q = pool_process::JoinableQueue::new(0).unwrap();
    /// q.put(1u8).unwrap();
    /// assert!(!q.join_timeout(Duration::from_millis(10)));
    /// q.get().unwrap();
    /// q.task_done().unwrap();
    /// assert!(q.join_timeout(Duration::from_millis(10)));
    /// ```
    pub fn join_timeout(&self, timeout: Duration) -> bool {
        self.queue.ring.join(deadline_after(timeout))
    }
}

impl<T> std::ops::Deref for JoinableQueue<T> {
    type Target = Queue<T>;

    fn deref(&self) -> &Queue<T> {
        &self.queue
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

impl<T> Clone for JoinableQueue<T> {
    fn clone(&self) -> JoinableQueue<T> {
        JoinableQueue {
            queue: self.queue.clone(),
        }
    }
}

impl<T> fmt::Debug for Queue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Queue")
            .field("qsize", &self.ring.word(COUNT))
            .field("maxsize", &self.ring.word(MAXSIZE))
            .finish()
    }
}

impl<T> fmt::Debug for JoinableQueue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinableQueue")
            .field("qsize", &self.queue.ring.word(COUNT))
            .field("unfinished", &self.queue.ring.word(UNFINISHED))
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

impl<T> Serialize for JoinableQueue<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_fd(&self.queue.ring.segment, "JoinableQueue", s)
    }
}

impl<'de, T> Deserialize<'de> for JoinableQueue<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<JoinableQueue<T>, D::Error> {
        Ok(JoinableQueue {
            queue: Queue::deserialize(d)?,
        })
    }
}

/// An unbounded [`Queue`]: Python's `multiprocessing.SimpleQueue`. It
/// derefs to the `Queue`, whose methods it shares.
///
/// # Examples
///
/// ```
/// use pool_process::{Process, SimpleQueue};
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
    /// let q = pool_process::SimpleQueue::<String>::new().unwrap();
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
