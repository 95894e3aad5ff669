//! The typed proxies `Dict` and `List`, and the per-process connections
//! they share.

use std::io;
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use pool_core::{Error, ErrorKind};
use serde::{Deserialize, Serialize};

use super::server::{Server, connect, read_frame, write_frame};
use super::{Reply, Request, closed};
use crate::task::Wire;
use crate::wire::codec;

/// A connection to one manager, made on first use (and again after a
/// failure). One request at a time goes over it: its mutex is held for
/// the exchange.
type Connection = Arc<Mutex<Option<UnixStream>>>;

/// This process's connection to each manager, by address.
static CONNECTIONS: Mutex<Vec<(String, Connection)>> = Mutex::new(Vec::new());

fn connection(address: &str) -> Connection {
    let mut all = CONNECTIONS.lock();
    if let Some((_, conn)) = all.iter().find(|(a, _)| a == address) {
        return conn.clone();
    }
    let conn = Arc::new(Mutex::new(None));
    all.push((address.to_owned(), conn.clone()));
    conn
}

/// Drops this process's connection to the manager at `address` (called
/// when that manager, which lives in this process, shuts down).
pub(super) fn forget(address: &str) {
    CONNECTIONS.lock().retain(|(a, _)| a != address);
}

/// How long one call waits for the manager: for the connection (another
/// thread's call may hold it), to send its request, and for the reply.
/// The server runs no user code and answers at once, so only a manager
/// process that is stopped or swamped takes this long.
pub(crate) const CALL_TIMEOUT: Duration = Duration::from_secs(60);

/// Sends `request` to the manager at `address` and returns its reply; a
/// refusal becomes an [`ErrorKind::InvalidState`] error with its reason, an
/// index out of range an [`ErrorKind::IndexOutOfRange`] one, no answer
/// within [`CALL_TIMEOUT`] an [`ErrorKind::Timeout`] one.
pub(super) fn call(address: &str, request: &Request) -> Result<Reply, Error> {
    let conn = connection(address);
    let mut conn = conn.try_lock_for(CALL_TIMEOUT).ok_or_else(|| {
        Error::from_kind(ErrorKind::Timeout).with_detail(format!(
            "another call to the manager {address} did not finish within {CALL_TIMEOUT:?}"
        ))
    })?;
    if conn.is_none() {
        let stream = connect(address).map_err(|e| closed(address, e))?;
        stream
            .set_read_timeout(Some(CALL_TIMEOUT))
            .and_then(|()| stream.set_write_timeout(Some(CALL_TIMEOUT)))
            .map_err(|e| closed(address, e))?;
        *conn = Some(stream);
    }
    let stream = conn.as_mut().expect("connected above");
    let reply = write_frame(stream, request).and_then(|()| read_frame::<Reply>(stream));
    match reply {
        Ok(Some(Reply::Refused(why))) => {
            Err(Error::from_kind(ErrorKind::InvalidState).with_detail(why))
        }
        Ok(Some(Reply::OutOfRange(why))) => {
            Err(Error::from_kind(ErrorKind::IndexOutOfRange).with_detail(why))
        }
        Ok(Some(reply)) => Ok(reply),
        Ok(None) => {
            *conn = None;
            Err(closed(address, "it closed the connection"))
        }
        // The socket's timeout: the exchange is cut short, so the
        // connection is out of step and is dropped.
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) =>
        {
            *conn = None;
            Err(Error::new(ErrorKind::Timeout, e).with_detail(format!(
                "the manager {address} did not answer within {CALL_TIMEOUT:?}"
            )))
        }
        Err(e) => {
            *conn = None;
            Err(closed(address, e))
        }
    }
}

/// Creates a container; returns its id.
pub(super) fn create(address: &str, request: Request) -> Result<u64, Error> {
    match call(address, &request)? {
        Reply::Id(id) => Ok(id),
        other => Err(unexpected(&other)),
    }
}

pub(super) fn unexpected(reply: &Reply) -> Error {
    Error::from_kind(ErrorKind::Deserialize)
        .with_detail(format!("an unexpected reply from the manager: {reply:?}"))
}

/// Encodes a key or value for the manager.
pub(super) fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, Error> {
    codec::to_postcard(value).map_err(|e| {
        Error::new(ErrorKind::Serialize, e).with_detail(format!(
            "a value for a manager ({})",
            std::any::type_name::<T>()
        ))
    })
}

pub(super) fn decode<T: Wire>(bytes: &[u8]) -> Result<T, Error> {
    codec::from_postcard(bytes).map_err(|e| {
        Error::new(ErrorKind::Deserialize, e).with_detail(format!(
            "a value from a manager ({})",
            std::any::type_name::<T>()
        ))
    })
}

pub(super) fn value<T: Wire>(reply: Reply) -> Result<Option<T>, Error> {
    match reply {
        Reply::Value(bytes) => bytes.map(|b| decode(&b)).transpose(),
        other => Err(unexpected(&other)),
    }
}

pub(super) fn done(reply: Reply) -> Result<(), Error> {
    match reply {
        Reply::Done => Ok(()),
        other => Err(unexpected(&other)),
    }
}

pub(super) fn len(reply: Reply) -> Result<usize, Error> {
    match reply {
        Reply::Len(n) => Ok(n as usize),
        other => Err(unexpected(&other)),
    }
}

/// What a proxy names: a container on one manager. In the manager's own
/// process it also holds the server, which stays up while a proxy lives
/// there.
#[derive(Clone, Serialize, Deserialize)]
pub(super) struct Remote {
    pub(super) address: String,
    pub(super) id: u64,
    /// Held, never read: keeps the server running.
    #[serde(skip)]
    _server: Option<Arc<Server>>,
}

impl Remote {
    pub(super) fn new(server: &Arc<Server>, id: u64) -> Remote {
        Remote {
            address: server.address().to_owned(),
            id,
            _server: Some(server.clone()),
        }
    }
}

macro_rules! proxy_common {
    ($ty:ident<$($p:ident),+>, $what:literal) => {
        impl<$($p),+> Clone for $ty<$($p),+> {
            fn clone(&self) -> Self {
                $ty {
                    remote: self.remote.clone(),
                    _types: PhantomData,
                }
            }
        }

        impl<$($p),+> fmt::Debug for $ty<$($p),+> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct($what)
                    .field("manager", &self.remote.address)
                    .field("id", &self.remote.id)
                    .finish()
            }
        }
    };
}

mod dict;
mod list;

pub use dict::Dict;
pub use list::List;
