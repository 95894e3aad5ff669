//! `Listener` and `Client`: Python's `multiprocessing.connection`
//! `Listener` and `Client`, which connect two programs that share no
//! parent.
//!
//! # An accept, step by step
//!
//! 1. The listening socket is non-blocking: `accept` waits in `poll`
//!    (bounded by its deadline), then accepts; another thread that took
//!    the connection first sends it back to waiting. `close` shuts the
//!    socket down, which wakes every such wait, so a closed listener never
//!    leaves an `accept` hanging.
//! 2. The accepted socket is a blocking [`Connection`] (on TCP, with
//!    Nagle's delay off: a message is one write already).
//! 3. With an authkey, the handshake of `auth.rs` runs before `accept`
//!    returns: a peer that fails it is refused with an error and its
//!    socket closed, and no message from it was deserialized. The
//!    handshake is bounded by the caller's deadline, and by
//!    `HANDSHAKE_TIMEOUT` for the unbounded forms, so a peer that
//!    connects and says nothing cannot hold the listener.

use std::net::TcpListener;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr as UnixAddr, UnixListener};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use pool_core::{Error, ErrorKind};

use super::address::Address;
use super::auth;
use super::pipe::{Connection, until};
use crate::sys::socket::{shut_listener, wait_readable};

/// How long the authkey handshake of [`Listener::accept`] and
/// [`Client::connect`](crate::connection::Client::connect) may take: their unbounded forms wait forever for a
/// peer, but not for a peer that connected and then says nothing.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(60);

/// The longest message a connection from a [`Listener`] or a
/// [`Client`](crate::connection::Client) receives unless told otherwise
/// (`max_message`): 64 MiB. A peer's header announcing more is refused
/// before anything is allocated, and the connection stops receiving, as
/// for a `recv_bytes` over its `maxlength`. Python has no such cap.
pub const DEFAULT_MAX_MESSAGE: usize = 64 << 20;

/// The listening socket.
enum Socket {
    Unix(UnixListener),
    Tcp(TcpListener),
}

impl AsFd for Socket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        match self {
            Socket::Unix(unix) => unix.as_fd(),
            Socket::Tcp(tcp) => tcp.as_fd(),
        }
    }
}

/// A bound socket that accepts connections (Python's
/// `multiprocessing.connection.Listener`), each a [`Connection`].
///
/// With an authkey ([`ListenerBuilder::authkey`]), every peer must prove
/// it has the same key before [`accept`](Listener::accept) returns it, and
/// the listener proves it in turn (CPython's challenge, both ways; see
/// [`connection`](crate::connection)).
///
/// The backlog is the operating system's default for std's listeners
/// (128) where Python's is 1: more clients can wait to be accepted.
///
/// # Examples
///
/// ```
/// use poolrt::process::connection::{Client, Listener};
///
/// let listener = Listener::bind("\0poolrt-doc-listener").unwrap();
/// let client = std::thread::spawn(|| {
///     let conn = Client::new().connect("\0poolrt-doc-listener").unwrap();
///     conn.send_bytes(b"hello", 0, None).unwrap();
/// });
/// let conn = listener.accept().unwrap();
/// assert_eq!(conn.recv_bytes(None).unwrap(), b"hello");
/// client.join().unwrap();
/// ```
pub struct Listener {
    socket: Socket,
    address: Address,
    authkey: Option<Vec<u8>>,
    max_message: Option<usize>,
    last_accepted: Mutex<Option<Address>>,
    closed: AtomicBool,
}

/// Settings for a [`Listener`]: its authkey. Made by
/// [`Listener::builder`].
///
/// # Examples
///
/// ```
/// let listener = poolrt::process::connection::Listener::builder()
///     .authkey(b"secret")
///     .bind("127.0.0.1:0")
///     .unwrap();
/// # drop(listener);
/// ```
#[derive(Clone, Debug)]
pub struct ListenerBuilder {
    authkey: Option<Vec<u8>>,
    max_message: Option<usize>,
}

impl Default for ListenerBuilder {
    fn default() -> ListenerBuilder {
        ListenerBuilder {
            authkey: None,
            max_message: Some(DEFAULT_MAX_MESSAGE),
        }
    }
}

impl ListenerBuilder {
    /// Every peer must prove it knows `key` (Python's `authkey`). An empty
    /// key, as in Python, means no authentication.
    ///
    /// # Examples
    ///
    /// ```
    /// let builder = poolrt::process::connection::Listener::builder().authkey("secret");
    /// # drop(builder);
    /// ```
    pub fn authkey(mut self, key: impl AsRef<[u8]>) -> ListenerBuilder {
        self.authkey = Some(key.as_ref().to_vec()).filter(|key| !key.is_empty());
        self
    }

    /// The longest message an accepted connection receives
    /// ([`DEFAULT_MAX_MESSAGE`] unless set; `None`: no cap, as Python).
    ///
    /// # Examples
    ///
    /// ```
    /// let builder = pool_process::connection::Listener::builder().max_message(Some(1 << 20));
    /// # drop(builder);
    /// ```
    pub fn max_message(mut self, bytes: Option<usize>) -> ListenerBuilder {
        self.max_message = bytes;
        self
    }

    /// Binds the socket and starts listening.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Io`], naming the address, if the socket cannot be
    /// bound: the path exists already (Python raises the same
    /// `OSError`), the abstract name or the port is taken, ...
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::connection::{Address, Listener};
    ///
    /// let listener = Listener::builder().bind("127.0.0.1:0").unwrap();
    /// let Address::Tcp(bound) = listener.address() else { unreachable!() };
    /// assert_ne!(bound.port(), 0, "the port the system chose");
    /// ```
    pub fn bind(self, address: impl Into<Address>) -> Result<Listener, Error> {
        let address = address.into();
        let failed =
            |e| Error::new(ErrorKind::Io, e).with_detail(format!("cannot listen on {address}"));
        let (socket, address) = match &address {
            Address::Unix(path) => {
                let socket = UnixListener::bind(path).map_err(failed)?;
                (Socket::Unix(socket), address.clone())
            }
            Address::Abstract(name) => {
                let socket = UnixAddr::from_abstract_name(name)
                    .and_then(|addr| UnixListener::bind_addr(&addr))
                    .map_err(failed)?;
                (Socket::Unix(socket), address.clone())
            }
            Address::Tcp(tcp) => {
                let socket = TcpListener::bind(tcp).map_err(failed)?;
                let bound = socket.local_addr().map_err(failed)?;
                (Socket::Tcp(socket), Address::Tcp(bound))
            }
        };
        let nonblocking = match &socket {
            Socket::Unix(unix) => unix.set_nonblocking(true),
            Socket::Tcp(tcp) => tcp.set_nonblocking(true),
        };
        nonblocking.map_err(failed)?;
        Ok(Listener {
            socket,
            address,
            authkey: self.authkey,
            max_message: self.max_message,
            last_accepted: Mutex::new(None),
            closed: AtomicBool::new(false),
        })
    }
}

impl Listener {
    /// A listener on `address` without an authkey (Python's
    /// `Listener(address)`).
    ///
    /// # Errors
    ///
    /// As [`ListenerBuilder::bind`].
    ///
    /// # Examples
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("poolrt-doc-{}.sock", std::process::id()));
    /// let listener = poolrt::process::connection::Listener::bind(path.as_path()).unwrap();
    /// assert!(path.exists());
    /// listener.close();
    /// assert!(!path.exists(), "closing removes the socket file, as in Python");
    /// ```
    pub fn bind(address: impl Into<Address>) -> Result<Listener, Error> {
        ListenerBuilder::default().bind(address)
    }

    /// Settings beyond the address: the authkey.
    ///
    /// # Examples
    ///
    /// ```
    /// let listener = poolrt::process::connection::Listener::builder()
    ///     .authkey(b"k")
    ///     .bind("127.0.0.1:0")
    ///     .unwrap();
    /// # drop(listener);
    /// ```
    pub fn builder() -> ListenerBuilder {
        ListenerBuilder::default()
    }

    /// Waits for the next peer and returns the connection to it, once it
    /// passed the authkey handshake (if there is a key).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidState`] if the listener was closed (before or
    /// during the wait); [`ErrorKind::Io`] if accepting failed or the peer
    /// failed the handshake (an [`AuthenticationError`] is then the
    /// source; see [`AuthenticationError::of`]): the listener can accept
    /// the next peer. [`ErrorKind::Timeout`] or [`ErrorKind::Closed`] if
    /// the peer stalled past [`HANDSHAKE_TIMEOUT`] or left mid-handshake.
    ///
    /// [`AuthenticationError`]: crate::connection::AuthenticationError
    /// [`AuthenticationError::of`]: crate::connection::AuthenticationError::of
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::connection::{Client, Listener};
    ///
    /// let listener = Listener::bind("127.0.0.1:0").unwrap();
    /// let address = listener.address().clone();
    /// let client = std::thread::spawn(move || Client::new().connect(address).unwrap());
    /// let conn = listener.accept().unwrap();
    /// assert!(listener.last_accepted().is_some());
    /// # drop((conn, client.join()));
    /// ```
    pub fn accept(&self) -> Result<Connection, Error> {
        self.accept_until(None)
    }

    /// [`accept`](Self::accept), giving up after `timeout`, which bounds
    /// the handshake too.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Timeout`] if no peer came (or finished the handshake)
    /// in time; otherwise as [`accept`](Self::accept).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let listener = poolrt::process::connection::Listener::bind("127.0.0.1:0").unwrap();
    /// let error = listener.accept_timeout(Duration::from_millis(10)).unwrap_err();
    /// assert!(error.is_timeout());
    /// ```
    pub fn accept_timeout(&self, timeout: Duration) -> Result<Connection, Error> {
        self.accept_until(until(timeout)?)
    }

    fn accept_until(&self, deadline: Option<Instant>) -> Result<Connection, Error> {
        let (fd, peer) = loop {
            self.check_open()?;
            let ready = wait_readable(&self.socket, deadline).map_err(|e| {
                Error::new(ErrorKind::Io, e).with_detail(format!("waiting on {}", self.address))
            })?;
            if !ready {
                return Err(Error::from_kind(ErrorKind::Timeout)
                    .with_detail(format!("no peer connected to {} in time", self.address)));
            }
            self.check_open()?;
            let accepted = match &self.socket {
                Socket::Unix(unix) => unix.accept().and_then(|(stream, peer)| {
                    stream.set_nonblocking(false)?;
                    let path = peer.as_pathname().map(PathBuf::from).unwrap_or_default();
                    Ok((OwnedFd::from(stream), Address::Unix(path)))
                }),
                Socket::Tcp(tcp) => tcp.accept().and_then(|(stream, peer)| {
                    stream.set_nonblocking(false)?;
                    stream.set_nodelay(true)?;
                    Ok((OwnedFd::from(stream), Address::Tcp(peer)))
                }),
            };
            match accepted {
                Ok(accepted) => break accepted,
                // Another thread took it, or the peer gave up already.
                Err(e) if is_transient(&e) => {}
                Err(e) => {
                    self.check_open()?;
                    return Err(Error::new(ErrorKind::Io, e)
                        .with_detail(format!("accepting on {}", self.address)));
                }
            }
        };
        *self.last_accepted.lock() = Some(peer.clone());
        let on = format!("the connection to {} from {peer}", self.address);
        let mut conn = Connection::new(fd, true, true, on);
        conn.max_message = self.max_message;
        if let Some(key) = &self.authkey {
            let deadline = bounded(deadline);
            let peer = format!("the peer {peer} of {}", self.address);
            auth::deliver(&conn, key, deadline, &peer)?;
            auth::answer(&conn, key, deadline, &peer)?;
        }
        Ok(conn)
    }

    fn check_open(&self) -> Result<(), Error> {
        // Acquire: pairs with `close`'s store, so a wait woken by the
        // shutdown sees the flag.
        if self.closed.load(Ordering::Acquire) {
            return Err(Error::from_kind(ErrorKind::InvalidState)
                .with_detail(format!("the listener on {} is closed", self.address)));
        }
        Ok(())
    }

    /// The address it listens on (Python's `address`); for TCP, with the
    /// port the system chose when asked for port 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::connection::{Address, Listener};
    ///
    /// let listener = Listener::bind("\0poolrt-doc-address").unwrap();
    /// assert_eq!(listener.address(), &Address::Abstract(b"poolrt-doc-address".to_vec()));
    /// ```
    pub fn address(&self) -> &Address {
        &self.address
    }

    /// The address of the last peer accepted (Python's `last_accepted`):
    /// `None` before the first; a TCP peer's address and port; for a Unix
    /// socket, the peer's path, which is empty for a client (Python's
    /// `''`).
    ///
    /// # Examples
    ///
    /// ```
    /// let listener = poolrt::process::connection::Listener::bind("127.0.0.1:0").unwrap();
    /// assert_eq!(listener.last_accepted(), None);
    /// ```
    pub fn last_accepted(&self) -> Option<Address> {
        self.last_accepted.lock().clone()
    }

    /// Stops listening (Python's `close()`): an `accept` waiting in
    /// another thread returns an error at once, every later one too, and
    /// a Unix socket's file is removed. Connections already accepted stay
    /// open. Closing twice does nothing more; dropping the listener
    /// closes it.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::ErrorKind;
    ///
    /// let listener = poolrt::process::connection::Listener::bind("127.0.0.1:0").unwrap();
    /// listener.close();
    /// assert_eq!(listener.accept().unwrap_err().kind(), ErrorKind::InvalidState);
    /// ```
    pub fn close(&self) {
        // Release: pairs with `check_open`'s load.
        if self.closed.swap(true, Ordering::Release) {
            return;
        }
        let _ = shut_listener(&self.socket);
        if let Address::Unix(path) = &self.address {
            let _ = std::fs::remove_file(path);
        }
    }

    /// Whether [`close`](Self::close) was called.
    ///
    /// # Examples
    ///
    /// ```
    /// let listener = poolrt::process::connection::Listener::bind("127.0.0.1:0").unwrap();
    /// assert!(!listener.closed());
    /// listener.close();
    /// assert!(listener.closed());
    /// ```
    pub fn closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Whether [`close`](Self::close) was called: Python's [`closed`](Self::closed), under the name a Rust
    /// programmer looks for first.
    ///
    /// # Examples
    ///
    /// ```
    /// let listener = poolrt::process::connection::Listener::bind("127.0.0.1:0").unwrap();
    /// assert!(!listener.is_closed());
    /// listener.close();
    /// assert!(listener.is_closed());
    /// ```
    #[doc(alias = "closed")]
    pub fn is_closed(&self) -> bool {
        self.closed()
    }

    /// The listening socket, for [`wait`](crate::connection::wait): readable when a
    /// peer is waiting to be accepted.
    pub(super) fn socket_fd(&self) -> BorrowedFd<'_> {
        self.socket.as_fd()
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.close();
    }
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listener")
            .field("address", &self.address)
            .field("authkey", &self.authkey.as_ref().map(|_| "<set>"))
            .field("closed", &self.closed())
            .finish()
    }
}

/// Whether a failed `accept` is worth waiting again for.
fn is_transient(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock
            | std::io::ErrorKind::Interrupted
            | std::io::ErrorKind::ConnectionAborted
    )
}

/// The deadline of a handshake: the caller's, or [`HANDSHAKE_TIMEOUT`]
/// from now.
pub(super) fn bounded(deadline: Option<Instant>) -> Instant {
    deadline.unwrap_or_else(|| Instant::now() + HANDSHAKE_TIMEOUT)
}
