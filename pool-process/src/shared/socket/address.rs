//! `Address`: where a [`Listener`](crate::connection::Listener) listens and a
//! [`Client`](crate::connection::Client) connects, in Python's three families.

use std::fmt;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};

use pool_core::{Error, ErrorKind};
use serde::{Deserialize, Serialize};

/// A Listener's or Client's address: a Unix socket at a path, a Linux
/// abstract Unix socket, or TCP. Python tells them apart by type (a `str`
/// path, a `str` starting with `"\0"`, a `(host, port)` tuple); here a
/// string converts the same way: a leading NUL makes it abstract, an
/// `ip:port` (`127.0.0.1:6000`, `[::1]:6000`) makes it TCP, anything
/// else is a path. For a host name, use [`Address::tcp`]. An `Address`
/// is a serde value: pass it to a child as is (its `Display` escapes the
/// NUL of an abstract name, so the text does not read back as the same
/// address).
///
/// # Examples
///
/// ```
/// use std::path::PathBuf;
/// use poolrt::process::connection::Address;
///
/// assert_eq!(Address::from("/tmp/app.sock"), Address::Unix(PathBuf::from("/tmp/app.sock")));
/// assert_eq!(Address::from("\0app"), Address::Abstract(b"app".to_vec()));
/// assert_eq!(Address::from("127.0.0.1:6000"), Address::Tcp("127.0.0.1:6000".parse().unwrap()));
/// assert!(matches!(Address::tcp(("localhost", 6000)).unwrap(), Address::Tcp(_)));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Address {
    /// A Unix socket at this path (Python's `AF_UNIX` with a path). A
    /// Listener removes the file when it closes. The empty path is a
    /// peer that has no name, as Python's `last_accepted` shows `''`.
    Unix(PathBuf),
    /// A Linux abstract Unix socket with this name, without the leading
    /// NUL Python writes (`"\0name"`): no file, gone with its listener.
    Abstract(Vec<u8>),
    /// A TCP address (Python's `AF_INET` and `AF_INET6`).
    Tcp(SocketAddr),
}

impl Address {
    /// The TCP address `host` resolves to first, as Python's Listener and
    /// Client take a `(host, port)` tuple.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidConfig`] if `host` does not resolve.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::connection::Address;
    ///
    /// let address = Address::tcp(("127.0.0.1", 0)).unwrap();
    /// assert_eq!(address.to_string(), "127.0.0.1:0");
    /// assert!(Address::tcp("no such host.invalid:1").is_err());
    /// ```
    pub fn tcp(host: impl ToSocketAddrs + fmt::Debug) -> Result<Address, Error> {
        let unresolved = |why: String| {
            Error::from_kind(ErrorKind::InvalidConfig)
                .with_detail(format!("the TCP address {host:?} {why}"))
        };
        let mut found = host
            .to_socket_addrs()
            .map_err(|e| unresolved(format!("does not resolve: {e}")))?;
        found
            .next()
            .map(Address::Tcp)
            .ok_or_else(|| unresolved("resolves to nothing".to_owned()))
    }
}

impl From<&str> for Address {
    fn from(text: &str) -> Address {
        if let Some(name) = text.strip_prefix('\0') {
            Address::Abstract(name.as_bytes().to_vec())
        } else if let Ok(tcp) = text.parse::<SocketAddr>() {
            Address::Tcp(tcp)
        } else {
            Address::Unix(PathBuf::from(text))
        }
    }
}

impl From<String> for Address {
    fn from(text: String) -> Address {
        Address::from(text.as_str())
    }
}

impl From<&Path> for Address {
    fn from(path: &Path) -> Address {
        Address::Unix(path.to_owned())
    }
}

impl From<PathBuf> for Address {
    fn from(path: PathBuf) -> Address {
        Address::Unix(path)
    }
}

impl From<SocketAddr> for Address {
    fn from(tcp: SocketAddr) -> Address {
        Address::Tcp(tcp)
    }
}

impl From<&Address> for Address {
    fn from(address: &Address) -> Address {
        address.clone()
    }
}

impl fmt::Display for Address {
    /// A path as it is, an abstract name with Python's leading `\0`
    /// (escaped), TCP as `ip:port`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Unix(path) => write!(f, "{}", path.display()),
            Address::Abstract(name) => write!(f, "\\0{}", String::from_utf8_lossy(name)),
            Address::Tcp(tcp) => write!(f, "{tcp}"),
        }
    }
}
