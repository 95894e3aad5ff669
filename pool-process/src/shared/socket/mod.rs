//! The shared objects that are sockets or descriptors rather than shared
//! memory: Python's `Pipe` and its `Connection` ends, any descriptor
//! (`Fd`) handed to a child, and Python's `multiprocessing.connection`
//! (`Listener`, `Client`, `wait`).
//!
//! | file | concept |
//! |------|---------|
//! | `frame.rs` | CPython's message framing, read in as many calls as it takes |
//! | `pipe.rs` | [`Pipe`] and [`Connection`]: receiving typed messages, poll |
//! | `send.rs` | a [`Connection`]'s sends: whole messages with their descriptors, `send_timeout` |
//! | `bytes.rs` | a [`Connection`]'s byte messages |
//! | `handle.rs` | a [`Connection`] as a handle: `try_clone`, `fileno`, `close` |
//! | `fd.rs` | [`Fd`] |
//! | `address.rs` | `Address`: a Unix path, a Linux abstract name, or TCP |
//! | `auth.rs` | the authkey challenge, CPython's, in both directions |
//! | `listener.rs` | `Listener`: bind, accept, close |
//! | `client.rs` | `Client`: connect |
//! | `wait.rs` | `wait` over connections, sentinels and descriptors; `Sentinel` |

mod address;
mod auth;
mod bytes;
mod client;
mod fd;
mod frame;
mod handle;
mod listener;
mod pipe;
mod send;
mod wait;

pub(crate) use auth::{Side, authenticate};
pub use fd::Fd;
pub use pipe::{Connection, Pipe};

/// Python's `multiprocessing.connection`: [`Listener`](crate::connection::Listener) and [`Client`](crate::connection::Client)
/// connect two programs that share no parent, over a Unix path, a Linux
/// abstract name or TCP, with an `authkey` that each side proves it knows
/// before any message is deserialized; [`wait`](crate::connection::wait) waits for the first of
/// several connections, process sentinels and descriptors.
///
/// The two ends authenticate each other with CPython's own challenge
/// (HMAC-SHA256 over 40 random bytes, in both directions) and frame
/// messages as CPython does, so a poolrt end can talk byte messages
/// ([`Connection::send_bytes`](crate::Connection::send_bytes), [`Connection::recv_bytes`](crate::Connection::recv_bytes)) with a
/// CPython `Listener` or `Client` using the same key.
///
/// # Examples
///
/// ```
/// use poolrt::process::connection::{Client, Listener};
///
/// let listener = Listener::builder()
///     .authkey(b"secret password")
///     .bind("127.0.0.1:0")
///     .unwrap();
/// let address = listener.address().clone();
/// let client = std::thread::spawn(move || {
///     let conn = Client::new().authkey(b"secret password").connect(address).unwrap();
///     conn.send(&vec![1.5f64, 2.5]).unwrap();
///     conn.recv::<String>().unwrap()
/// });
/// let conn = listener.accept().unwrap();
/// let numbers: Vec<f64> = conn.recv().unwrap();
/// conn.send(&format!("sum {}", numbers.iter().sum::<f64>())).unwrap();
/// assert_eq!(client.join().unwrap(), "sum 4");
/// ```
pub mod connection {
    pub use super::address::Address;
    pub use super::auth::AuthenticationError;
    pub use super::client::Client;
    pub use super::listener::{DEFAULT_MAX_MESSAGE, HANDSHAKE_TIMEOUT, Listener, ListenerBuilder};
    pub use super::pipe::{Connection, Pipe};
    pub use super::wait::{Sentinel, Waitable, wait};
}
