//! `Pipe` and `Connection`: Python's `multiprocessing.Pipe`, two connected
//! ends that send and receive whole values or byte messages.
//!
//! The ends are a Unix socket pair (a [`Listener`](crate::connection::Listener) or a
//! [`Client`](crate::connection::Client) gives a `Connection` over any stream
//! socket). Messages use CPython's framing (`frame.rs`): a typed value is
//! its postcard bytes in one message, so [`Connection::recv_bytes`] sees
//! those bytes, as Python's `recv_bytes` sees the pickle. A send writes
//! the message whole with `MSG_NOSIGNAL` (a closed peer is an error
//! value, not a `SIGPIPE`), and within a process a mutex per direction
//! keeps concurrent senders' or receivers' messages apart.
//!
//! A value holding shared objects is encoded inside `inherit::collect`;
//! the descriptors collected go with the message's first bytes
//! (`SCM_RIGHTS`), arrive with them (`frame.rs`), and the value is decoded
//! inside `inherit::receiving`, which makes them the import table of that
//! one decode. A kept message keeps its descriptors; any other message's
//! close once it is decoded or dropped.
//!
//! Every call that can wait has a timeout form. A receive that times out
//! part-way through a message keeps the bytes it has (the next receive
//! goes on from there); a send that times out before its first byte sent
//! nothing, and one that times out part-way has left the stream out of
//! step, so that end refuses to send again ([`ErrorKind::Broken`]).
//!
//! # Who may touch what
//!
//! | state | guarded by | touched by |
//! |-------|------------|------------|
//! | the descriptor | `socket` (held only to clone or take the `Arc`) | every call; `close` takes it, and an in-flight call keeps it open until it returns |
//! | the kept message (and its descriptors), the partial frame, a refusal | `reader` | receives, `poll`, `wait` |
//! | a torn send | `writer` | sends |

use std::fmt;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use pool_core::{Error, ErrorKind};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::frame::{Frame, Message, Outcome};
use crate::sys::socket::wait_readable;
use crate::task::Wire;
use crate::wire::{codec, inherit};

/// The receiving side of a [`Connection`]: the message a failed receive
/// gave back, which the next receive takes first, the message a timed-out
/// receive had begun to read, and, once a `recv_bytes` refused a message
/// over its `maxlength`, that message's length: the body was left unread,
/// so this end receives no more.
pub(super) struct Reader {
    pub(super) kept: Option<Message>,
    partial: Frame,
    refused: Option<u64>,
}

/// The sending side of a [`Connection`]: whether a timed-out send left
/// part of a message on the socket.
pub(super) struct Writer {
    pub(super) torn: bool,
}

/// A receive's answer to a whole message: the value it wanted, or the
/// message back (to keep for the next receive) with the error to report.
pub(super) type Taken<T, M = Vec<u8>> = Result<T, (M, Error)>;

/// Python's `Pipe()`: two connected [`Connection`]s. With `duplex`, both
/// ends send and receive; without, the first only receives and the
/// second only sends (Python's `Pipe(duplex=False)`).
///
/// # Errors
///
/// The socket pair could not be created.
///
/// # Examples
///
/// ```
/// use poolrt::process::{Connection, Pipe, Process};
///
/// fn child(conn: Connection) {
///     conn.send(&(42, None::<u8>, "hello from child".to_owned())).unwrap();
/// }
///
/// let (parent_end, child_end) = Pipe(true).unwrap();
/// let p = Process::new(child, (child_end,));
/// p.start().unwrap();
/// let got: (i32, Option<u8>, String) = parent_end.recv().unwrap();
/// assert_eq!(got, (42, None, "hello from child".to_owned()));
/// p.join().unwrap();
/// ```
#[allow(non_snake_case)]
pub fn Pipe(duplex: bool) -> Result<(Connection, Connection), Error> {
    let (a, b) = UnixStream::pair()
        .map_err(|e| Error::new(ErrorKind::Io, e).with_detail("creating the pipe's socket pair"))?;
    Ok((
        Connection::new(a.into(), true, duplex, "the pipe".to_owned()),
        Connection::new(b.into(), duplex, true, "the pipe".to_owned()),
    ))
}

/// One end of a [`Pipe`], or of a connection made by a
/// [`Listener`](crate::connection::Listener) and a [`Client`](crate::connection::Client): sends
/// and receives whole [`Wire`] values ([`send`](Connection::send),
/// [`recv`](Connection::recv)) and byte messages
/// ([`send_bytes`](Connection::send_bytes),
/// [`recv_bytes`](Connection::recv_bytes)). Pass it to a child as an
/// argument of its [`Process`](crate::Process).
///
/// A value sent may hold shared objects: another `Connection` end, an
/// [`Fd`](crate::Fd), a [`Lock`](crate::Lock), a [`Queue`](crate::Queue),
/// a [`Value`](crate::Value)... Over a Unix socket (a [`Pipe`], or a
/// [`Listener`](crate::connection::Listener) on a Unix address) their
/// descriptors travel with the message (`SCM_RIGHTS`, as Python's
/// `multiprocessing.reduction` sends a `Connection`), so a process that is
/// already running receives the same objects; at most 253 descriptors a
/// message. A receive that fails keeps them with the message.
///
/// ```
/// use poolrt::process::{Lock, Pipe};
///
/// let (a, b) = Pipe(true).unwrap();
/// let (mine, theirs) = Pipe(true).unwrap();
/// let lock = Lock::new().unwrap();
/// a.send(&(theirs, lock.clone())).unwrap();
/// let (theirs, same_lock) = b.recv::<(poolrt::process::Connection, Lock)>().unwrap();
/// theirs.send(&"through the end that travelled").unwrap();
/// assert_eq!(mine.recv::<String>().unwrap(), "through the end that travelled");
/// lock.acquire();
/// assert!(!same_lock.try_acquire(), "the same lock");
/// lock.release().unwrap();
/// ```
///
/// # Examples
///
/// ```
/// let (a, b) = poolrt::process::Pipe(true).unwrap();
/// a.send(&vec![1, 2, 3]).unwrap();
/// b.send(&"pong").unwrap();
/// assert_eq!(b.recv::<Vec<i32>>().unwrap(), [1, 2, 3]);
/// assert_eq!(a.recv::<String>().unwrap(), "pong");
/// ```
///
/// A [`recv`](Connection::recv) whose message is not a `T` fails with
/// [`ErrorKind::Deserialize`] and keeps the message (where Python's `recv`
/// loses it): the next receive on this handle gets it again, as any type.
///
/// ```
/// let (a, b) = poolrt::process::Pipe(true).unwrap();
/// a.send(&"not a number").unwrap();
/// assert!(b.recv::<u64>().is_err());
/// assert_eq!(b.recv::<String>().unwrap(), "not a number");
/// ```
pub struct Connection {
    /// `None` once closed.
    pub(super) socket: Mutex<Option<Arc<OwnedFd>>>,
    pub(super) reader: Mutex<Reader>,
    pub(super) writer: Mutex<Writer>,
    /// Cleared when a `recv_bytes` refuses a message over its maxlength.
    /// Cleared under `reader`, and every receive reads it again under
    /// `reader`, so Relaxed suffices: the lock orders the two.
    pub(super) readable: AtomicBool,
    pub(super) writable: bool,
    /// What errors call it: "the pipe", "the connection to ...".
    pub(super) on: String,
    /// The longest message any receive accepts (a peer's header over it
    /// is refused before anything is allocated); `None`: no cap. Set on
    /// the connections a `Listener` accepts and a `Client` makes.
    pub(super) max_message: Option<usize>,
}

impl Connection {
    pub(super) fn new(socket: OwnedFd, readable: bool, writable: bool, on: String) -> Connection {
        Connection {
            socket: Mutex::new(Some(Arc::new(socket))),
            reader: Mutex::new(Reader {
                kept: None,
                partial: Frame::default(),
                refused: None,
            }),
            writer: Mutex::new(Writer { torn: false }),
            readable: AtomicBool::new(readable),
            writable,
            on,
            max_message: None,
        }
    }

    /// The descriptor, for one call: a `close` meanwhile leaves it open
    /// until the call returns.
    pub(super) fn socket(&self) -> Result<Arc<OwnedFd>, Error> {
        self.socket.lock().clone().ok_or_else(|| {
            Error::from_kind(ErrorKind::InvalidState)
                .with_detail(format!("{} was closed on this end (close())", self.on))
        })
    }

    pub(super) fn refuse(&self, what: &str) -> Error {
        let why = match self.reader.try_lock().and_then(|reader| reader.refused) {
            Some(len) => format!(
                "it stopped receiving when a recv_bytes refused a message of {len} bytes \
                 over its maxlength"
            ),
            None if self.readable() => "it is read-only (a one-way Pipe)".to_owned(),
            None => "it is write-only (a one-way Pipe)".to_owned(),
        };
        Error::from_kind(ErrorKind::InvalidState)
            .with_detail(format!("this end of {} cannot {what}: {why}", self.on))
    }

    /// Receives the next value, waiting as long as it takes (Python's
    /// `recv`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Closed`] when the other end was closed and nothing is
    /// left to read (Python's `EOFError`); [`ErrorKind::Deserialize`] if the
    /// message is not a `T` (the message stays for the next receive); [`ErrorKind::Io`] if the socket failed
    /// otherwise (the other end closed with data unread: Python's
    /// `ConnectionResetError`); [`ErrorKind::InvalidState`] on the sending
    /// end of a one-way pipe.
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, b) = poolrt::process::Pipe(true).unwrap();
    /// a.send(&'x').unwrap();
    /// drop(a);
    /// assert_eq!(b.recv::<char>().unwrap(), 'x');
    /// assert_eq!(b.recv::<char>().unwrap_err().kind(), poolrt::ErrorKind::Closed);
    /// ```
    pub fn recv<T: Wire>(&self) -> Result<T, Error> {
        self.recv_until(None)
    }

    /// Receives the next value, waiting at most `timeout` for it to start
    /// arriving.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Timeout`] if nothing came in time; otherwise as for
    /// [`recv`](Connection::recv).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let (a, _b) = poolrt::process::Pipe(true).unwrap();
    /// let error = a.recv_timeout::<u32>(Duration::from_millis(10)).unwrap_err();
    /// assert_eq!(error.kind(), poolrt::ErrorKind::Timeout);
    /// ```
    pub fn recv_timeout<T: Wire>(&self, timeout: Duration) -> Result<T, Error> {
        self.recv_until(until(timeout)?)
    }

    fn recv_until<T: Wire>(&self, deadline: Option<Instant>) -> Result<T, Error> {
        self.recv_whole(None, deadline, |Message { body, fds }| {
            // The value's shared objects take duplicates of the message's
            // descriptors, which close when it is dropped.
            let (value, fds) = inherit::receiving(fds, || codec::from_postcard(&body));
            value.map_err(|message| {
                // Kept for the next receive, descriptors and all: a wrong
                // guess at the type does not lose the message.
                let error = Error::new(ErrorKind::Deserialize, message).with_detail(format!(
                    "a message on {} ({}); the message is kept for the next receive",
                    self.on,
                    std::any::type_name::<T>()
                ));
                (Message { body, fds }, error)
            })
        })
    }

    /// Receives the next message, at most `max` bytes long, and hands its
    /// bytes to `take` under the receive lock; what `take` gives back is
    /// kept for the next receive (with the descriptors that came with it,
    /// which are closed otherwise).
    pub(super) fn recv_message<T>(
        &self,
        max: Option<usize>,
        deadline: Option<Instant>,
        take: impl FnOnce(Vec<u8>) -> Taken<T>,
    ) -> Result<T, Error> {
        self.recv_whole(max, deadline, |Message { body, fds }| {
            take(body).map_err(|(body, error)| (Message { body, fds }, error))
        })
    }

    /// [`recv_message`](Self::recv_message), handing `take` the whole
    /// message, descriptors and all.
    fn recv_whole<T>(
        &self,
        max: Option<usize>,
        deadline: Option<Instant>,
        take: impl FnOnce(Message) -> Taken<T, Message>,
    ) -> Result<T, Error> {
        if !self.readable() {
            return Err(self.refuse("receive"));
        }
        let max = match (max, self.max_message) {
            (Some(asked), Some(cap)) => Some(asked.min(cap)),
            (asked, cap) => asked.or(cap),
        };
        let socket = self.socket()?;
        let mut reader = match deadline {
            None => self.reader.lock(),
            Some(deadline) => self.reader.try_lock_until(deadline).ok_or_else(|| {
                no_message("another thread was receiving on this end; nothing was read")
            })?,
        };
        if !self.readable() {
            // Another receiver refused a message meanwhile.
            drop(reader);
            return Err(self.refuse("receive"));
        }
        let message = match reader.kept.take() {
            Some(kept) if max.is_some_and(|max| kept.body.len() > max) => {
                let len = kept.body.len();
                reader.kept = Some(kept);
                return Err(too_long(
                    len as u64,
                    max,
                    "the message stays for the next receive",
                ));
            }
            Some(kept) => kept,
            None => {
                let reader = &mut *reader;
                match reader
                    .partial
                    .read(socket.as_fd(), max, deadline, &self.on)?
                {
                    Outcome::Message(message) => message,
                    Outcome::TimedOut if reader.partial.started() => {
                        return Err(no_message(
                            "only part of a message arrived in time; the next receive reads the rest",
                        ));
                    }
                    Outcome::TimedOut => {
                        return Err(no_message("no message arrived in time"));
                    }
                    Outcome::TooLong(len) => {
                        // As Python: the body is left unread, so this end
                        // stops receiving (and closes, if it cannot send).
                        reader.refused = Some(len);
                        self.readable.store(false, Ordering::Relaxed);
                        if !self.writable {
                            self.close();
                        }
                        return Err(too_long(len, max, "this end can receive no more"));
                    }
                }
            }
        };
        take(message).map_err(|(message, error)| {
            reader.kept = Some(message);
            error
        })
    }

    /// Whether a message (or the end of the stream) is waiting, after
    /// waiting at most `timeout` (Python's `poll(timeout)`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidState`] on the sending end of a one-way pipe
    /// (as [`recv`](Self::recv)), after [`close`](Self::close), or once a
    /// [`recv_bytes`](Self::recv_bytes) refused a message over its
    /// `maxlength`; [`ErrorKind::Io`] if the socket failed.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let (a, b) = poolrt::process::Pipe(true).unwrap();
    /// assert!(!b.poll(Duration::ZERO).unwrap());
    /// a.send(&1u8).unwrap();
    /// assert!(b.poll(Duration::from_secs(10)).unwrap());
    /// ```
    pub fn poll(&self, timeout: Duration) -> Result<bool, Error> {
        if !self.readable() {
            return Err(self.refuse("poll"));
        }
        let socket = self.socket()?;
        let reader = self.reader.lock();
        if !self.readable() {
            drop(reader);
            return Err(self.refuse("poll"));
        }
        if reader.kept.is_some() || reader.partial.started() {
            return Ok(true);
        }
        wait_readable(&*socket, pool_core::Deadline::after(timeout).instant()).map_err(|e| {
            Error::new(ErrorKind::Io, e).with_detail(format!("waiting on {}", self.on))
        })
    }

    /// Whether a receive would find a message already read (kept by a
    /// failed receive, or begun by a timed-out one), without waiting for
    /// the receive lock: `None` when another thread holds it.
    pub(super) fn buffered(&self) -> Option<bool> {
        self.reader
            .try_lock()
            .map(|reader| reader.kept.is_some() || reader.partial.started())
    }
}

/// `timeout` from now, as a deadline.
pub(super) fn until(timeout: Duration) -> Result<Option<Instant>, Error> {
    Instant::now()
        .checked_add(timeout)
        .map(Some)
        .ok_or_else(|| Error::from_kind(ErrorKind::InvalidConfig).with_detail("timeout too large"))
}

/// A receive's timeout error.
fn no_message(why: &'static str) -> Error {
    Error::from_kind(ErrorKind::Timeout).with_detail(why)
}

/// The error for a message longer than a receive's `maxlength` (Python's
/// "bad message length").
fn too_long(len: u64, max: Option<usize>, then: &str) -> Error {
    Error::from_kind(ErrorKind::Io).with_detail(format!(
        "bad message length: {len} bytes, over the maxlength of {}; {then}",
        max.unwrap_or(0)
    ))
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("on", &self.on)
            .field("readable", &self.readable())
            .field("writable", &self.writable)
            .field("closed", &self.closed())
            .finish()
    }
}

impl Serialize for Connection {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let socket = self.socket().map_err(serde::ser::Error::custom)?;
        let index =
            inherit::export(socket.as_fd(), "Connection").map_err(serde::ser::Error::custom)?;
        (index, self.readable(), self.writable, &self.on).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Connection {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Connection, D::Error> {
        let (index, readable, writable, on) = <(u32, bool, bool, String)>::deserialize(d)?;
        let fd = inherit::import(index, "Connection").map_err(D::Error::custom)?;
        Ok(Connection::new(fd, readable, writable, on))
    }
}
