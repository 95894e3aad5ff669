//! A [`Connection`]'s byte messages: Python's `send_bytes`, `recv_bytes`
//! and `recv_bytes_into`. They share the framing of typed messages: a
//! typed [`send`](Connection::send) arrives at `recv_bytes` as its
//! postcard bytes, and bytes sent with `send_bytes` reach a typed
//! [`recv`](Connection::recv), which decodes them as postcard.

use std::time::{Duration, Instant};

use pool_core::{Error, ErrorKind};

use super::pipe::{Connection, until};

impl Connection {
    /// Sends `buf[offset..offset + size]` as one message (Python's
    /// `send_bytes(buf, offset, size)`; `size: None` sends to the end).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidConfig`] if the range is outside `buf`
    /// (Python's `ValueError`); otherwise as [`send`](Self::send).
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, b) = poolrt::process::Pipe(true).unwrap();
    /// a.send_bytes(b"hello world", 6, None).unwrap();
    /// a.send_bytes(b"hello world", 0, Some(5)).unwrap();
    /// assert_eq!(b.recv_bytes(None).unwrap(), b"world");
    /// assert_eq!(b.recv_bytes(None).unwrap(), b"hello");
    /// ```
    pub fn send_bytes(&self, buf: &[u8], offset: usize, size: Option<usize>) -> Result<(), Error> {
        self.send_bytes_until(buf, offset, size, None)
    }

    /// [`send_bytes`](Self::send_bytes), waiting at most `timeout` for room
    /// in the socket's buffer; a timeout is reported as by
    /// [`send_timeout`](Self::send_timeout).
    ///
    /// # Errors
    ///
    /// As [`send_bytes`](Self::send_bytes) and
    /// [`send_timeout`](Self::send_timeout).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let (a, b) = poolrt::process::Pipe(true).unwrap();
    /// a.send_bytes_timeout(&[1, 2, 3], 1, Some(1), Duration::from_secs(10)).unwrap();
    /// assert_eq!(b.recv_bytes(None).unwrap(), [2]);
    /// ```
    pub fn send_bytes_timeout(
        &self,
        buf: &[u8],
        offset: usize,
        size: Option<usize>,
        timeout: Duration,
    ) -> Result<(), Error> {
        self.send_bytes_until(buf, offset, size, until(timeout)?)
    }

    fn send_bytes_until(
        &self,
        buf: &[u8],
        offset: usize,
        size: Option<usize>,
        deadline: Option<Instant>,
    ) -> Result<(), Error> {
        self.socket()?;
        if !self.writable() {
            return Err(self.refuse("send"));
        }
        let end = match size {
            None => Some(buf.len()),
            Some(size) => offset.checked_add(size),
        };
        let part = match end {
            Some(end) if offset <= end && end <= buf.len() => &buf[offset..end],
            _ => {
                return Err(
                    Error::from_kind(ErrorKind::InvalidConfig).with_detail(format!(
                        "send_bytes: offset {offset} and size {size:?} are outside \
                         the buffer of {} bytes",
                        buf.len()
                    )),
                );
            }
        };
        self.send_message(part, deadline)
    }

    /// Receives the next message as bytes (Python's `recv_bytes`). With
    /// `maxlength`, a longer message is refused before it is read: as in
    /// Python, the error says "bad message length" and this end receives
    /// no more ([`readable`](Self::readable) turns false: the message's
    /// body is left on the socket, so the stream is out of step), though
    /// it can still send; an end that cannot send is closed.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Io`] for a message over `maxlength`; otherwise as
    /// [`recv`](Self::recv) (there is no deserializing).
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::ErrorKind;
    ///
    /// let (a, b) = poolrt::process::Pipe(true).unwrap();
    /// a.send_bytes(b"short", 0, None).unwrap();
    /// assert_eq!(b.recv_bytes(Some(5)).unwrap(), b"short");
    /// // A typed message arrives as its postcard bytes.
    /// a.send(&7u8).unwrap();
    /// assert_eq!(b.recv_bytes(None).unwrap(), [7]);
    /// a.send_bytes(b"far too long", 0, None).unwrap();
    /// assert_eq!(b.recv_bytes(Some(5)).unwrap_err().kind(), ErrorKind::Io);
    /// assert!(!b.readable());
    /// assert_eq!(b.recv_bytes(None).unwrap_err().kind(), ErrorKind::InvalidState);
    /// ```
    pub fn recv_bytes(&self, maxlength: Option<usize>) -> Result<Vec<u8>, Error> {
        self.recv_message(maxlength, None, Ok)
    }

    /// [`recv_bytes`](Self::recv_bytes), waiting at most `timeout`; a
    /// message that arrives only in part is kept for the next receive.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Timeout`] if no whole message came in time; otherwise
    /// as [`recv_bytes`](Self::recv_bytes).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let (_a, b) = poolrt::process::Pipe(true).unwrap();
    /// let error = b.recv_bytes_timeout(None, Duration::from_millis(10)).unwrap_err();
    /// assert!(error.is_timeout());
    /// ```
    pub fn recv_bytes_timeout(
        &self,
        maxlength: Option<usize>,
        timeout: Duration,
    ) -> Result<Vec<u8>, Error> {
        self.recv_message(maxlength, until(timeout)?, Ok)
    }

    /// Receives the next message into `buf` from `offset` on, and returns
    /// its length (Python's `recv_bytes_into`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidConfig`] if `offset` is past the end of `buf`
    /// (nothing is received); [`ErrorKind::IndexOutOfRange`] if the
    /// message does not fit after `offset` (Python's `BufferTooShort`):
    /// `buf` is left alone and the message is kept for the next receive,
    /// where Python hands it over inside the exception. Otherwise as
    /// [`recv_bytes`](Self::recv_bytes).
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::ErrorKind;
    ///
    /// let (a, b) = poolrt::process::Pipe(true).unwrap();
    /// let mut buf = *b"......";
    /// a.send_bytes(b"abc", 0, None).unwrap();
    /// assert_eq!(b.recv_bytes_into(&mut buf, 2).unwrap(), 3);
    /// assert_eq!(&buf, b"..abc.");
    /// a.send_bytes(b"too long", 0, None).unwrap();
    /// let error = b.recv_bytes_into(&mut buf, 0).unwrap_err();
    /// assert_eq!(error.kind(), ErrorKind::IndexOutOfRange);
    /// assert_eq!(b.recv_bytes(None).unwrap(), b"too long");
    /// ```
    pub fn recv_bytes_into(&self, buf: &mut [u8], offset: usize) -> Result<usize, Error> {
        self.recv_bytes_into_until(buf, offset, None)
    }

    /// [`recv_bytes_into`](Self::recv_bytes_into), waiting at most
    /// `timeout`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Timeout`] if no whole message came in time; otherwise
    /// as [`recv_bytes_into`](Self::recv_bytes_into).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let (a, b) = poolrt::process::Pipe(true).unwrap();
    /// a.send_bytes(b"xy", 0, None).unwrap();
    /// let mut buf = [0u8; 2];
    /// assert_eq!(b.recv_bytes_into_timeout(&mut buf, 0, Duration::from_secs(10)).unwrap(), 2);
    /// ```
    pub fn recv_bytes_into_timeout(
        &self,
        buf: &mut [u8],
        offset: usize,
        timeout: Duration,
    ) -> Result<usize, Error> {
        self.recv_bytes_into_until(buf, offset, until(timeout)?)
    }

    fn recv_bytes_into_until(
        &self,
        buf: &mut [u8],
        offset: usize,
        deadline: Option<Instant>,
    ) -> Result<usize, Error> {
        self.socket()?;
        if self.readable() && offset > buf.len() {
            return Err(
                Error::from_kind(ErrorKind::InvalidConfig).with_detail(format!(
                    "recv_bytes_into: offset {offset} is past the end of the buffer of {} bytes",
                    buf.len()
                )),
            );
        }
        let room = buf.len().saturating_sub(offset);
        self.recv_message(None, deadline, |message| {
            if message.len() > room {
                let error = Error::from_kind(ErrorKind::IndexOutOfRange).with_detail(format!(
                    "buffer too short: the message has {} bytes, the buffer room for {room} \
                     after offset {offset}; the message is kept for the next receive",
                    message.len()
                ));
                return Err((message, error));
            }
            buf[offset..offset + message.len()].copy_from_slice(&message);
            Ok(message.len())
        })
    }
}
