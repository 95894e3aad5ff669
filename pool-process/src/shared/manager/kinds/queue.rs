//! Queues held by a manager and their proxy (Python's `manager.Queue()`
//! and `manager.JoinableQueue()`).

use std::collections::VecDeque;
use std::marker::PhantomData;
use std::time::Duration;

use pool_core::{Error, ErrorKind};
use serde::{Deserialize, Serialize};

use super::super::object::{Caller, Handled, Shared};
use super::super::proxy::{Remote, decode, encode};
use crate::task::Wire;

type Bytes = Vec<u8>;

#[derive(Serialize, Deserialize)]
pub(crate) enum QueueCommand {
    /// Waits while full.
    Put(Bytes),
    TryPut(Bytes),
    /// Waits while empty.
    Get,
    TryGet,
    Len,
    TaskDone,
    /// Waits until every item put was marked done.
    Join,
}

#[derive(Serialize, Deserialize)]
pub(crate) enum QueueReply {
    Done,
    Full,
    Item(Option<Bytes>),
    Len(u64),
    Refused(String),
}

pub(crate) struct QueueObject {
    items: VecDeque<Bytes>,
    /// 0: no bound.
    maxsize: u64,
    unfinished: u64,
}

impl QueueObject {
    pub(crate) fn new(maxsize: u64) -> QueueObject {
        QueueObject {
            items: VecDeque::new(),
            maxsize,
            unfinished: 0,
        }
    }

    fn full(&self) -> bool {
        self.maxsize > 0 && self.items.len() as u64 >= self.maxsize
    }
}

impl Shared for QueueObject {
    type Command = QueueCommand;
    type Reply = QueueReply;

    fn handle(&mut self, command: QueueCommand, _: Caller) -> Handled<QueueReply> {
        use QueueCommand as C;
        Handled::Done(match command {
            C::Put(_) if self.full() => return Handled::Wait,
            C::TryPut(_) if self.full() => QueueReply::Full,
            C::Put(item) | C::TryPut(item) => {
                self.items.push_back(item);
                self.unfinished += 1;
                QueueReply::Done
            }
            C::Get if self.items.is_empty() => return Handled::Wait,
            C::Get | C::TryGet => QueueReply::Item(self.items.pop_front()),
            C::Len => QueueReply::Len(self.items.len() as u64),
            C::TaskDone if self.unfinished == 0 => {
                QueueReply::Refused("task_done() called too many times".to_owned())
            }
            C::TaskDone => {
                self.unfinished -= 1;
                QueueReply::Done
            }
            C::Join if self.unfinished > 0 => return Handled::Wait,
            C::Join => QueueReply::Done,
        })
    }
}

/// The proxy of a queue held by a [`Manager`](crate::Manager) (Python's
/// `manager.Queue(maxsize)` and `manager.JoinableQueue(maxsize)`: every
/// manager queue counts unfinished tasks).
///
/// # Examples
///
/// ```
/// let q = pool_process::Manager::new().unwrap().queue::<String>(0).unwrap();
/// q.put("job".into()).unwrap();
/// assert_eq!(q.get().unwrap(), "job");
/// q.task_done().unwrap();
/// q.join().unwrap();
/// ```
#[derive(Serialize, Deserialize)]
#[serde(bound = "")]
pub struct QueueProxy<T> {
    pub(crate) remote: Remote,
    #[serde(skip)]
    pub(crate) _types: PhantomData<fn() -> T>,
}

proxy_common!(QueueProxy<T>, "QueueProxy");

fn timed_out(e: &Error) -> bool {
    e.kind() == ErrorKind::Timeout
}

impl<T: Wire> QueueProxy<T> {
    /// Adds `item`, waiting while the queue is full.
    ///
    /// # Errors
    ///
    /// `item` could not be serialized; the manager is gone.
    ///
    /// # Examples
    ///
    /// See [`QueueProxy`].
    pub fn put(&self, item: T) -> Result<(), Error> {
        self.remote
            .call::<_, QueueReply>(&QueueCommand::Put(encode(&item)?), Some(None))
            .map(drop)
    }

    /// [`put`](Self::put) for at most `timeout`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Timeout`] if the queue stayed full (Python's
    /// `queue.Full`); otherwise as [`put`](Self::put).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let q = pool_process::Manager::new().unwrap().queue(1).unwrap();
    /// q.put(1).unwrap();
    /// assert!(q.put_timeout(2, Duration::from_millis(10)).unwrap_err().is_timeout());
    /// ```
    pub fn put_timeout(&self, item: T, timeout: Duration) -> Result<(), Error> {
        self.remote
            .call::<_, QueueReply>(&QueueCommand::Put(encode(&item)?), Some(Some(timeout)))
            .map(drop)
    }

    /// Adds `item` if there is room now; whether it did (Python's
    /// `put_nowait`, whose `queue.Full` is `false` here).
    ///
    /// # Errors
    ///
    /// As for [`put`](Self::put).
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_process::Manager::new().unwrap().queue(1).unwrap();
    /// assert!(q.try_put(1).unwrap());
    /// assert!(!q.try_put(2).unwrap());
    /// ```
    pub fn try_put(&self, item: T) -> Result<bool, Error> {
        match self
            .remote
            .call(&QueueCommand::TryPut(encode(&item)?), None)?
        {
            QueueReply::Done => Ok(true),
            _ => Ok(false),
        }
    }

    /// Takes the oldest item, waiting while the queue is empty.
    ///
    /// # Errors
    ///
    /// The item is not a `T`; the manager is gone.
    ///
    /// # Examples
    ///
    /// See [`QueueProxy`].
    pub fn get(&self) -> Result<T, Error> {
        self.item(self.remote.call(&QueueCommand::Get, Some(None))?)?
            .ok_or_else(unexpected)
    }

    /// [`get`](Self::get) for at most `timeout`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Timeout`] if the queue stayed empty (Python's
    /// `queue.Empty`); otherwise as [`get`](Self::get).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let q = pool_process::Manager::new().unwrap().queue::<u8>(0).unwrap();
    /// assert!(q.get_timeout(Duration::from_millis(10)).unwrap_err().is_timeout());
    /// ```
    pub fn get_timeout(&self, timeout: Duration) -> Result<T, Error> {
        self.item(self.remote.call(&QueueCommand::Get, Some(Some(timeout)))?)?
            .ok_or_else(unexpected)
    }

    /// The oldest item if there is one now (Python's `get_nowait`).
    ///
    /// # Errors
    ///
    /// As for [`get`](Self::get).
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_process::Manager::new().unwrap().queue::<u8>(0).unwrap();
    /// assert_eq!(q.try_get().unwrap(), None);
    /// ```
    pub fn try_get(&self) -> Result<Option<T>, Error> {
        self.item(self.remote.call(&QueueCommand::TryGet, None)?)
    }

    fn item(&self, reply: QueueReply) -> Result<Option<T>, Error> {
        match reply {
            QueueReply::Item(bytes) => bytes.map(|b| decode(&b)).transpose(),
            _ => Err(unexpected()),
        }
    }

    /// The number of items (Python's `qsize()`).
    ///
    /// # Errors
    ///
    /// The manager is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = pool_process::Manager::new().unwrap().queue(0).unwrap();
    /// q.put('x').unwrap();
    /// assert_eq!(q.qsize().unwrap(), 1);
    /// ```
    pub fn qsize(&self) -> Result<usize, Error> {
        match self.remote.call(&QueueCommand::Len, None)? {
            QueueReply::Len(n) => Ok(n as usize),
            _ => Err(unexpected()),
        }
    }

    /// Marks one item taken as processed (Python's `task_done()`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidState`] when called more times than items
    /// were put; the manager is gone.
    ///
    /// # Examples
    ///
    /// See [`QueueProxy`].
    pub fn task_done(&self) -> Result<(), Error> {
        match self.remote.call(&QueueCommand::TaskDone, None)? {
            QueueReply::Done => Ok(()),
            QueueReply::Refused(why) => {
                Err(Error::from_kind(ErrorKind::InvalidState).with_detail(why))
            }
            _ => Err(unexpected()),
        }
    }

    /// Waits until every item put was marked done (Python's `join()`).
    ///
    /// # Errors
    ///
    /// The manager is gone.
    ///
    /// # Examples
    ///
    /// See [`QueueProxy`].
    pub fn join(&self) -> Result<(), Error> {
        self.remote
            .call::<_, QueueReply>(&QueueCommand::Join, Some(None))
            .map(drop)
    }

    /// [`join`](Self::join) for at most `timeout`; whether every item was
    /// done.
    ///
    /// # Errors
    ///
    /// The manager is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let q = pool_process::Manager::new().unwrap().queue(0).unwrap();
    /// q.put(1).unwrap();
    /// assert!(!q.join_timeout(Duration::from_millis(10)).unwrap());
    /// ```
    pub fn join_timeout(&self, timeout: Duration) -> Result<bool, Error> {
        match self
            .remote
            .call::<_, QueueReply>(&QueueCommand::Join, Some(Some(timeout)))
        {
            Ok(_) => Ok(true),
            Err(e) if timed_out(&e) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

fn unexpected() -> Error {
    Error::from_kind(ErrorKind::Deserialize)
        .with_detail("an unexpected reply from the manager's queue")
}
