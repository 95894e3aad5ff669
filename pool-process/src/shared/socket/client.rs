//! `Client`: Python's `multiprocessing.connection.Client`, the other side
//! of a [`Listener`](crate::connection::Listener). It connects (within
//! the caller's time limit: a Unix `connect` waits for room in the
//! listener's backlog, bounded by the socket's send timeout), then, with
//! an authkey, answers the listener's challenge and challenges it back
//! (`auth.rs`).

use std::net::TcpStream;
use std::os::fd::OwnedFd;
use std::time::{Duration, Instant};

use pool_core::{Error, ErrorKind};
use rustix::net::SocketAddrUnix;

use super::address::Address;
use super::auth;
use super::listener::bounded;
use super::pipe::{Connection, until};
use crate::sys::socket::connect_unix;

/// Connects to a [`Listener`](crate::connection::Listener) (Python's
/// `multiprocessing.connection.Client`). Made with [`Client::new`], given
/// an authkey if the listener has one, then
/// [`connect`](Client::connect)ed to an address.
///
/// # Examples
///
/// ```
/// use poolrt::process::connection::{Client, Listener};
///
/// let listener = Listener::builder().authkey(b"key").bind("127.0.0.1:0").unwrap();
/// let address = listener.address().clone();
/// let server = std::thread::spawn(move || {
///     let conn = listener.accept().unwrap();
///     let n: u64 = conn.recv().unwrap();
///     conn.send(&(n * 2)).unwrap();
/// });
/// let conn = Client::new().authkey(b"key").connect(&address).unwrap();
/// conn.send(&21u64).unwrap();
/// assert_eq!(conn.recv::<u64>().unwrap(), 42);
/// server.join().unwrap();
/// ```
#[doc(alias = "multiprocessing.connection.Client")]
#[derive(Clone, Debug)]
pub struct Client {
    authkey: Option<Vec<u8>>,
    max_message: Option<usize>,
}

impl Default for Client {
    fn default() -> Client {
        Client {
            authkey: None,
            max_message: Some(super::listener::DEFAULT_MAX_MESSAGE),
        }
    }
}

impl Client {
    /// A client without an authkey.
    ///
    /// # Examples
    ///
    /// ```
    /// let client = poolrt::process::connection::Client::new();
    /// # drop(client);
    /// ```
    pub fn new() -> Client {
        Client::default()
    }

    /// Prove to the listener that this side knows `key`, and make it
    /// prove it too (Python's `authkey`). An empty key, as in Python,
    /// means no authentication.
    ///
    /// # Examples
    ///
    /// ```
    /// let client = poolrt::process::connection::Client::new().authkey(b"secret");
    /// # drop(client);
    /// ```
    pub fn authkey(mut self, key: impl AsRef<[u8]>) -> Client {
        self.authkey = Some(key.as_ref().to_vec()).filter(|key| !key.is_empty());
        self
    }

    /// The longest message the connection receives
    /// ([`DEFAULT_MAX_MESSAGE`](crate::connection::DEFAULT_MAX_MESSAGE)
    /// unless set; `None`: no cap, as Python).
    ///
    /// # Examples
    ///
    /// ```
    /// let client = pool_process::connection::Client::new().max_message(None);
    /// # drop(client);
    /// ```
    pub fn max_message(mut self, bytes: Option<usize>) -> Client {
        self.max_message = bytes;
        self
    }

    /// Connects to the listener at `address` and, with a key, runs the
    /// handshake (bounded by [`HANDSHAKE_TIMEOUT`](crate::connection::HANDSHAKE_TIMEOUT)).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Io`] if the connection cannot be made (no such path,
    /// refused: the OS error is the source) or the listener failed the
    /// handshake ([`AuthenticationError`](crate::connection::AuthenticationError) is
    /// the source); [`ErrorKind::Closed`] if the listener closed the
    /// connection during it (as it does to a client with the wrong key).
    ///
    /// # Examples
    ///
    /// ```
    /// let error = poolrt::process::connection::Client::new()
    ///     .connect("/nonexistent/poolrt.sock")
    ///     .unwrap_err();
    /// assert!(error.is_io());
    /// assert!(error.to_string().contains("/nonexistent/poolrt.sock"));
    /// ```
    pub fn connect(&self, address: impl Into<Address>) -> Result<Connection, Error> {
        self.connect_until(address.into(), None)
    }

    /// [`connect`](Self::connect), giving up after `timeout`, which bounds
    /// the connect (a listener whose backlog is full) and the handshake.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Timeout`] if it did not finish in time; otherwise as
    /// [`connect`](Self::connect).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use poolrt::process::connection::{Client, Listener};
    ///
    /// // A listener that never accepts, so never answers the challenge.
    /// let listener = Listener::bind("127.0.0.1:0").unwrap();
    /// let error = Client::new()
    ///     .authkey(b"k")
    ///     .connect_timeout(listener.address(), Duration::from_millis(50))
    ///     .unwrap_err();
    /// assert!(error.is_timeout(), "{error}");
    /// ```
    pub fn connect_timeout(
        &self,
        address: impl Into<Address>,
        timeout: Duration,
    ) -> Result<Connection, Error> {
        self.connect_until(address.into(), until(timeout)?)
    }

    fn connect_until(
        &self,
        address: Address,
        deadline: Option<Instant>,
    ) -> Result<Connection, Error> {
        let left = || deadline.map(|d| d.saturating_duration_since(Instant::now()));
        let failed = |e: std::io::Error| {
            let kind = if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) {
                ErrorKind::Timeout
            } else {
                ErrorKind::Io
            };
            Error::new(kind, e).with_detail(format!("cannot connect to {address}"))
        };
        let fd = match &address {
            Address::Unix(path) => SocketAddrUnix::new(path.as_path())
                .map_err(std::io::Error::from)
                .and_then(|addr| connect_unix(&addr, left()))
                .map_err(failed)?,
            Address::Abstract(name) => SocketAddrUnix::new_abstract_name(name)
                .map_err(std::io::Error::from)
                .and_then(|addr| connect_unix(&addr, left()))
                .map_err(failed)?,
            Address::Tcp(tcp) => {
                let stream = match left() {
                    None => TcpStream::connect(tcp),
                    Some(left) => {
                        TcpStream::connect_timeout(tcp, left.max(Duration::from_micros(1)))
                    }
                }
                .map_err(failed)?;
                stream.set_nodelay(true).map_err(failed)?;
                OwnedFd::from(stream)
            }
        };
        let mut conn = Connection::new(fd, true, true, format!("the connection to {address}"));
        conn.max_message = self.max_message;
        if let Some(key) = &self.authkey {
            let deadline = bounded(deadline);
            let peer = format!("the listener on {address}");
            auth::answer(&conn, key, deadline, &peer)?;
            auth::deliver(&conn, key, deadline, &peer)?;
        }
        Ok(conn)
    }
}
