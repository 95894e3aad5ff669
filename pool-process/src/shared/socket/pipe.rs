//! `Pipe` and `Connection`: Python's `multiprocessing.Pipe`, two connected
//! ends that send and receive whole values.
//!
//! The ends are a Unix socket pair. Each message is a `u32` length and
//! the postcard bytes; a send writes the frame whole with `MSG_NOSIGNAL`
//! (a closed peer is an error value, not a `SIGPIPE`), and within a
//! process a mutex per direction keeps concurrent senders' or receivers'
//! frames apart.
//!
//! Every call that can wait has a timeout form. A receive that times out
//! part-way through a message keeps the bytes it has (the next receive
//! goes on from there); a send that times out before its first byte sent
//! nothing, and one that times out part-way has left the stream out of
//! step, so that end refuses to send again ([`ErrorKind::Broken`]).

use std::fmt;
use std::io::Read;
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use pool_core::{Deadline, Error, ErrorKind};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::sys::socket::{send_no_signal, send_some_now, wait_readable, wait_writable};
use crate::task::Wire;
use crate::wire::{codec, inherit};

/// The receiving side of a [`Connection`]: the socket, the message a
/// failed typed receive gave back, which the next receive takes first,
/// and the message a timed-out receive had begun to read.
struct Reader {
    stream: UnixStream,
    kept: Option<Vec<u8>>,
    partial: Frame,
}

/// The sending side of a [`Connection`]: the socket, and whether a timed-
/// out send left part of a message on it.
struct Writer {
    stream: UnixStream,
    torn: bool,
}

/// A frame being read: its length prefix, then its body.
#[derive(Default)]
struct Frame {
    header: [u8; 4],
    header_filled: usize,
    body: Vec<u8>,
    body_filled: usize,
}

impl Frame {
    /// Reads until the frame is whole (then returns its body and starts
    /// afresh) or `deadline` passes (`Ok(None)`, the bytes so far kept).
    fn read(
        &mut self,
        stream: &mut UnixStream,
        deadline: Option<Instant>,
    ) -> Result<Option<Vec<u8>>, Error> {
        loop {
            let buf = if self.header_filled < 4 {
                &mut self.header[self.header_filled..]
            } else {
                let len = u32::from_le_bytes(self.header) as usize;
                if self.body_filled == len {
                    let body = std::mem::take(&mut self.body);
                    *self = Frame::default();
                    return Ok(Some(body));
                }
                self.body.resize(len, 0);
                &mut self.body[self.body_filled..]
            };
            if deadline.is_some() && !readable(stream, deadline)? {
                return Ok(None);
            }
            match stream.read(buf) {
                Ok(0) if self.header_filled == 0 => {
                    return Err(Error::from_kind(ErrorKind::Closed)
                        .with_detail("the other end of the pipe was closed"));
                }
                Ok(0) => {
                    return Err(Error::from_kind(ErrorKind::Io).with_detail(
                        "the other end of the pipe closed in the middle of a message",
                    ));
                }
                Ok(n) if self.header_filled < 4 => self.header_filled += n,
                Ok(n) => self.body_filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(Error::new(ErrorKind::Io, e).with_detail("receiving on the pipe"));
                }
            }
        }
    }
}

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
/// use pool_process::{Connection, Pipe, Process};
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
    let failed = |e| Error::new(ErrorKind::Io, e).with_detail("creating the pipe's socket pair");
    let (a, b) = UnixStream::pair().map_err(failed)?;
    Ok((
        Connection::new(a, true, duplex).map_err(failed)?,
        Connection::new(b, duplex, true).map_err(failed)?,
    ))
}

/// One end of a [`Pipe`]: sends and receives whole [`Wire`] values.
/// Pass it to a child as an argument of its [`Process`](crate::Process).
///
/// # Examples
///
/// ```
/// let (a, b) = pool_process::Pipe(true).unwrap();
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
/// let (a, b) = pool_process::Pipe(true).unwrap();
/// a.send(&"not a number").unwrap();
/// assert!(b.recv::<u64>().is_err());
/// assert_eq!(b.recv::<String>().unwrap(), "not a number");
/// ```
pub struct Connection {
    reader: Mutex<Reader>,
    writer: Mutex<Writer>,
    readable: bool,
    writable: bool,
}

impl Connection {
    fn new(stream: UnixStream, readable: bool, writable: bool) -> std::io::Result<Connection> {
        // A second handle, so a sender and a receiver never wait for each
        // other's lock.
        let writer = stream.try_clone()?;
        Ok(Connection {
            reader: Mutex::new(Reader {
                stream,
                kept: None,
                partial: Frame::default(),
            }),
            writer: Mutex::new(Writer {
                stream: writer,
                torn: false,
            }),
            readable,
            writable,
        })
    }

    fn refuse(&self, what: &str) -> Error {
        Error::from_kind(ErrorKind::InvalidState)
            .with_detail(format!("this end of a one-way Pipe cannot {what}"))
    }

    /// Sends `value` (Python's `send`). It waits only while the socket's
    /// buffer is full.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Serialize`] if `value` cannot be serialized;
    /// [`ErrorKind::Closed`] if the other end was closed;
    /// [`ErrorKind::Io`] if the socket failed otherwise;
    /// [`ErrorKind::InvalidState`] on the receiving end of a one-way pipe;
    /// [`ErrorKind::Broken`] after a [`send_timeout`](Self::send_timeout)
    /// that timed out part-way through a message.
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, b) = pool_process::Pipe(true).unwrap();
    /// drop(b);
    /// let error = a.send(&1u8).unwrap_err();
    /// assert_eq!(error.kind(), pool_core::ErrorKind::Closed);
    /// ```
    pub fn send<T: Serialize + ?Sized>(&self, value: &T) -> Result<(), Error> {
        self.send_until(value, None)
    }

    /// [`send`](Self::send), waiting at most `timeout` for room in the
    /// socket's buffer (and for another thread's send on this handle).
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send), and [`ErrorKind::Timeout`] if the message
    /// was not handed over in time. If no byte of it went out, nothing was
    /// sent and the connection is as before. If only part of it went out,
    /// the stream is out of step: the error says so, and this end refuses
    /// every later send with [`ErrorKind::Broken`] (the receiver reads the
    /// partial message, then waits or sees the end of the stream).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use pool_core::ErrorKind;
    ///
    /// let (a, b) = pool_process::Pipe(true).unwrap();
    /// // Nobody reads `b`: small messages fill the socket's buffer.
    /// let error = loop {
    ///     if let Err(e) = a.send_timeout("ping", Duration::from_millis(50)) {
    ///         break e;
    ///     }
    /// };
    /// assert_eq!(error.kind(), ErrorKind::Timeout);
    /// assert_eq!(b.recv::<String>().unwrap(), "ping", "nothing torn");
    /// ```
    pub fn send_timeout<T: Serialize + ?Sized>(
        &self,
        value: &T,
        timeout: Duration,
    ) -> Result<(), Error> {
        let deadline = Instant::now().checked_add(timeout).ok_or_else(|| {
            Error::from_kind(ErrorKind::InvalidConfig).with_detail("timeout too large")
        })?;
        self.send_until(value, Some(deadline))
    }

    fn send_until<T: Serialize + ?Sized>(
        &self,
        value: &T,
        deadline: Option<Instant>,
    ) -> Result<(), Error> {
        if !self.writable {
            return Err(self.refuse("send"));
        }
        let mut frame = vec![0u8; 4];
        frame = codec::extend_postcard(value, frame).map_err(|e| {
            Error::new(ErrorKind::Serialize, e)
                .with_detail(format!("a pipe message ({})", std::any::type_name::<T>()))
        })?;
        let len = u32::try_from(frame.len() - 4).map_err(|_| {
            Error::from_kind(ErrorKind::Serialize).with_detail("a pipe message over 4 GiB")
        })?;
        frame[..4].copy_from_slice(&len.to_le_bytes());
        let mut writer = match deadline {
            None => self.writer.lock(),
            Some(deadline) => self.writer.try_lock_until(deadline).ok_or_else(|| {
                Error::from_kind(ErrorKind::Timeout)
                    .with_detail("another thread was sending on this end; nothing was sent")
            })?,
        };
        if writer.torn {
            return Err(Error::from_kind(ErrorKind::Broken).with_detail(
                "an earlier send timed out part-way through a message; this end cannot send",
            ));
        }
        let failed = |e: std::io::Error| {
            let kind = if e.kind() == std::io::ErrorKind::BrokenPipe {
                ErrorKind::Closed
            } else {
                ErrorKind::Io
            };
            Error::new(kind, e).with_detail("sending on the pipe")
        };
        let mut rest = &frame[..];
        while !rest.is_empty() {
            let sent = match deadline {
                None => send_no_signal(&writer.stream, rest).map_err(failed)?,
                Some(deadline) => {
                    let sent = send_some_now(&writer.stream, rest).map_err(failed)?;
                    if sent == 0 && !writable(&writer.stream, deadline)? {
                        let sent = frame.len() - rest.len();
                        if sent == 0 {
                            return Err(Error::from_kind(ErrorKind::Timeout).with_detail(
                                "the pipe had no room for the message in time; nothing was sent",
                            ));
                        }
                        writer.torn = true;
                        return Err(Error::from_kind(ErrorKind::Timeout).with_detail(format!(
                            "only {sent} of the message's {} bytes were sent in time; \
                             this end cannot send any more",
                            frame.len()
                        )));
                    }
                    sent
                }
            };
            rest = &rest[sent..];
        }
        Ok(())
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
    /// let (a, b) = pool_process::Pipe(true).unwrap();
    /// a.send(&'x').unwrap();
    /// drop(a);
    /// assert_eq!(b.recv::<char>().unwrap(), 'x');
    /// assert_eq!(b.recv::<char>().unwrap_err().kind(), pool_core::ErrorKind::Closed);
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
    /// let (a, _b) = pool_process::Pipe(true).unwrap();
    /// let error = a.recv_timeout::<u32>(Duration::from_millis(10)).unwrap_err();
    /// assert_eq!(error.kind(), pool_core::ErrorKind::Timeout);
    /// ```
    pub fn recv_timeout<T: Wire>(&self, timeout: Duration) -> Result<T, Error> {
        self.recv_until(Some(Instant::now().checked_add(timeout).ok_or_else(
            || Error::from_kind(ErrorKind::InvalidConfig).with_detail("timeout too large"),
        )?))
    }

    fn recv_until<T: Wire>(&self, deadline: Option<Instant>) -> Result<T, Error> {
        if !self.readable {
            return Err(self.refuse("receive"));
        }
        let mut reader = match deadline {
            None => self.reader.lock(),
            Some(deadline) => self.reader.try_lock_until(deadline).ok_or_else(|| {
                no_message("another thread was receiving on this end; nothing was read")
            })?,
        };
        let reader = &mut *reader;
        let body = match reader.kept.take() {
            Some(body) => body,
            None => match reader.partial.read(&mut reader.stream, deadline)? {
                Some(body) => body,
                None if reader.partial.header_filled == 0 => {
                    return Err(no_message("no message on the pipe in time"));
                }
                None => {
                    return Err(no_message(
                        "only part of a message arrived in time; the next receive reads the rest",
                    ));
                }
            },
        };
        match codec::from_postcard(&body) {
            Ok(value) => Ok(value),
            Err(message) => {
                // Kept for the next receive: a wrong guess at the type
                // does not lose the message.
                reader.kept = Some(body);
                Err(
                    Error::new(ErrorKind::Deserialize, message).with_detail(format!(
                        "a pipe message ({}); the message is kept for the next receive",
                        std::any::type_name::<T>()
                    )),
                )
            }
        }
    }

    /// Whether a message (or the end of the stream) is waiting, after
    /// waiting at most `timeout` (Python's `poll(timeout)`).
    ///
    /// # Errors
    ///
    /// The socket failed.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let (a, b) = pool_process::Pipe(true).unwrap();
    /// assert!(!b.poll(Duration::ZERO).unwrap());
    /// a.send(&1u8).unwrap();
    /// assert!(b.poll(Duration::from_secs(10)).unwrap());
    /// ```
    pub fn poll(&self, timeout: Duration) -> Result<bool, Error> {
        let reader = self.reader.lock();
        if reader.kept.is_some() || reader.partial.header_filled > 0 {
            return Ok(true);
        }
        readable(&reader.stream, Deadline::after(timeout).instant())
    }

    /// A second handle to this end (Python shares an end by passing the
    /// same object to several processes; here each gets its own handle).
    ///
    /// # Errors
    ///
    /// The descriptor could not be duplicated.
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, b) = pool_process::Pipe(true).unwrap();
    /// let b2 = b.try_clone().unwrap();
    /// a.send(&1u8).unwrap();
    /// assert_eq!(b2.recv::<u8>().unwrap(), 1);
    /// drop(b2);
    /// a.send(&2u8).unwrap();
    /// assert_eq!(b.recv::<u8>().unwrap(), 2, "b is still open");
    /// ```
    pub fn try_clone(&self) -> Result<Connection, Error> {
        let stream = self
            .reader
            .lock()
            .stream
            .try_clone()
            .and_then(|s| Connection::new(s, self.readable, self.writable));
        stream.map_err(|e| Error::new(ErrorKind::Io, e).with_detail("duplicating a Connection"))
    }

    /// Whether this end can receive.
    ///
    /// # Examples
    ///
    /// ```
    /// let (reader, writer) = pool_process::Pipe(false).unwrap();
    /// assert!(reader.readable() && !reader.writable());
    /// assert!(writer.writable() && !writer.readable());
    /// ```
    pub fn readable(&self) -> bool {
        self.readable
    }

    /// Whether this end can send.
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, _b) = pool_process::Pipe(true).unwrap();
    /// assert!(a.writable());
    /// ```
    pub fn writable(&self) -> bool {
        self.writable
    }
}

/// Waits until `stream` has bytes (or end-of-file) or `deadline` passes.
fn readable(stream: &UnixStream, deadline: Option<Instant>) -> Result<bool, Error> {
    wait_readable(stream, deadline)
        .map_err(|e| Error::new(ErrorKind::Io, e).with_detail("waiting on the pipe"))
}

/// Waits until `stream` has room for more bytes or `deadline` passes.
fn writable(stream: &UnixStream, deadline: Instant) -> Result<bool, Error> {
    wait_writable(stream, Some(deadline))
        .map_err(|e| Error::new(ErrorKind::Io, e).with_detail("waiting on the pipe"))
}

/// A receive's timeout error.
fn no_message(why: &'static str) -> Error {
    Error::from_kind(ErrorKind::Timeout).with_detail(why)
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("readable", &self.readable)
            .field("writable", &self.writable)
            .finish()
    }
}

impl Serialize for Connection {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let index = inherit::export(self.reader.lock().stream.as_fd(), "Connection")
            .map_err(serde::ser::Error::custom)?;
        (index, self.readable, self.writable).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Connection {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Connection, D::Error> {
        let (index, readable, writable) = <(u32, bool, bool)>::deserialize(d)?;
        let fd = inherit::import(index, "Connection").map_err(D::Error::custom)?;
        Connection::new(UnixStream::from(fd), readable, writable)
            .map_err(|e| D::Error::custom(format!("cannot adopt the Connection: {e}")))
    }
}
