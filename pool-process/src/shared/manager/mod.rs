//! `Manager`: Python's `multiprocessing.Manager()` and `BaseManager`, a
//! server that holds shared objects and serves them to proxies in any
//! process of the program, or of other programs over TCP. `README.md`
//! beside this file describes the protocol.
//!
//! | file | concept |
//! |------|---------|
//! | `object.rs` | `Shared`, the one trait every served object implements; the store |
//! | `kinds/` | the built-in types' objects (dict, list, ...) |
//! | `proxy/` | `Proxy` and the typed proxies ([`Dict`], [`List`], ...) |
//! | `server.rs` | the server: accept, authenticate, serve, release |
//! | `client.rs` | a process's connections to each manager |
//! | `wire.rs` | requests, replies, and capped frames |
//! | `builder.rs` | `ManagerBuilder`: address, authkey, limits, `register` |
//!
//! # How it works
//!
//! 1. [`Manager::new`] binds a Unix socket in the abstract namespace (no
//!    file to leave behind) with a random authkey, and starts a server
//!    thread in this process. [`Manager::builder`] binds a TCP address
//!    with the caller's authkey instead, for other programs that
//!    [`Manager::connect`].
//! 2. `manager.dict()`, `manager.create(..)` make an object on the server
//!    and return a typed proxy: the manager's address and key and the
//!    object's id. A proxy is a plain serde value, so it travels to a
//!    `Process`, through a pool, a queue or a pipe, and its key with it
//!    (Python sends the authkey to the children it spawns, too).
//! 3. A process connects on first use and keeps its connections: one call
//!    at a time on each, a new one when all are busy (a thread waiting in
//!    `acquire` holds one). Each connection first passes CPython's HMAC
//!    challenge in both directions: nothing is deserialized before.
//! 4. The server trusts no peer: every frame length is checked against a
//!    cap before anything is allocated, a bad frame closes that
//!    connection only, connections are bounded and released when their
//!    client closes, dies or idles (see `server.rs`).
//! 5. Dropping the last `Manager` handle (and the last proxy in this
//!    process, which keeps it alive) shuts the server down: every proxy's
//!    next call fails with [`ErrorKind::Closed`](pool_core::ErrorKind::Closed).

/// Implements `Clone` and `Debug` for a typed proxy holding `remote`.
macro_rules! proxy_common {
    ($ty:ident $(<$($p:ident),+>)?, $what:literal) => {
        impl$(<$($p),+>)? Clone for $ty$(<$($p),+>)? {
            fn clone(&self) -> Self {
                $ty {
                    remote: self.remote.clone(),
                    _types: std::marker::PhantomData,
                }
            }
        }

        impl$(<$($p),+>)? std::fmt::Debug for $ty$(<$($p),+>)? {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.remote.describe(f, $what)
            }
        }
    };
}

mod builder;
mod client;
mod constructors;
mod kinds;
mod object;
mod proxy;
mod server;
mod wire;

use std::fmt;
use std::sync::Arc;

use pool_core::{Error, ErrorKind};
use serde::Serialize;

use crate::connection::Address;
use crate::task::Wire;

use builder::ManagerBuilder;
use object::Shared;
use proxy::Proxy;
pub use proxy::{Dict, List};

/// Python's `multiprocessing.managers`: the pieces of a [`Manager`]
/// beyond its typed proxies: [`Shared`](managers::Shared), the trait of
/// every object a manager serves, for registering types of your own
/// ([`ManagerBuilder::register`](managers::ManagerBuilder::register)),
/// and [`Proxy`](managers::Proxy), their proxy.
pub mod managers {
    pub use super::builder::{DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS, ManagerBuilder};
    pub use super::kinds::barrier::BarrierProxy;
    pub use super::kinds::condition::ConditionProxy;
    pub use super::kinds::namespace::{Namespace, ValueProxy};
    pub use super::kinds::queue::QueueProxy;
    pub use super::kinds::sync::{AcquirerProxy, EventProxy};
    pub use super::object::{Caller, Handled, Shared};
    pub use super::proxy::Proxy;
    pub use super::wire::DEFAULT_MAX_FRAME;
}

use client::Endpoint;
use kinds::dict::DictObject;
use kinds::list::ListObject;
use proxy::Remote;
use wire::{Reply, Request};

/// A server of shared objects: Python's `multiprocessing.Manager()`, or
/// a `BaseManager` served over TCP and reached with
/// [`connect`](Manager::connect).
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
    endpoint: Arc<Endpoint>,
    /// The server, when it runs in this process.
    server: Option<Arc<server::Server>>,
}

impl Manager {
    /// Starts a local manager's server (a thread of this process) on a
    /// fresh abstract Unix socket, with a random authkey that its proxies
    /// carry to the processes they are sent to.
    ///
    /// # Errors
    ///
    /// The socket or the thread could not be created ([`ErrorKind::Spawn`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let manager = poolrt::process::Manager::new().unwrap();
    /// assert!(manager.address().to_string().starts_with("\\0poolrt-manager-"));
    /// ```
    pub fn new() -> Result<Manager, Error> {
        ManagerBuilder::default().start()
    }

    /// Settings for a manager: a TCP address and authkey, limits, and
    /// registered types.
    ///
    /// # Examples
    ///
    /// ```
    /// let manager = pool_process::Manager::builder()
    ///     .address("127.0.0.1:0")
    ///     .authkey(b"secret")
    ///     .start()
    ///     .unwrap();
    /// # drop(manager);
    /// ```
    pub fn builder() -> ManagerBuilder {
        ManagerBuilder::default()
    }

    /// Connects to a manager another program serves at `address` with
    /// `authkey` (Python's `BaseManager(address, authkey).connect()`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Closed`] if nothing answers there, [`ErrorKind::Io`]
    /// (with an [`AuthenticationError`](crate::connection::AuthenticationError)
    /// as its source) if the key is refused.
    ///
    /// # Examples
    ///
    /// ```
    /// use pool_process::Manager;
    ///
    /// let served = Manager::builder().address("127.0.0.1:0").authkey(b"k").start().unwrap();
    /// let remote = Manager::connect(served.address().clone(), b"k").unwrap();
    /// let d = remote.dict_named::<String, u32>("scores").unwrap();
    /// d.insert("ada".into(), 3).unwrap();
    /// assert_eq!(served.dict_named::<String, u32>("scores").unwrap().get(&"ada".into()).unwrap(), Some(3));
    /// assert!(Manager::connect(served.address().clone(), b"wrong").is_err());
    /// ```
    pub fn connect(
        address: impl Into<Address>,
        authkey: impl AsRef<[u8]>,
    ) -> Result<Manager, Error> {
        let endpoint = Arc::new(Endpoint {
            address: address.into(),
            authkey: authkey.as_ref().to_vec(),
        });
        client::request(
            &endpoint,
            &Request::Hello {
                process: client::process_token(),
            },
            None,
        )?;
        Ok(Manager {
            endpoint,
            server: None,
        })
    }

    /// The manager's address: an abstract Unix name for a local manager,
    /// the bound TCP address (with the port the system chose for port 0)
    /// for a served one.
    ///
    /// # Examples
    ///
    /// ```
    /// let a = poolrt::process::Manager::new().unwrap();
    /// let b = poolrt::process::Manager::new().unwrap();
    /// assert_ne!(a.address(), b.address());
    /// ```
    pub fn address(&self) -> &Address {
        &self.endpoint.address
    }

    /// A new object of the type registered as `kind`, built on the server
    /// from `args` (Python's `manager.<typeid>(*args)`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnknownFunction`] if no type is registered as `kind`,
    /// [`ErrorKind::Deserialize`] if it is registered as another type than
    /// `S` or `args` are not its constructor's, [`ErrorKind::Closed`] if the
    /// manager is gone.
    ///
    /// # Examples
    ///
    /// See [`Shared`].
    pub fn create<S: Shared, A: Serialize>(&self, kind: &str, args: &A) -> Result<Proxy<S>, Error> {
        Ok(Proxy::new(self.make::<S, A>(kind, None, args)?))
    }

    /// The object named `name` of the type registered as `kind`, made from
    /// `args` if there is none yet: how programs that
    /// [`connect`](Self::connect) find the same objects (Python registers
    /// a callable that returns a shared object for this).
    ///
    /// # Errors
    ///
    /// As for [`create`](Self::create); [`ErrorKind::InvalidState`] if the
    /// name belongs to an object of another kind.
    ///
    /// # Examples
    ///
    /// ```
    /// use pool_process::Manager;
    ///
    /// let manager = Manager::new().unwrap();
    /// let a = manager.dict_named::<u8, u8>("shared").unwrap();
    /// let b = manager.dict_named::<u8, u8>("shared").unwrap();
    /// a.insert(1, 1).unwrap();
    /// assert_eq!(b.get(&1).unwrap(), Some(1));
    /// ```
    pub fn create_named<S: Shared, A: Serialize>(
        &self,
        kind: &str,
        name: &str,
        args: &A,
    ) -> Result<Proxy<S>, Error> {
        Ok(Proxy::new(self.make::<S, A>(kind, Some(name), args)?))
    }

    fn make<S: Shared, A: Serialize>(
        &self,
        kind: &str,
        name: Option<&str>,
        args: &A,
    ) -> Result<Remote, Error> {
        let request = Request::Create {
            kind: kind.to_owned(),
            name: name.map(str::to_owned),
            type_name: std::any::type_name::<S>().to_owned(),
            args: proxy::encode(args)?,
        };
        match client::request(&self.endpoint, &request, None)? {
            Reply::Created { id, .. } => {
                Ok(Remote::new(self.endpoint.clone(), id, self.server.clone()))
            }
            other => Err(proxy::unexpected(&other)),
        }
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
        Ok(Dict::new(self.make::<DictObject, _>("dict", None, &())?))
    }

    /// The dict named `name`, made empty if there is none yet.
    ///
    /// # Errors
    ///
    /// As for [`create_named`](Self::create_named).
    ///
    /// # Examples
    ///
    /// See [`connect`](Self::connect).
    pub fn dict_named<K: Wire, V: Wire>(&self, name: &str) -> Result<Dict<K, V>, Error> {
        Ok(Dict::new(self.make::<DictObject, _>(
            "dict",
            Some(name),
            &(),
        )?))
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
        let items = encode_all(items)?;
        Ok(List::new(self.make::<ListObject, _>("list", None, &items)?))
    }

    /// A new shared array holding `items` (Python's
    /// `manager.Array(typecode, items)`, whose proxy indexes, assigns and
    /// measures like a list): a [`List`], for any serde type.
    ///
    /// # Errors
    ///
    /// As for [`list`](Self::list).
    ///
    /// # Examples
    ///
    /// ```
    /// let a = pool_process::Manager::new().unwrap().array([0.5f64; 4]).unwrap();
    /// a.set(2, 1.5).unwrap();
    /// assert_eq!(a.to_vec().unwrap(), [0.5, 0.5, 1.5, 0.5]);
    /// ```
    #[doc(alias = "Array")]
    pub fn array<T: Wire>(&self, items: impl IntoIterator<Item = T>) -> Result<List<T>, Error> {
        self.list(items)
    }

    /// The list named `name`, made from `items` if there is none yet.
    ///
    /// # Errors
    ///
    /// As for [`create_named`](Self::create_named).
    ///
    /// # Examples
    ///
    /// ```
    /// let manager = pool_process::Manager::new().unwrap();
    /// manager.list_named("log", [1]).unwrap().append(2).unwrap();
    /// assert_eq!(manager.list_named::<i32>("log", []).unwrap().to_vec().unwrap(), [1, 2]);
    /// ```
    pub fn list_named<T: Wire>(
        &self,
        name: &str,
        items: impl IntoIterator<Item = T>,
    ) -> Result<List<T>, Error> {
        let items = encode_all(items)?;
        Ok(List::new(self.make::<ListObject, _>(
            "list",
            Some(name),
            &items,
        )?))
    }

    /// Serves until the manager is shut down, by
    /// [`shutdown`](Self::shutdown) here or in another thread, or by a
    /// client's (Python's `server.serve_forever()`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidState`] on a manager [`connect`](Self::connect)ed
    /// to, whose server runs elsewhere.
    ///
    /// # Examples
    ///
    /// ```
    /// use pool_process::Manager;
    ///
    /// let manager = Manager::builder().address("127.0.0.1:0").authkey(b"k").start().unwrap();
    /// let address = manager.address().clone();
    /// std::thread::spawn(move || Manager::connect(address, b"k").unwrap().shutdown());
    /// manager.serve_forever().unwrap();
    /// ```
    pub fn serve_forever(&self) -> Result<(), Error> {
        let server = self.server.as_ref().ok_or_else(|| {
            Error::from_kind(ErrorKind::InvalidState).with_detail(format!(
                "this manager is connected to {}; its server runs elsewhere",
                self.address()
            ))
        })?;
        server.wait_stopped();
        Ok(())
    }

    /// Stops the server now, even while proxies live: every proxy's next
    /// call fails with [`ErrorKind::Closed`]. On a manager
    /// [`connect`](Self::connect)ed to, asks the server to stop (Python's
    /// `shutdown`), best effort.
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
        match &self.server {
            Some(server) => server.shutdown(),
            None => {
                let _ = client::request(&self.endpoint, &Request::Shutdown, None);
                client::forget(self.address());
            }
        }
    }

    /// How many connections the server holds open now: `None` on a
    /// manager [`connect`](Self::connect)ed to.
    ///
    /// # Examples
    ///
    /// ```
    /// let manager = pool_process::Manager::new().unwrap();
    /// let d = manager.dict::<u8, u8>().unwrap();
    /// assert!(manager.connections().unwrap() >= 1);
    /// ```
    pub fn connections(&self) -> Option<usize> {
        self.server.as_ref().map(|s| s.connections())
    }
}

fn encode_all<T: Wire>(items: impl IntoIterator<Item = T>) -> Result<Vec<Vec<u8>>, Error> {
    items.into_iter().map(|item| proxy::encode(&item)).collect()
}

impl fmt::Debug for Manager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Manager")
            .field("address", self.address())
            .field("served_here", &self.server.is_some())
            .finish()
    }
}
