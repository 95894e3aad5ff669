//! `Manager`: Python's `multiprocessing.Manager()`, a server that holds
//! shared containers and serves them to proxies in any process of the
//! program.
//!
//! # How it works
//!
//! 1. `Manager::new` binds a Unix socket in the abstract namespace (no file
//!    to leave behind) and starts a server thread in this process. Python
//!    starts a server *process*; a thread serves the same purpose here,
//!    because the data only has to outlive the children, and a thread
//!    needs no start-up handshake.
//! 2. `manager.dict()` / `manager.list(..)` create a container on the
//!    server and return a typed proxy: the socket's name and the
//!    container's id. A proxy is a plain serde value, so unlike the
//!    inherited objects it travels anywhere: to a `Process`, through a
//!    pool, a queue or a pipe (as Python's proxies do).
//! 3. Each process keeps one connection per manager (made on first use)
//!    and sends one request at a time on it: postcard frames with a `u32`
//!    length, keys and values already encoded, so the server stores bytes
//!    and never needs the types.
//! 4. The server accepts only processes of the same user (the kernel's
//!    peer credentials), as Python's authkey keeps strangers out.
//! 5. Dropping the last `Manager` handle (and the last proxy in this
//!    process, which keeps it alive) shuts the server down: every proxy's
//!    next call fails with [`ErrorKind::Closed`]. The containers
//!    live until then (Python frees one when its last proxy goes; poolrt
//!    keeps them for the manager's life).

mod proxy;
mod server;

use std::fmt;
use std::sync::Arc;

use pool_core::{Error, ErrorKind};
use serde::{Deserialize, Serialize};

use crate::task::Wire;

pub use proxy::{Dict, List};

/// Requests a proxy sends; keys and values are postcard bytes.
#[derive(Debug, Serialize, Deserialize)]
enum Request {
    NewDict,
    NewList(Vec<Vec<u8>>),
    DictSet(u64, Vec<u8>, Vec<u8>),
    DictGet(u64, Vec<u8>),
    DictRemove(u64, Vec<u8>),
    DictLen(u64),
    DictItems(u64),
    DictClear(u64),
    ListAppend(u64, Vec<u8>),
    ListExtend(u64, Vec<Vec<u8>>),
    ListGet(u64, i64),
    ListSet(u64, i64, Vec<u8>),
    ListInsert(u64, i64, Vec<u8>),
    ListPop(u64, i64),
    ListLen(u64),
    ListItems(u64),
    ListClear(u64),
    ListReverse(u64),
}

/// The server's answers.
#[derive(Debug, Serialize, Deserialize)]
enum Reply {
    Done,
    Id(u64),
    Value(Option<Vec<u8>>),
    Len(u64),
    Items(Vec<(Vec<u8>, Vec<u8>)>),
    Values(Vec<Vec<u8>>),
    /// The request could not be served (an unknown container); the
    /// message says why.
    Refused(String),
    /// A list index was out of range, or a pop found the list empty
    /// (Python's `IndexError`); the message says which.
    OutOfRange(String),
}

/// A server of shared containers: Python's `multiprocessing.Manager()`.
///
/// Clones are handles to the same server, which shuts down when the last
/// handle, and the last proxy in this process, is dropped (or at
/// [`shutdown`](Manager::shutdown)).
///
/// # Examples
///
/// ```
/// use poolrt::process::{Dict, List, Manager, Process};
///
/// fn f(d: Dict<u32, String>, l: List<i32>) {
///     d.insert(1, "1".into()).unwrap();
///     d.insert(2, "2".into()).unwrap();
///     l.reverse().unwrap();
/// }
///
/// let manager = Manager::new().unwrap();
/// let d = manager.dict().unwrap();
/// let l = manager.list(0..5).unwrap();
/// let p = Process::new(f, (d.clone(), l.clone()));
/// p.start().unwrap();
/// p.join().unwrap();
/// assert_eq!(d.get(&2).unwrap().as_deref(), Some("2"));
/// assert_eq!(l.to_vec().unwrap(), [4, 3, 2, 1, 0]);
/// ```
#[derive(Clone)]
pub struct Manager {
    server: Arc<server::Server>,
}

impl Manager {
    /// Starts a manager's server (a thread of this process).
    ///
    /// # Errors
    ///
    /// The socket or the thread could not be created ([`ErrorKind::Spawn`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let manager = poolrt::process::Manager::new().unwrap();
    /// assert!(manager.address().starts_with("poolrt-manager-"));
    /// ```
    pub fn new() -> Result<Manager, Error> {
        Ok(Manager {
            server: Arc::new(server::Server::start()?),
        })
    }

    /// The name of the manager's socket (in the abstract namespace).
    ///
    /// # Examples
    ///
    /// ```
    /// let a = poolrt::process::Manager::new().unwrap();
    /// let b = poolrt::process::Manager::new().unwrap();
    /// assert_ne!(a.address(), b.address());
    /// ```
    pub fn address(&self) -> &str {
        self.server.address()
    }

    /// A new, empty shared dict (Python's `manager.dict()`).
    ///
    /// # Errors
    ///
    /// The server has shut down ([`ErrorKind::Closed`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let manager = poolrt::process::Manager::new().unwrap();
    /// let d = manager.dict::<String, f64>().unwrap();
    /// d.insert("pi".into(), 3.14).unwrap();
    /// assert_eq!(d.len().unwrap(), 1);
    /// ```
    pub fn dict<K: Wire, V: Wire>(&self) -> Result<Dict<K, V>, Error> {
        let id = proxy::create(self.address(), Request::NewDict)?;
        Ok(Dict::new(&self.server, id))
    }

    /// A new shared list holding `items` (Python's `manager.list(items)`).
    ///
    /// # Errors
    ///
    /// An item could not be serialized ([`ErrorKind::Serialize`]), or the
    /// server has shut down ([`ErrorKind::Closed`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let manager = poolrt::process::Manager::new().unwrap();
    /// let l = manager.list(["a".to_owned(), "b".to_owned()]).unwrap();
    /// assert_eq!(l.len().unwrap(), 2);
    /// ```
    pub fn list<T: Wire>(&self, items: impl IntoIterator<Item = T>) -> Result<List<T>, Error> {
        let items = items
            .into_iter()
            .map(|item| proxy::encode(&item))
            .collect::<Result<Vec<_>, _>>()?;
        let id = proxy::create(self.address(), Request::NewList(items))?;
        Ok(List::new(&self.server, id))
    }

    /// Stops the server now, even while proxies live: every proxy's next
    /// call fails with [`ErrorKind::Closed`].
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::ErrorKind;
    ///
    /// let manager = poolrt::process::Manager::new().unwrap();
    /// let d = manager.dict::<u8, u8>().unwrap();
    /// manager.shutdown();
    /// assert_eq!(d.len().unwrap_err().kind(), ErrorKind::Closed);
    /// ```
    pub fn shutdown(&self) {
        self.server.shutdown();
    }
}

impl fmt::Debug for Manager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Manager")
            .field("address", &self.address())
            .finish()
    }
}

/// The error for a manager that is gone.
fn closed(address: &str, why: impl fmt::Display) -> Error {
    Error::from_kind(ErrorKind::Closed)
        .with_detail(format!("the manager {address} is not there ({why})"))
}
