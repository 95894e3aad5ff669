//! [`ManagerBuilder`]: where a manager listens, its key, its limits and
//! the types it serves.

use std::sync::Arc;
use std::time::Duration;

use pool_core::{Error, ErrorKind};

use super::client::Endpoint;
use super::object::{Registry, Shared};
use super::server::{Config, Server};
use super::wire::DEFAULT_MAX_FRAME;
use super::{Manager, kinds};
use crate::connection::Address;
use crate::task::Wire;

/// The default bound on open connections.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

/// The default time a connection may stay silent before the server
/// closes it (its client reconnects on its next call).
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(300);

/// Settings for a [`Manager`] (Python's `BaseManager(address, authkey)`
/// and its `register`), made by [`Manager::builder`]; [`start`](Self::start)
/// starts its server.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// let manager = pool_process::Manager::builder()
///     .max_connections(64)
///     .max_frame(1 << 20)
///     .idle_timeout(Some(Duration::from_secs(30)))
///     .start()
///     .unwrap();
/// # drop(manager);
/// ```
pub struct ManagerBuilder {
    address: Option<Address>,
    authkey: Option<Vec<u8>>,
    max_frame: usize,
    max_connections: usize,
    idle_timeout: Option<Duration>,
    registry: Registry,
    initializer: Option<Box<dyn FnOnce() + Send>>,
}

impl Default for ManagerBuilder {
    fn default() -> ManagerBuilder {
        ManagerBuilder {
            address: None,
            authkey: None,
            max_frame: DEFAULT_MAX_FRAME,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            idle_timeout: Some(DEFAULT_IDLE_TIMEOUT),
            registry: kinds::builtins(),
            initializer: None,
        }
    }
}

impl std::fmt::Debug for ManagerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut kinds: Vec<_> = self.registry.kinds.keys().collect();
        kinds.sort();
        f.debug_struct("ManagerBuilder")
            .field("address", &self.address)
            .field("max_frame", &self.max_frame)
            .field("max_connections", &self.max_connections)
            .field("idle_timeout", &self.idle_timeout)
            .field("kinds", &kinds)
            .finish_non_exhaustive()
    }
}

impl ManagerBuilder {
    /// Listens on `address` (a TCP `"host:port"`, a Unix path, or
    /// `"\0name"` for an abstract one) instead of a fresh abstract name.
    /// A TCP address needs an [`authkey`](Self::authkey).
    ///
    /// # Examples
    ///
    /// ```
    /// let builder = pool_process::Manager::builder().address("0.0.0.0:50000");
    /// # drop(builder);
    /// ```
    pub fn address(mut self, address: impl Into<Address>) -> ManagerBuilder {
        self.address = Some(address.into());
        self
    }

    /// The key every client must prove it knows (CPython's HMAC
    /// challenge, both ways). Without one, a local manager draws a random
    /// key that its proxies carry.
    ///
    /// # Examples
    ///
    /// ```
    /// let builder = pool_process::Manager::builder().authkey(b"secret");
    /// # drop(builder);
    /// ```
    pub fn authkey(mut self, key: impl AsRef<[u8]>) -> ManagerBuilder {
        self.authkey = Some(key.as_ref().to_vec()).filter(|k| !k.is_empty());
        self
    }

    /// The longest frame the server reads ([`DEFAULT_MAX_FRAME`] unless
    /// set): a longer one closes its connection before anything is
    /// allocated for it.
    ///
    /// # Examples
    ///
    /// ```
    /// let builder = pool_process::Manager::builder().max_frame(1 << 20);
    /// # drop(builder);
    /// ```
    pub fn max_frame(mut self, bytes: usize) -> ManagerBuilder {
        self.max_frame = bytes;
        self
    }

    /// The most connections served at once ([`DEFAULT_MAX_CONNECTIONS`]
    /// unless set); one more is closed at once.
    ///
    /// # Examples
    ///
    /// ```
    /// let builder = pool_process::Manager::builder().max_connections(16);
    /// # drop(builder);
    /// ```
    pub fn max_connections(mut self, n: usize) -> ManagerBuilder {
        self.max_connections = n;
        self
    }

    /// How long a connection may stay silent before the server closes it
    /// ([`DEFAULT_IDLE_TIMEOUT`] unless set; `None`: never).
    ///
    /// # Examples
    ///
    /// ```
    /// let builder = pool_process::Manager::builder().idle_timeout(None);
    /// # drop(builder);
    /// ```
    pub fn idle_timeout(mut self, timeout: Option<Duration>) -> ManagerBuilder {
        self.idle_timeout = timeout;
        self
    }

    /// Registers a type as `kind` (Python's `register(typeid, callable)`):
    /// [`Manager::create`] then makes one with `make(args)` on the server.
    ///
    /// # Examples
    ///
    /// See [`Shared`].
    pub fn register<S: Shared, A: Wire>(
        mut self,
        kind: &str,
        make: impl Fn(A) -> S + Send + Sync + 'static,
    ) -> ManagerBuilder {
        self.registry.add(kind, make);
        self
    }

    /// Runs `initializer` on the server's thread before it serves
    /// (Python's `start(initializer)`).
    ///
    /// # Examples
    ///
    /// ```
    /// let manager = pool_process::Manager::builder()
    ///     .initializer(|| println!("serving"))
    ///     .start()
    ///     .unwrap();
    /// # drop(manager);
    /// ```
    pub fn initializer(mut self, initializer: impl FnOnce() + Send + 'static) -> ManagerBuilder {
        self.initializer = Some(Box::new(initializer));
        self
    }

    /// Starts the server (a thread of this process) and returns the
    /// manager (Python's `start()`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidConfig`] for a TCP address without an authkey;
    /// [`ErrorKind::Spawn`] if the address cannot be bound or the thread
    /// started; [`ErrorKind::Initializer`] if the initializer panicked.
    ///
    /// # Examples
    ///
    /// ```
    /// let manager = pool_process::Manager::builder().start().unwrap();
    /// # drop(manager);
    /// ```
    pub fn start(self) -> Result<Manager, Error> {
        let tcp = matches!(self.address, Some(Address::Tcp(_)));
        if tcp && self.authkey.is_none() {
            return Err(Error::from_kind(ErrorKind::InvalidConfig).with_detail(
                "a manager on a TCP address needs an authkey: anyone who can reach it could use it",
            ));
        }
        let authkey = match self.authkey {
            Some(key) => key,
            None => {
                let mut key = vec![0u8; 32];
                getrandom::fill(&mut key).map_err(|e| {
                    Error::new(ErrorKind::Spawn, e.to_string())
                        .with_detail("drawing a manager's random authkey")
                })?;
                key
            }
        };
        let config = Config {
            authkey: authkey.clone(),
            max_frame: self.max_frame,
            max_connections: self.max_connections.max(1),
            idle_timeout: self.idle_timeout,
            same_user: !tcp,
        };
        let server = Server::start(self.address, config, self.registry, self.initializer)?;
        Ok(Manager {
            endpoint: Arc::new(Endpoint {
                address: server.address().clone(),
                authkey,
            }),
            server: Some(Arc::new(server)),
        })
    }
}
