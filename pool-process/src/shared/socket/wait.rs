//! `wait`: Python's `multiprocessing.connection.wait`, the first of
//! several connections, process sentinels and descriptors to be ready;
//! and `Sentinel`, a process's descriptor that becomes readable when it
//! ends.
//!
//! One `poll` over every object's descriptor. A [`Connection`] that holds
//! a message already read (kept by a failed receive, or begun by a timed
//! out one) is ready without looking at its socket.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::sync::Arc;
use std::time::Duration;

use pool_core::{Deadline, Error, ErrorKind};

use super::fd::Fd;
use super::listener::Listener;
use super::pipe::Connection;
use crate::sys::socket::{always_readable, readable_among};

/// What [`wait`] watches for one object. Public only inside a private
/// module, so nothing outside this crate can name it.
mod sealed {
    use super::{Arc, BorrowedFd, OwnedFd};

    /// How to tell whether an object is ready.
    pub enum Watch<'a> {
        /// Ready now, whatever its descriptor says.
        Ready,
        /// Ready when this descriptor is readable.
        Fd(BorrowedFd<'a>),
        /// Ready when this descriptor is readable; held for the wait, so
        /// a `close` meanwhile cannot recycle its number.
        Shared(Arc<OwnedFd>),
    }

    /// Implemented only here: the objects [`wait`](crate::connection::wait) knows.
    pub trait Sealed {
        fn watch(&self) -> Result<Watch<'_>, pool_core::Error>;
    }
}

use sealed::{Sealed, Watch};

/// What [`wait`] can wait for: a [`Connection`] (a message or the end of
/// the stream to read), a [`Sentinel`] (its process ended), a
/// [`Listener`] (a peer to accept), an [`Fd`], and any descriptor as a
/// [`BorrowedFd`] (`socket.as_fd()`; readable, in `poll`'s sense) or as
/// one of std's sockets, files and pipes.
pub trait Waitable: Sealed {}

impl<T: Sealed + ?Sized> Waitable for T {}

impl<T: Sealed + ?Sized> Sealed for &T {
    fn watch(&self) -> Result<Watch<'_>, Error> {
        (**self).watch()
    }
}

impl Sealed for Connection {
    fn watch(&self) -> Result<Watch<'_>, Error> {
        if !self.readable() {
            return Err(self.refuse("be waited for"));
        }
        let socket = self.socket()?;
        Ok(match self.buffered() {
            Some(true) => Watch::Ready,
            // `None`: another thread is receiving; its socket tells.
            Some(false) | None => Watch::Shared(socket),
        })
    }
}

impl Sealed for Listener {
    fn watch(&self) -> Result<Watch<'_>, Error> {
        if self.closed() {
            return Err(Error::from_kind(ErrorKind::InvalidState)
                .with_detail(format!("the listener on {} is closed", self.address())));
        }
        Ok(Watch::Fd(self.socket_fd()))
    }
}

macro_rules! waitable_descriptors {
    ($($owner:ty),* $(,)?) => {$(
        impl Sealed for $owner {
            fn watch(&self) -> Result<Watch<'_>, Error> {
                Ok(Watch::Fd(self.as_fd()))
            }
        }
    )*};
}

waitable_descriptors!(
    Sentinel,
    Fd,
    BorrowedFd<'_>,
    OwnedFd,
    std::fs::File,
    std::net::TcpStream,
    std::net::TcpListener,
    std::net::UdpSocket,
    std::os::unix::net::UnixStream,
    std::os::unix::net::UnixListener,
    std::os::unix::net::UnixDatagram,
    std::io::PipeReader,
    std::process::ChildStdout,
    std::process::ChildStderr,
);

/// Waits until at least one of `objects` is ready, or `timeout` passes
/// (`None`: no limit), and returns the ready ones in their input order
/// (Python's `multiprocessing.connection.wait`). An empty answer means the
/// timeout passed.
///
/// Ready means a read would not wait: a [`Connection`] has a message (or
/// its peer closed), a [`Sentinel`]'s process ended, a [`Listener`] has a
/// peer to accept, a descriptor is readable or hung up.
///
/// Objects of different types go in as `&dyn Waitable`; objects of one
/// type, as they are.
///
/// # Errors
///
/// [`ErrorKind::InvalidState`] for a closed [`Connection`] or
/// [`Listener`], or the sending end of a one-way [`Pipe`](crate::connection::Pipe);
/// [`ErrorKind::InvalidConfig`] for no objects and no timeout (it would
/// never return); [`ErrorKind::Io`] if `poll` failed.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use poolrt::process::Pipe;
/// use poolrt::process::connection::wait;
///
/// let (a1, b1) = Pipe(true).unwrap();
/// let (a2, b2) = Pipe(true).unwrap();
/// let readers = [b1, b2];
/// assert!(wait(&readers, Some(Duration::ZERO)).unwrap().is_empty());
/// a2.send(&"two").unwrap();
/// let ready = wait(&readers, Some(Duration::from_secs(10))).unwrap();
/// assert_eq!(ready.len(), 1);
/// assert_eq!(ready[0].recv::<String>().unwrap(), "two");
/// # drop(a1);
/// ```
///
/// A pipe and a process's [`Sentinel`] together:
///
/// ```
/// use std::time::Duration;
/// use poolrt::process::{Pipe, Process};
/// use poolrt::process::connection::{Waitable, wait};
///
/// let (reader, _writer) = Pipe(true).unwrap();
/// let p = Process::new(|| {}, ());
/// p.start().unwrap();
/// let sentinel = p.sentinel().unwrap();
/// let objects: [&dyn Waitable; 2] = [&reader, &sentinel];
/// let ready = wait(objects, Some(Duration::from_secs(30))).unwrap();
/// assert_eq!(ready.len(), 1, "only the process is ready: it ended");
/// p.join().unwrap();
/// ```
#[doc(alias = "multiprocessing.connection.wait")]
pub fn wait<'a, T, I>(objects: I, timeout: Option<Duration>) -> Result<Vec<&'a T>, Error>
where
    T: Waitable + ?Sized + 'a,
    I: IntoIterator<Item = &'a T>,
{
    let objects: Vec<&'a T> = objects.into_iter().collect();
    if objects.is_empty() && timeout.is_none() {
        return Err(Error::from_kind(ErrorKind::InvalidConfig)
            .with_detail("wait on no objects without a timeout would never return"));
    }
    let watches = objects
        .iter()
        .map(|&object: &&'a T| object.watch())
        .collect::<Result<Vec<_>, _>>()?;
    let any_ready = watches.iter().any(|w| matches!(w, Watch::Ready));
    let deadline = if any_ready {
        Deadline::Now
    } else {
        Deadline::from_timeout(timeout)
    };
    let fds: Vec<BorrowedFd<'_>> = watches
        .iter()
        .filter_map(|watch| match watch {
            Watch::Ready => None,
            Watch::Fd(fd) => Some(*fd),
            Watch::Shared(fd) => Some(fd.as_fd()),
        })
        .collect();
    let mut readable = readable_among(&fds, deadline.instant())
        .map_err(|e| Error::new(ErrorKind::Io, e).with_detail("waiting for the objects of wait"))?
        .into_iter();
    let ready = objects
        .into_iter()
        .zip(&watches)
        .filter(|(_, watch)| match watch {
            Watch::Ready => true,
            Watch::Fd(_) | Watch::Shared(_) => readable.next().unwrap_or(false),
        })
        .map(|(object, _)| object)
        .collect();
    Ok(ready)
}

/// A descriptor that becomes readable when a [`Process`](crate::Process)
/// ends (Python's `Process.sentinel`), from
/// [`Process::sentinel`](crate::Process::sentinel): give it to [`wait`]
/// with connections, or to your own `poll`. It is the child's pidfd (a
/// copy), so it names that one process even after its pid is reused.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use poolrt::process::Process;
/// use poolrt::process::connection::wait;
///
/// let p = Process::new(|| {}, ());
/// p.start().unwrap();
/// let sentinel = p.sentinel().unwrap();
/// assert_eq!(wait([&sentinel], Some(Duration::from_secs(30))).unwrap().len(), 1);
/// p.join().unwrap();
/// ```
#[derive(Debug)]
pub struct Sentinel(OwnedFd);

impl Sentinel {
    /// The sentinel of a running child: a copy of its pidfd.
    pub(crate) fn new(pidfd: OwnedFd) -> Sentinel {
        Sentinel(pidfd)
    }

    /// The sentinel of a process that has ended and been reaped: always
    /// readable.
    pub(crate) fn ended() -> Result<Sentinel, Error> {
        always_readable().map(Sentinel).map_err(|e| {
            Error::new(ErrorKind::Io, e).with_detail("making the sentinel of an ended process")
        })
    }
}

impl AsFd for Sentinel {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }
}

impl AsRawFd for Sentinel {
    fn as_raw_fd(&self) -> RawFd {
        self.0.as_raw_fd()
    }
}
