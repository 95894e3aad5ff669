//! Proxies: what names an object on a manager ([`Remote`]), the generic
//! proxy of a registered type ([`Proxy`]), and the typed proxies of the
//! built-in types.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use pool_core::{Error, ErrorKind};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::client::{Endpoint, request, thread_token};
use super::object::Shared;
use super::server::Server;
use super::wire::{Reply, Request};
use crate::wire::codec;

/// What a proxy names: an object on one manager, and the key to reach
/// it. In the manager's own process it also holds the server, which
/// stays up while a proxy lives there.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Remote {
    #[serde(with = "shared_endpoint")]
    pub(super) endpoint: Arc<Endpoint>,
    pub(super) id: u64,
    /// Held, never read: keeps the server running.
    #[serde(skip)]
    _server: Option<Arc<Server>>,
}

impl Remote {
    pub(super) fn new(endpoint: Arc<Endpoint>, id: u64, server: Option<Arc<Server>>) -> Remote {
        Remote {
            endpoint,
            id,
            _server: server,
        }
    }

    /// Sends `command`; a command that may wait is given `wait` (`None`:
    /// for ever), the others pass `None` for `wait` and are not waited
    /// on.
    pub(super) fn call<C: Serialize, R: DeserializeOwned>(
        &self,
        command: &C,
        wait: Option<Option<Duration>>,
    ) -> Result<R, Error> {
        let command = encode(command)?;
        let timeout_us = match wait {
            Some(Some(timeout)) => Some(u64::try_from(timeout.as_micros()).unwrap_or(u64::MAX)),
            Some(None) => None,
            // A command that never waits: any wait is a bug, bounded.
            None => Some(0),
        };
        let reply = request(
            &self.endpoint,
            &Request::Call {
                id: self.id,
                thread: thread_token(),
                timeout_us,
                command,
            },
            wait,
        )?;
        match reply {
            Reply::Value(bytes) => codec::from_postcard(&bytes).map_err(|e| {
                Error::new(ErrorKind::Deserialize, e).with_detail(format!(
                    "a reply from the manager at {} ({})",
                    self.endpoint.address,
                    std::any::type_name::<R>()
                ))
            }),
            other => Err(unexpected(&other)),
        }
    }

    pub(super) fn describe(&self, f: &mut fmt::Formatter<'_>, what: &str) -> fmt::Result {
        f.debug_struct(what)
            .field("manager", &self.endpoint.address.to_string())
            .field("id", &self.id)
            .finish()
    }
}

/// An `Arc<Endpoint>` travels as the endpoint.
mod shared_endpoint {
    use std::sync::Arc;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::Endpoint;

    pub(super) fn serialize<S: Serializer>(e: &Arc<Endpoint>, s: S) -> Result<S::Ok, S::Error> {
        e.as_ref().serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<Endpoint>, D::Error> {
        Endpoint::deserialize(d).map(Arc::new)
    }
}

pub(super) fn unexpected(reply: &Reply) -> Error {
    Error::from_kind(ErrorKind::Deserialize)
        .with_detail(format!("an unexpected reply from the manager: {reply:?}"))
}

/// Encodes a command or value for the manager.
pub(super) fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    codec::to_postcard(value).map_err(|e| {
        Error::new(ErrorKind::Serialize, e).with_detail(format!(
            "a value for a manager ({})",
            std::any::type_name::<T>()
        ))
    })
}

/// Decodes a value that came from the manager.
pub(super) fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    codec::from_postcard(bytes).map_err(|e| {
        Error::new(ErrorKind::Deserialize, e).with_detail(format!(
            "a value from a manager ({})",
            std::any::type_name::<T>()
        ))
    })
}

/// The proxy of an object of a registered type `S` (Python's
/// `BaseProxy` of a `register()`ed typeid): [`call`](Proxy::call) sends
/// one of its commands and returns its reply. Made by
/// [`Manager::create`](crate::Manager::create). Like every proxy, it is a
/// plain serde value: send it to a `Process`, through a pool, a queue or
/// a pipe.
///
/// # Examples
///
/// See [`Shared`].
#[derive(Serialize, Deserialize)]
#[serde(bound = "")]
pub struct Proxy<S> {
    pub(super) remote: Remote,
    #[serde(skip)]
    _types: PhantomData<fn() -> S>,
}

impl<S: Shared> Proxy<S> {
    pub(super) fn new(remote: Remote) -> Proxy<S> {
        Proxy {
            remote,
            _types: PhantomData,
        }
    }

    /// Sends `command` to the object and returns its reply, waiting as
    /// long as the object says [`Wait`](super::object::Handled::Wait).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Closed`] when the manager is gone, [`ErrorKind::Serialize`] or
    /// [`ErrorKind::Deserialize`] when the command or reply does not travel
    /// (a proxy of another type, for one).
    ///
    /// # Examples
    ///
    /// See [`Shared`].
    pub fn call(&self, command: S::Command) -> Result<S::Reply, Error> {
        self.remote.call(&command, Some(None))
    }

    /// [`call`](Self::call), giving up after `timeout` if the object
    /// still says [`Wait`](super::object::Handled::Wait).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Timeout`] when it did; otherwise as [`call`](Self::call).
    ///
    /// # Examples
    ///
    /// See [`Shared`].
    pub fn call_timeout(&self, command: S::Command, timeout: Duration) -> Result<S::Reply, Error> {
        self.remote.call(&command, Some(Some(timeout)))
    }
}

impl<S> Clone for Proxy<S> {
    fn clone(&self) -> Self {
        Proxy {
            remote: self.remote.clone(),
            _types: PhantomData,
        }
    }
}

impl<S> fmt::Debug for Proxy<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.remote.describe(f, "Proxy")
    }
}

mod dict;
mod list;

pub use dict::Dict;
pub use list::List;
