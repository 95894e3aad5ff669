//! The framing every [`Connection`](super::Connection) uses, CPython's
//! own: a message is a 4-byte big-endian signed length, then the bytes. A
//! message of 2 GiB or more has the length `-1`, then its real length as
//! 8 big-endian bytes. So a poolrt end and a CPython end of the same
//! socket agree on where each message starts and ends.
//!
//! A [`Frame`] reads one message in as many calls as it takes: a read
//! that times out keeps what it has, and the next call goes on from
//! there. It refuses a length over the caller's limit before allocating
//! anything (a peer that has not authenticated yet may announce 4 GiB).
//!
//! On a Unix socket, the descriptors a sender attached to a message's
//! first bytes (the shared objects in a value) arrive with them: the
//! kernel hands them to the read that takes those bytes, and a read never
//! goes past the end of the message it reads, so they join their own
//! message.

use std::os::fd::{BorrowedFd, OwnedFd};
use std::time::Instant;

use pool_core::{Error, ErrorKind};

use crate::sys::fd_pass::recv_with_fds;
use crate::sys::socket::wait_readable;

/// The longest message the short header can announce.
const SHORT_MAX: usize = i32::MAX as usize;

/// The short header's value that announces a long header.
const LONG: [u8; 4] = (-1i32).to_be_bytes();

/// The header of a message of `len` bytes: its bytes and how many of
/// them are used.
pub(super) fn header(len: usize) -> ([u8; 12], usize) {
    let mut header = [0u8; 12];
    if len <= SHORT_MAX {
        header[..4].copy_from_slice(&(len as u32).to_be_bytes());
        (header, 4)
    } else {
        header[..4].copy_from_slice(&LONG);
        header[4..].copy_from_slice(&(len as u64).to_be_bytes());
        (header, 12)
    }
}

/// A whole message: its bytes, and the descriptors that came with them
/// (those of the shared objects in a value a `Connection` sent).
pub(super) struct Message {
    pub(super) body: Vec<u8>,
    pub(super) fds: Vec<OwnedFd>,
}

/// How one [`Frame::read`] ended.
pub(super) enum Outcome {
    /// A whole message.
    Message(Message),
    /// The deadline passed; the bytes read so far are kept.
    TimedOut,
    /// The header announced this many bytes, more than the limit: the
    /// body was left unread (the stream is out of step from here on).
    TooLong(u64),
}

/// A message being read: its header, then its body, and the descriptors
/// that came with them.
#[derive(Default)]
pub(super) struct Frame {
    header: [u8; 12],
    header_filled: usize,
    body: Vec<u8>,
    body_filled: usize,
    fds: Vec<OwnedFd>,
}

impl Frame {
    /// Whether part of a message has been read.
    pub(super) fn started(&self) -> bool {
        self.header_filled > 0
    }

    /// How many header bytes this frame has: 4, or 12 once the first four
    /// announce a long header.
    fn header_len(&self) -> usize {
        if self.header_filled >= 4 && self.header[..4] == LONG {
            12
        } else {
            4
        }
    }

    /// The body's length, once the header is whole.
    fn body_len(&self) -> Result<u64, Error> {
        if self.header_len() == 12 {
            let mut long = [0u8; 8];
            long.copy_from_slice(&self.header[4..]);
            return Ok(u64::from_be_bytes(long));
        }
        let mut short = [0u8; 4];
        short.copy_from_slice(&self.header[..4]);
        u64::try_from(i32::from_be_bytes(short)).map_err(|_| {
            Error::from_kind(ErrorKind::Io).with_detail(format!(
                "bad message length: the header says {}",
                i32::from_be_bytes(short)
            ))
        })
    }

    /// Reads from `fd` until the message is whole (then returns it and
    /// starts afresh), `deadline` passes, or the header announces more
    /// than `max` bytes. `on` names the connection in errors ("the pipe").
    pub(super) fn read(
        &mut self,
        fd: BorrowedFd<'_>,
        max: Option<usize>,
        deadline: Option<Instant>,
        on: &str,
    ) -> Result<Outcome, Error> {
        loop {
            let buf = if self.header_filled < self.header_len() {
                let end = self.header_len();
                &mut self.header[self.header_filled..end]
            } else {
                let len = self.body_len()?;
                if max.is_some_and(|max| len > max as u64) {
                    return Ok(Outcome::TooLong(len));
                }
                let len = usize::try_from(len).map_err(|_| {
                    Error::from_kind(ErrorKind::Io)
                        .with_detail(format!("a message of {len} bytes on {on}"))
                })?;
                if self.body_filled == len {
                    let message = Message {
                        body: std::mem::take(&mut self.body),
                        fds: std::mem::take(&mut self.fds),
                    };
                    *self = Frame::default();
                    return Ok(Outcome::Message(message));
                }
                self.body.resize(len, 0);
                &mut self.body[self.body_filled..]
            };
            if deadline.is_some() {
                let ready = wait_readable(fd, deadline).map_err(|e| {
                    Error::new(ErrorKind::Io, e).with_detail(format!("waiting on {on}"))
                })?;
                if !ready {
                    return Ok(Outcome::TimedOut);
                }
            }
            match recv_with_fds(fd, buf, &mut self.fds) {
                Ok(0) if self.header_filled == 0 => {
                    return Err(Error::from_kind(ErrorKind::Closed)
                        .with_detail(format!("the other end of {on} was closed")));
                }
                Ok(0) => {
                    return Err(Error::from_kind(ErrorKind::Io).with_detail(format!(
                        "the other end of {on} closed in the middle of a message"
                    )));
                }
                Ok(n) if self.header_filled < self.header_len() => self.header_filled += n,
                Ok(n) => self.body_filled += n,
                Err(e) => {
                    return Err(
                        Error::new(ErrorKind::Io, e).with_detail(format!("receiving on {on}"))
                    );
                }
            }
        }
    }
}
