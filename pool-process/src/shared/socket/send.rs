//! Sending on a [`Connection`]: whole messages with the descriptors of the
//! shared objects they hold, a bounded form, and the rule that a send
//! torn by its timeout breaks that end (see the `pipe` module docs).

use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::time::{Duration, Instant};

use pool_core::{Error, ErrorKind};
use serde::Serialize;

use super::frame;
use super::pipe::{Connection, Writer, until};
use crate::sys::fd_pass::{MAX_FDS, send_with_fds};
use crate::sys::socket::wait_writable;
use crate::wire::{codec, inherit};

/// Messages up to this size are copied behind their header and sent in
/// one piece; longer ones go out as header, then body, with no copy.
/// (One piece matters on TCP, where a lone small header would wait for
/// the peer's acknowledgement.)
const COALESCE: usize = 64 << 10;

impl Connection {
    /// Sends `value` (Python's `send`). It waits only while the socket's
    /// buffer is full.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Serialize`] if `value` cannot be serialized (or holds
    /// shared objects and this end is not a Unix socket, or holds more
    /// than 253 of their descriptors);
    /// [`ErrorKind::Closed`] if the other end was closed;
    /// [`ErrorKind::Io`] if the socket failed otherwise;
    /// [`ErrorKind::InvalidState`] on the receiving end of a one-way pipe;
    /// [`ErrorKind::Broken`] after a [`send_timeout`](Self::send_timeout)
    /// that timed out part-way through a message.
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, b) = poolrt::process::Pipe(true).unwrap();
    /// drop(b);
    /// let error = a.send(&1u8).unwrap_err();
    /// assert_eq!(error.kind(), poolrt::ErrorKind::Closed);
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
    /// use poolrt::ErrorKind;
    ///
    /// let (a, b) = poolrt::process::Pipe(true).unwrap();
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
        self.send_until(value, until(timeout)?)
    }

    fn send_until<T: Serialize + ?Sized>(
        &self,
        value: &T,
        deadline: Option<Instant>,
    ) -> Result<(), Error> {
        if !self.writable {
            return Err(self.refuse("send"));
        }
        let failed = |e| {
            Error::new(ErrorKind::Serialize, e).with_detail(format!(
                "a message on {} ({})",
                self.on,
                std::any::type_name::<T>()
            ))
        };
        let (body, shared) = inherit::collect(|| codec::extend_postcard(value, Vec::new()));
        let body = body.map_err(failed)?;
        if !shared.is_empty() {
            self.check_can_carry(shared.len()).map_err(failed)?;
        }
        let shared: Vec<BorrowedFd<'_>> = shared.iter().map(AsFd::as_fd).collect();
        self.send_message_with(&body, &shared, deadline)
    }

    /// Why this end cannot send a message carrying `count` descriptors, if
    /// it cannot: only a Unix socket carries them, and so many at once.
    fn check_can_carry(&self, count: usize) -> Result<(), String> {
        if count > MAX_FDS {
            return Err(format!(
                "the value holds {count} descriptors of shared objects; one message \
                 carries at most {MAX_FDS}"
            ));
        }
        let unix = self
            .socket()
            .ok()
            .and_then(|socket| rustix::net::sockopt::socket_domain(&*socket).ok())
            .is_none_or(|domain| domain == rustix::net::AddressFamily::UNIX);
        if unix {
            Ok(())
        } else {
            Err(format!(
                "the value holds shared objects, whose descriptors only a Unix socket \
                 carries, and {} is not one",
                self.on
            ))
        }
    }

    /// Sends `body` as one message (header, then body).
    pub(super) fn send_message(&self, body: &[u8], deadline: Option<Instant>) -> Result<(), Error> {
        self.send_message_with(body, &[], deadline)
    }

    /// Sends `body` as one message, with `fds` attached to its first byte.
    fn send_message_with(
        &self,
        body: &[u8],
        fds: &[BorrowedFd<'_>],
        deadline: Option<Instant>,
    ) -> Result<(), Error> {
        let socket = self.socket()?;
        let (header, used) = frame::header(body.len());
        let joined;
        let parts: [&[u8]; 2] = if body.len() <= COALESCE {
            joined = [&header[..used], body].concat();
            [&joined, &[]]
        } else {
            [&header[..used], body]
        };
        let mut writer = match deadline {
            None => self.writer.lock(),
            Some(deadline) => self.writer.try_lock_until(deadline).ok_or_else(|| {
                Error::from_kind(ErrorKind::Timeout)
                    .with_detail("another thread was sending on this end; nothing was sent")
            })?,
        };
        if writer.torn {
            return Err(Error::from_kind(ErrorKind::Broken).with_detail(
                "this end is broken: an earlier send timed out part-way through a message",
            ));
        }
        let failed = |e: std::io::Error| {
            let kind = if e.kind() == std::io::ErrorKind::BrokenPipe {
                ErrorKind::Closed
            } else {
                ErrorKind::Io
            };
            Error::new(kind, e).with_detail(format!("sending on {}", self.on))
        };
        let total = used + body.len();
        let mut sent_before = 0;
        // The descriptors go with the first bytes that go.
        let mut fds = fds;
        for part in parts {
            let mut rest = part;
            while !rest.is_empty() {
                let sent =
                    send_with_fds(&*socket, rest, fds, deadline.is_some()).map_err(failed)?;
                if let Some(deadline) = deadline
                    && sent == 0
                    && !writable(&socket, deadline, &self.on)?
                {
                    let sent = sent_before + part.len() - rest.len();
                    return Err(timed_out_sending(&mut writer, sent, total));
                }
                if sent > 0 {
                    fds = &[];
                }
                rest = &rest[sent..];
            }
            sent_before += part.len();
        }
        Ok(())
    }
}

/// Waits until `socket` has room for more bytes or `deadline` passes.
fn writable(socket: &OwnedFd, deadline: Instant, on: &str) -> Result<bool, Error> {
    wait_writable(socket, Some(deadline))
        .map_err(|e| Error::new(ErrorKind::Io, e).with_detail(format!("waiting on {on}")))
}

/// A send's timeout error, after `sent` of the message's `total` bytes
/// went out; part of a message breaks the sending side.
fn timed_out_sending(writer: &mut Writer, sent: usize, total: usize) -> Error {
    if sent == 0 {
        return Error::from_kind(ErrorKind::Timeout)
            .with_detail("the socket had no room for the message in time; nothing was sent");
    }
    writer.torn = true;
    Error::from_kind(ErrorKind::Timeout).with_detail(format!(
        "only {sent} of the message's {total} bytes were sent in time; \
         this end cannot send any more"
    ))
}
