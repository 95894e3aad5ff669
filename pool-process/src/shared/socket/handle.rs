//! A [`Connection`] as a handle: a second one to the same end, its
//! directions, its descriptor, and closing it (Python's `readable`,
//! `writable`, `fileno`, `close` and `closed`).

use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::Ordering;

use pool_core::{Error, ErrorKind};

use super::pipe::Connection;

impl Connection {
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
    /// let (a, b) = poolrt::process::Pipe(true).unwrap();
    /// let b2 = b.try_clone().unwrap();
    /// a.send(&1u8).unwrap();
    /// assert_eq!(b2.recv::<u8>().unwrap(), 1);
    /// drop(b2);
    /// a.send(&2u8).unwrap();
    /// assert_eq!(b.recv::<u8>().unwrap(), 2, "b is still open");
    /// ```
    pub fn try_clone(&self) -> Result<Connection, Error> {
        let copy = self
            .socket()?
            .try_clone()
            .map_err(|e| Error::new(ErrorKind::Io, e).with_detail("duplicating a Connection"))?;
        let mut clone = Connection::new(copy, self.readable(), self.writable, self.on.clone());
        clone.max_message = self.max_message;
        Ok(clone)
    }

    /// Whether this end can receive (Python's `readable`): false for the
    /// sending end of a one-way pipe, and, as in Python, once a
    /// [`recv_bytes`](Self::recv_bytes) refused a message over its
    /// `maxlength`.
    ///
    /// # Examples
    ///
    /// ```
    /// let (reader, writer) = poolrt::process::Pipe(false).unwrap();
    /// assert!(reader.readable() && !reader.writable());
    /// assert!(writer.writable() && !writer.readable());
    /// ```
    pub fn readable(&self) -> bool {
        self.readable.load(Ordering::Relaxed)
    }

    /// Whether this end can receive: Python's [`readable`](Self::readable), under the name a Rust
    /// programmer looks for first.
    ///
    /// # Examples
    ///
    /// ```
    /// let (reader, writer) = poolrt::process::Pipe(false).unwrap();
    /// assert!(reader.is_readable() && !writer.is_readable());
    /// ```
    #[doc(alias = "readable")]
    pub fn is_readable(&self) -> bool {
        self.readable()
    }

    /// Whether this end can send.
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, _b) = poolrt::process::Pipe(true).unwrap();
    /// assert!(a.writable());
    /// ```
    pub fn writable(&self) -> bool {
        self.writable
    }

    /// Whether this end can send: Python's [`writable`](Self::writable), under the name a Rust
    /// programmer looks for first.
    ///
    /// # Examples
    ///
    /// ```
    /// let (reader, writer) = poolrt::process::Pipe(false).unwrap();
    /// assert!(writer.is_writable() && !reader.is_writable());
    /// ```
    #[doc(alias = "writable")]
    pub fn is_writable(&self) -> bool {
        self.writable()
    }

    /// The socket's descriptor number (Python's `fileno()`), for `poll`,
    /// `select` or [`wait`](crate::connection::wait). It stays this end's until
    /// [`close`](Self::close) or the drop.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidState`] after [`close`](Self::close) (Python's
    /// "handle is closed").
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, _b) = poolrt::process::Pipe(true).unwrap();
    /// assert!(a.fileno().unwrap() > 2);
    /// a.close();
    /// assert!(a.fileno().is_err());
    /// ```
    pub fn fileno(&self) -> Result<RawFd, Error> {
        Ok(self.socket()?.as_raw_fd())
    }

    /// Closes this end (Python's `close()`): every later call on it fails
    /// with [`ErrorKind::InvalidState`], and once no copy of the socket is
    /// left (in a child, or in a [`try_clone`](Self::try_clone)) the other
    /// end sees the end of the stream. A call running on another thread
    /// keeps the descriptor until it returns. Closing twice does nothing
    /// more; dropping the `Connection` closes it too.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::ErrorKind;
    ///
    /// let (a, b) = poolrt::process::Pipe(true).unwrap();
    /// a.close();
    /// assert!(a.closed());
    /// assert_eq!(a.send(&1u8).unwrap_err().kind(), ErrorKind::InvalidState);
    /// assert_eq!(b.recv::<u8>().unwrap_err().kind(), ErrorKind::Closed);
    /// ```
    pub fn close(&self) {
        drop(self.socket.lock().take());
    }

    /// Whether [`close`](Self::close) was called (Python's `closed`).
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, _b) = poolrt::process::Pipe(true).unwrap();
    /// assert!(!a.closed());
    /// a.close();
    /// assert!(a.closed());
    /// ```
    pub fn closed(&self) -> bool {
        self.socket.lock().is_none()
    }

    /// Whether [`close`](Self::close) was called: Python's [`closed`](Self::closed), under the name a Rust
    /// programmer looks for first.
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, _b) = poolrt::process::Pipe(true).unwrap();
    /// assert!(!a.is_closed());
    /// a.close();
    /// assert!(a.is_closed());
    /// ```
    #[doc(alias = "closed")]
    pub fn is_closed(&self) -> bool {
        self.closed()
    }

    /// The most bytes a message this end receives may announce, or `None`
    /// for no cap. `Listener` and `Client` connections start at
    /// [`DEFAULT_MAX_MESSAGE`](crate::connection::DEFAULT_MAX_MESSAGE); a
    /// `Pipe`'s ends have no cap, as Python's, since the program made both.
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, _b) = poolrt::process::Pipe(true).unwrap();
    /// assert_eq!(a.max_message(), None);
    /// ```
    pub fn max_message(&self) -> Option<usize> {
        self.max_message
    }

    /// Caps the length of a message this end receives: a message that
    /// announces more is refused before anything is allocated, with an
    /// error naming its length, and this end then stops receiving (as
    /// after a refused `recv_bytes(maxlength)`). `None` lifts the cap.
    ///
    /// # Examples
    ///
    /// ```
    /// let (mut reader, writer) = poolrt::process::Pipe(false).unwrap();
    /// reader.set_max_message(Some(1024));
    /// writer.send_bytes(&[7; 2048], 0, None).unwrap();
    /// let refused = reader.recv_bytes(None).unwrap_err();
    /// assert!(refused.to_string().contains("2048"), "{refused}");
    /// assert!(!reader.readable(), "this end stops receiving");
    /// ```
    pub fn set_max_message(&mut self, bytes: Option<usize>) {
        self.max_message = bytes;
    }
}
