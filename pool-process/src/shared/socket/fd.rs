//! `Fd`: any file descriptor — a socket, a file, a pipe end — handed to a
//! child by inheritance, as Python hands a socket to a `Process`.

use std::fmt;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::wire::inherit;

/// A file descriptor for a [`Process`](crate::Process)'s child: pass it as
/// an argument and the child gets its own copy of the same open file
/// (the same socket connection, file offset, pipe). Build it from anything
/// that owns a descriptor and turn it back into the type you need.
///
/// Like the other shared objects it reaches a child as an argument of its
/// `Process`, or a process that is already running through a
/// [`Connection`](crate::Connection) or a process [`Queue`](crate::Queue)
/// (the descriptor travels with the message, as Python's
/// `multiprocessing.reduction` sends it), never through a pool task.
///
/// # Examples
///
/// ```
/// use std::io::{Read, Write};
/// use std::os::unix::net::UnixStream;
/// use poolrt::process::{Fd, Process};
///
/// fn shout(fd: Fd) {
///     let mut stream = UnixStream::from(fd.into_inner());
///     let mut word = String::new();
///     stream.read_to_string(&mut word).unwrap();
///     stream.write_all(word.to_uppercase().as_bytes()).unwrap();
/// }
///
/// let (mut here, there) = UnixStream::pair().unwrap();
/// let p = Process::new(shout, (Fd::new(there),));
/// p.start().unwrap();
/// here.write_all(b"hello").unwrap();
/// here.shutdown(std::net::Shutdown::Write).unwrap();
/// let mut answer = String::new();
/// here.read_to_string(&mut answer).unwrap();
/// assert_eq!(answer, "HELLO");
/// p.join().unwrap();
/// ```
pub struct Fd(OwnedFd);

impl Fd {
    /// Wraps anything that owns a descriptor (`TcpStream`, `File`,
    /// `UnixStream`, `OwnedFd`, ...).
    ///
    /// # Examples
    ///
    /// ```
    /// let file = std::fs::File::open("/proc/self/exe").unwrap();
    /// let fd = poolrt::process::Fd::new(file);
    /// let _file = std::fs::File::from(fd.into_inner());
    /// ```
    pub fn new(owner: impl Into<OwnedFd>) -> Fd {
        Fd(owner.into())
    }

    /// The descriptor, to turn into the type it was (`TcpStream::from`,
    /// `File::from`, ...).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::net::{TcpListener, TcpStream};
    ///
    /// let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    /// let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    /// let fd = poolrt::process::Fd::new(client);
    /// let client = TcpStream::from(fd.into_inner());
    /// assert!(client.peer_addr().is_ok());
    /// ```
    pub fn into_inner(self) -> OwnedFd {
        self.0
    }
}

impl AsFd for Fd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }
}

impl fmt::Debug for Fd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Fd").field(&self.0.as_raw_fd()).finish()
    }
}

impl Serialize for Fd {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        inherit::export(self.0.as_fd(), "Fd")
            .map_err(serde::ser::Error::custom)?
            .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Fd {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Fd, D::Error> {
        let index = u32::deserialize(d)?;
        inherit::import(index, "Fd")
            .map(Fd)
            .map_err(serde::de::Error::custom)
    }
}
