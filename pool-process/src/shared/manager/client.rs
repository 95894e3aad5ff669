//! A process's side of the conversation: connections to each manager,
//! made on demand, each used by one call at a time and kept for the next
//! (a thread blocked in a lock's `acquire` holds one; another thread's
//! `release` takes another).

use std::collections::HashMap;
use std::net::TcpStream;
use std::os::fd::OwnedFd;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr as UnixAddr, UnixStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use pool_core::{Error, ErrorKind};
use serde::{Deserialize, Serialize};

use super::server::HANDSHAKE_TIMEOUT;
use super::wire::{DEFAULT_MAX_FRAME, Failure, Framed, ReadError, Reply, Request, Stream};
use crate::connection::Address;
use crate::shared::socket::{Side, authenticate};

/// How long a call that does not wait may take: the server runs no
/// user code for it, so only a stopped or swamped manager takes this
/// long.
pub(crate) const CALL_TIMEOUT: Duration = Duration::from_secs(60);

/// The idle connections of this process to one manager.
type Idle = Arc<Mutex<Vec<Framed>>>;

/// By endpoint, not address: a connection authenticated with one key is
/// never lent to a call made with another.
static IDLE: Mutex<Option<HashMap<Endpoint, Idle>>> = Mutex::new(None);

/// Where a manager is and the key it wants: what a proxy carries.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(super) struct Endpoint {
    pub(super) address: Address,
    pub(super) authkey: Vec<u8>,
}

/// This process's token (drawn once).
pub(super) fn process_token() -> u64 {
    static TOKEN: OnceLock<u64> = OnceLock::new();
    *TOKEN.get_or_init(|| {
        let mut bytes = [0u8; 8];
        if getrandom::fill(&mut bytes).is_err() {
            // No randomness: the pid and the time still tell processes
            // apart on one machine.
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64);
            return nanos ^ (u64::from(std::process::id()) << 32);
        }
        u64::from_le_bytes(bytes)
    })
}

/// The calling thread's token.
pub(super) fn thread_token() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    thread_local! {
        static TOKEN: u64 = NEXT.fetch_add(1, Ordering::Relaxed);
    }
    TOKEN.with(|t| *t)
}

fn idle(endpoint: &Endpoint) -> Idle {
    IDLE.lock()
        .get_or_insert_with(HashMap::new)
        .entry(endpoint.clone())
        .or_default()
        .clone()
}

/// Drops this process's idle connections to the manager at `address`.
pub(super) fn forget(address: &Address) {
    if let Some(all) = IDLE.lock().as_mut() {
        all.retain(|endpoint, _| endpoint.address != *address);
    }
}

/// The error for a manager that is gone.
pub(super) fn closed(address: &Address, why: impl std::fmt::Display) -> Error {
    Error::from_kind(ErrorKind::Closed)
        .with_detail(format!("the manager at {address} is not there ({why})"))
}

/// Connects, authenticates, says hello.
fn connect(endpoint: &Endpoint) -> Result<Framed, Error> {
    let address = &endpoint.address;
    let failed = |e: std::io::Error| closed(address, e);
    let stream = match address {
        Address::Abstract(name) => Stream::Unix(
            UnixAddr::from_abstract_name(name)
                .and_then(|a| UnixStream::connect_addr(&a))
                .map_err(failed)?,
        ),
        Address::Unix(path) => Stream::Unix(UnixStream::connect(path).map_err(failed)?),
        Address::Tcp(tcp) => {
            let s = TcpStream::connect_timeout(tcp, HANDSHAKE_TIMEOUT).map_err(failed)?;
            s.set_nodelay(true).map_err(failed)?;
            Stream::Tcp(s)
        }
    };
    let stream = if endpoint.authkey.is_empty() {
        stream
    } else {
        let deadline = Instant::now() + HANDSHAKE_TIMEOUT;
        let peer = format!("the manager at {address}");
        let key = &endpoint.authkey;
        let refused = |e: Error| {
            if e.kind() == ErrorKind::Io {
                e
            } else {
                closed(
                    address,
                    format!("{e} (over its connection limit, or not a manager?)"),
                )
            }
        };
        match stream {
            Stream::Unix(s) => Stream::Unix(UnixStream::from(
                authenticate(OwnedFd::from(s), key, Side::Client, deadline, &peer)
                    .map_err(refused)?,
            )),
            Stream::Tcp(s) => Stream::Tcp(TcpStream::from(
                authenticate(OwnedFd::from(s), key, Side::Client, deadline, &peer)
                    .map_err(refused)?,
            )),
        }
    };
    stream
        .set_read_timeout(Some(CALL_TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(CALL_TIMEOUT)))
        .map_err(failed)?;
    let mut framed = Framed::new(stream, DEFAULT_MAX_FRAME);
    let hello = Request::Hello {
        process: process_token(),
    };
    framed.write(&hello).map_err(failed)?;
    match framed.read_value::<Reply>() {
        Ok(Ok(Reply::Done)) => Ok(framed),
        Ok(_) => Err(closed(address, "it answered the hello with something else")),
        Err(e) => Err(closed(
            address,
            format!("{e} (over its connection limit, or refused: another user?)"),
        )),
    }
}

/// Sends `request` and returns the reply; `wait` is how long the server
/// may wait before answering (`None`: for ever), beyond [`CALL_TIMEOUT`].
/// A failure the server reports becomes an error of its kind.
pub(super) fn request(
    endpoint: &Endpoint,
    request: &Request,
    wait: Option<Option<Duration>>,
) -> Result<Reply, Error> {
    let address = &endpoint.address;
    let idle = idle(endpoint);
    let give_up = match wait {
        None => Some(Instant::now() + CALL_TIMEOUT),
        Some(None) => None,
        Some(Some(wait)) => Some(Instant::now() + wait + CALL_TIMEOUT),
    };
    let (mut framed, reply) = loop {
        let taken = idle.lock().pop();
        let pooled = taken.is_some();
        let mut framed = match taken {
            Some(framed) => framed,
            None => connect(endpoint)?,
        };
        match exchange(&mut framed, request, give_up, address) {
            Ok(reply) => break (framed, reply),
            // A kept connection the server closed while it sat idle
            // (its idle timeout): the request never reached it, so
            // another connection may carry it.
            Err(Exchange::Closed(_)) if pooled => {}
            Err(Exchange::Closed(e)) => return Err(closed(address, e)),
            Err(Exchange::Failed(e)) => return Err(e),
        }
    };
    framed.shrink();
    idle.lock().push(framed);
    match reply {
        Reply::Failed(failure, why) => {
            let kind = match failure {
                Failure::NoSuchObject => ErrorKind::InvalidState,
                Failure::UnknownKind => ErrorKind::UnknownFunction,
                Failure::WrongType => ErrorKind::Deserialize,
                Failure::Timeout => ErrorKind::Timeout,
                Failure::Closed => ErrorKind::Closed,
            };
            Err(Error::from_kind(kind).with_detail(format!("the manager at {address}: {why}")))
        }
        reply => Ok(reply),
    }
}

/// How one exchange failed.
enum Exchange {
    /// The connection was found closed before any reply byte.
    Closed(String),
    Failed(Error),
}

fn exchange(
    framed: &mut Framed,
    request: &Request,
    give_up: Option<Instant>,
    address: &Address,
) -> Result<Reply, Exchange> {
    framed
        .write(request)
        .map_err(|e| Exchange::Closed(e.to_string()))?;
    loop {
        match framed.read_value::<Reply>() {
            Ok(Ok(reply)) => return Ok(reply),
            Ok(Err(e)) => {
                return Err(Exchange::Failed(
                    Error::new(ErrorKind::Deserialize, e)
                        .with_detail("a reply did not deserialize"),
                ));
            }
            Err(ReadError::Idle) if give_up.is_none_or(|g| Instant::now() < g) => {}
            Err(ReadError::Idle) => {
                return Err(Exchange::Failed(
                    Error::from_kind(ErrorKind::Timeout)
                        .with_detail(format!("no answer within {CALL_TIMEOUT:?}")),
                ));
            }
            // Closed or reset before any byte of the reply: the server
            // ended the connection (its idle timeout, racing this
            // request) without serving it.
            Err(ReadError::Closed) => return Err(Exchange::Closed(ReadError::Closed.to_string())),
            Err(ReadError::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe
                ) =>
            {
                return Err(Exchange::Closed(e.to_string()));
            }
            Err(e) => return Err(Exchange::Failed(closed(address, e))),
        }
    }
}
