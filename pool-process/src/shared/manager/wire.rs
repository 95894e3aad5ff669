//! What travels between a proxy and the manager, after the authkey
//! handshake: `u32` little-endian length-prefixed postcard frames, each
//! length checked against a cap before anything is allocated for it.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The default cap on a frame's length, both ways: 64 MiB.
pub const DEFAULT_MAX_FRAME: usize = 64 << 20;

/// What a proxy asks.
#[derive(Debug, Serialize, Deserialize)]
pub(super) enum Request {
    /// The first frame on a connection: which process speaks.
    Hello { process: u64 },
    /// A new object of a registered kind, built from `args`; with a
    /// name, the object of that name if there is one already.
    Create {
        kind: String,
        name: Option<String>,
        /// The Rust type the proxy expects (`std::any::type_name`).
        type_name: String,
        args: Vec<u8>,
    },
    /// One call of an object's command. A command that must wait waits
    /// up to `timeout_us` (for ever with `None`).
    Call {
        id: u64,
        thread: u64,
        timeout_us: Option<u64>,
        command: Vec<u8>,
    },
    /// Stop the server (a `connect()`ed manager's `shutdown`).
    Shutdown,
}

/// What the manager answers.
#[derive(Debug, Serialize, Deserialize)]
pub(super) enum Reply {
    /// The object's id (and its kind, for a named object that existed).
    Created { id: u64, kind: String },
    /// A command's reply, postcard bytes of its type's `Reply`.
    Value(Vec<u8>),
    /// The request failed; what failed and why.
    Failed(Failure, String),
    /// Acknowledges `Hello` and `Shutdown`.
    Done,
}

/// Why a request failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) enum Failure {
    /// No object with that id (or name of another kind).
    NoSuchObject,
    /// No kind registered under that name.
    UnknownKind,
    /// The command or constructor arguments did not deserialize as the
    /// object's type (a proxy of another type?).
    WrongType,
    /// A waiting command's timeout passed.
    Timeout,
    /// The server is shutting down.
    Closed,
}

/// A connected socket of either family.
pub(super) enum Stream {
    Unix(UnixStream),
    Tcp(TcpStream),
}

impl Stream {
    pub(super) fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        match self {
            Stream::Unix(s) => s.set_read_timeout(timeout),
            Stream::Tcp(s) => s.set_read_timeout(timeout),
        }
    }

    pub(super) fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        match self {
            Stream::Unix(s) => s.set_write_timeout(timeout),
            Stream::Tcp(s) => s.set_write_timeout(timeout),
        }
    }

    pub(super) fn shutdown(&self) {
        let _ = match self {
            Stream::Unix(s) => s.shutdown(std::net::Shutdown::Both),
            Stream::Tcp(s) => s.shutdown(std::net::Shutdown::Both),
        };
    }

    pub(super) fn try_clone(&self) -> io::Result<Stream> {
        Ok(match self {
            Stream::Unix(s) => Stream::Unix(s.try_clone()?),
            Stream::Tcp(s) => Stream::Tcp(s.try_clone()?),
        })
    }

    /// Whether the peer hung up (checked without blocking).
    pub(super) fn peer_gone(&self) -> bool {
        use std::os::fd::AsFd;
        let fd = match self {
            Stream::Unix(s) => s.as_fd(),
            Stream::Tcp(s) => s.as_fd(),
        };
        let mut polled = [rustix::event::PollFd::new(
            &fd,
            rustix::event::PollFlags::RDHUP | rustix::event::PollFlags::HUP,
        )];
        let zero = rustix::event::Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        match rustix::event::poll(&mut polled, Some(&zero)) {
            Ok(0) => false,
            Ok(_) => !(polled[0].revents()
                & (rustix::event::PollFlags::RDHUP
                    | rustix::event::PollFlags::HUP
                    | rustix::event::PollFlags::ERR))
                .is_empty(),
            Err(_) => true,
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Unix(s) => s.read(buf),
            Stream::Tcp(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Unix(s) => s.write(buf),
            Stream::Tcp(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// One end of a framed conversation: the stream, a buffer for what was
/// read, and the cap on an incoming frame.
pub(super) struct Framed {
    pub(super) stream: Stream,
    buf: Vec<u8>,
    /// Bytes of `buf` that hold data; `start..filled` is unread.
    start: usize,
    filled: usize,
    max_frame: usize,
    out: Vec<u8>,
}

/// How a read of one frame failed.
#[derive(Debug)]
pub(super) enum ReadError {
    /// The peer closed between frames.
    Closed,
    /// The header announced more than the cap; nothing was allocated.
    TooLong(u64),
    /// The peer closed in the middle of a frame.
    Truncated,
    /// The socket's read timeout passed with no frame begun.
    Idle,
    Io(io::Error),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Closed => f.write_str("the other end closed the connection"),
            ReadError::TooLong(len) => write!(f, "a frame of {len} bytes, over the cap"),
            ReadError::Truncated => f.write_str("the other end closed in the middle of a frame"),
            ReadError::Idle => f.write_str("no frame arrived within the read timeout"),
            ReadError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl Framed {
    pub(super) fn new(stream: Stream, max_frame: usize) -> Framed {
        Framed {
            stream,
            buf: vec![0; 4096],
            start: 0,
            filled: 0,
            max_frame,
            out: Vec::with_capacity(256),
        }
    }

    /// Writes `value` as one frame, in one write when it fits.
    pub(super) fn write<T: Serialize + ?Sized>(&mut self, value: &T) -> io::Result<()> {
        self.out.clear();
        self.out.extend_from_slice(&[0; 4]);
        let mut frame =
            postcard::to_extend(value, std::mem::take(&mut self.out)).map_err(io::Error::other)?;
        let len = u32::try_from(frame.len() - 4).map_err(io::Error::other)?;
        frame[..4].copy_from_slice(&len.to_le_bytes());
        let written = self.stream.write_all(&frame);
        self.out = frame;
        written
    }

    /// Reads one frame and hands its body to `take`.
    pub(super) fn read<R>(&mut self, take: impl FnOnce(&[u8]) -> R) -> Result<R, ReadError> {
        self.fill(4)?;
        let mut header = [0u8; 4];
        header.copy_from_slice(&self.buf[self.start..self.start + 4]);
        let len = u32::from_le_bytes(header) as usize;
        if len > self.max_frame {
            return Err(ReadError::TooLong(len as u64));
        }
        self.fill(4 + len)?;
        let body = &self.buf[self.start + 4..self.start + 4 + len];
        let taken = take(body);
        self.start += 4 + len;
        if self.start == self.filled {
            self.start = 0;
            self.filled = 0;
        }
        Ok(taken)
    }

    /// Reads a frame of type `T`.
    pub(super) fn read_value<T: DeserializeOwned>(
        &mut self,
    ) -> Result<Result<T, postcard::Error>, ReadError> {
        self.read(|body| postcard::from_bytes(body))
    }

    /// Reads until `need` unread bytes are buffered.
    fn fill(&mut self, need: usize) -> Result<(), ReadError> {
        if self.filled - self.start >= need {
            return Ok(());
        }
        if self.start + need > self.buf.len() {
            // Move what is unread to the front, then grow if still short.
            self.buf.copy_within(self.start..self.filled, 0);
            self.filled -= self.start;
            self.start = 0;
            if need > self.buf.len() {
                self.buf.resize(need, 0);
            }
        }
        while self.filled - self.start < need {
            match self.stream.read(&mut self.buf[self.filled..]) {
                Ok(0) if self.filled == self.start => return Err(ReadError::Closed),
                Ok(0) => return Err(ReadError::Truncated),
                Ok(n) => self.filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) && self.filled == self.start =>
                {
                    return Err(ReadError::Idle);
                }
                Err(e) => return Err(ReadError::Io(e)),
            }
        }
        // A big frame's buffer is given back once it is read, so a
        // connection does not keep its largest frame's memory.
        Ok(())
    }

    /// Gives back a buffer grown for a large frame.
    pub(super) fn shrink(&mut self) {
        if self.buf.len() > 1 << 16 && self.start == self.filled {
            self.buf = vec![0; 4096];
            self.start = 0;
            self.filled = 0;
        }
        if self.out.capacity() > 1 << 16 {
            self.out = Vec::with_capacity(256);
        }
    }
}
