//! The authkey challenge of `multiprocessing.connection`, CPython's own
//! (3.12 and later), so a poolrt end and a CPython end with the same key
//! accept each other.
//!
//! # The handshake, step by step
//!
//! The listener challenges first ([`deliver`]), then answers the client's
//! challenge ([`answer`]); the client does the same in the other order.
//! Each challenge:
//!
//! 1. The challenger sends `#CHALLENGE#{sha256}` and 40 random bytes; the
//!    message after `#CHALLENGE#` is `M`.
//! 2. The other side answers `{sha256}` and HMAC-SHA256(key, `M`). A
//!    legacy challenge (CPython 3.11 and older: `M` is 20 bytes with no
//!    `{digest}` prefix) is answered with the bare 16 bytes of
//!    HMAC-MD5(key, `M`), as CPython does.
//! 3. The challenger computes the same MAC and compares in constant
//!    time. It answers `#WELCOME#`, or `#FAILURE#` and gives up.
//! 4. The other side gives up unless the answer is `#WELCOME#`.
//!
//! Every message before the end of the handshake is read with a 256-byte
//! limit, so a peer that announces a huge length is refused before any
//! allocation; no message is deserialized until both challenges passed.
//! The MAC covers the `{sha256}` prefix, so a peer cannot downgrade the
//! digest. Of CPython's digests, poolrt answers and accepts `sha256` and
//! the legacy `md5` (a CPython 3.11 client answers a modern challenge with
//! bare HMAC-MD5, and a 3.12 listener accepts it: so does poolrt), and
//! refuses `sha384` and the `sha3` ones, which CPython never sends by
//! default.

use std::fmt;
use std::time::Instant;

use hmac::{Hmac, Mac};
use md5::Md5;
use pool_core::{Error, ErrorKind};
use sha2::Sha256;

use super::pipe::Connection;

/// The start of a challenge.
const CHALLENGE: &[u8] = b"#CHALLENGE#";
/// The answer to a right digest.
const WELCOME: &[u8] = b"#WELCOME#";
/// The answer to a wrong digest.
const FAILURE: &[u8] = b"#FAILURE#";
/// How many random bytes a challenge carries (CPython's `MESSAGE_LENGTH`).
const RANDOM_LEN: usize = 40;
/// The longest handshake message read (CPython reads at most 256 bytes).
const MAX_HANDSHAKE_MESSAGE: usize = 256;
/// The length of a legacy (CPython 3.11) challenge after `#CHALLENGE#`.
const LEGACY_CHALLENGE_LEN: usize = 20;
/// The length of a legacy answer: a bare HMAC-MD5.
const LEGACY_ANSWER_LEN: usize = 16;

/// Why a handshake refused its peer (Python's
/// `multiprocessing.AuthenticationError`). It is the
/// [`source`](std::error::Error::source) of the [`Error`] that
/// [`Listener::accept`](crate::connection::Listener::accept) or
/// [`Client::connect`](crate::connection::Client::connect) returns, whose kind is
/// [`ErrorKind::Io`] and whose detail starts "authentication failed".
///
/// # Examples
///
/// ```
/// use poolrt::process::connection::{AuthenticationError, Client, Listener};
///
/// let listener = Listener::builder().authkey(b"right").bind("127.0.0.1:0").unwrap();
/// let address = listener.address().clone();
/// let client = std::thread::spawn(move || Client::new().authkey(b"wrong").connect(address));
/// let refused = listener.accept().unwrap_err();
/// assert!(AuthenticationError::of(&refused).is_some(), "{refused}");
/// let refused = client.join().unwrap().unwrap_err();
/// assert!(refused.to_string().contains("authentication failed"), "{refused}");
/// ```
#[derive(Clone, Debug)]
pub struct AuthenticationError {
    reason: String,
}

impl AuthenticationError {
    /// The authentication failure behind `error`, if that is what it is.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::connection::AuthenticationError;
    ///
    /// let other = poolrt::Error::from_kind(poolrt::ErrorKind::Io);
    /// assert!(AuthenticationError::of(&other).is_none());
    /// ```
    pub fn of(error: &Error) -> Option<&AuthenticationError> {
        std::error::Error::source(error)?.downcast_ref()
    }

    /// Why the peer was refused ("digest received was wrong", ...).
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::connection::{AuthenticationError, Client, Listener};
    ///
    /// let listener = Listener::builder().authkey(b"k").bind("127.0.0.1:0").unwrap();
    /// let address = listener.address().clone();
    /// let client = std::thread::spawn(move || Client::new().authkey(b"not k").connect(address));
    /// let refused = listener.accept().unwrap_err();
    /// assert_eq!(AuthenticationError::of(&refused).unwrap().reason(), "digest received was wrong");
    /// let _ = client.join();
    /// ```
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for AuthenticationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for AuthenticationError {}

/// The error for a refused handshake with `peer`.
fn refused(peer: &str, reason: impl Into<String>) -> Error {
    Error::new(
        ErrorKind::Io,
        AuthenticationError {
            reason: reason.into(),
        },
    )
    .with_detail(format!("authentication failed with {peer}"))
}

/// Challenges the peer to prove it knows `key` (CPython's
/// `deliver_challenge`): steps 1 and 3.
pub(super) fn deliver(
    conn: &Connection,
    key: &[u8],
    deadline: Instant,
    peer: &str,
) -> Result<(), Error> {
    let mut random = [0u8; RANDOM_LEN];
    getrandom::fill(&mut random).map_err(|e| {
        Error::new(ErrorKind::Io, e.to_string())
            .with_detail("drawing the random bytes of an authkey challenge")
    })?;
    let message = [b"{sha256}".as_slice(), &random].concat();
    conn.send_message(&[CHALLENGE, &message].concat(), Some(deadline))?;
    let response = read(conn, deadline)?;
    match verify(key, &message, &response) {
        Ok(()) => conn.send_message(WELCOME, Some(deadline)),
        Err(reason) => {
            // Best effort: the peer learns why it is cut off.
            let _ = conn.send_message(FAILURE, Some(deadline));
            Err(refused(peer, reason))
        }
    }
}

/// Proves to the peer that this side knows `key` (CPython's
/// `answer_challenge`): steps 2 and 4.
pub(super) fn answer(
    conn: &Connection,
    key: &[u8],
    deadline: Instant,
    peer: &str,
) -> Result<(), Error> {
    let challenge = read(conn, deadline)?;
    let Some(message) = challenge.strip_prefix(CHALLENGE) else {
        return Err(refused(
            peer,
            "protocol error: the first message was not a challenge \
             (does the other side use an authkey?)",
        ));
    };
    if message.len() < LEGACY_CHALLENGE_LEN {
        return Err(refused(
            peer,
            format!("challenge too short: {} bytes", message.len()),
        ));
    }
    let response = match digest_name(message).map_err(|reason| refused(peer, reason))? {
        Digest::LegacyMd5 => mac::<Hmac<Md5>>(key, message),
        Digest::Md5 => [b"{md5}".as_slice(), &mac::<Hmac<Md5>>(key, message)].concat(),
        Digest::Sha256 => [b"{sha256}".as_slice(), &mac::<Hmac<Sha256>>(key, message)].concat(),
    };
    conn.send_message(&response, Some(deadline))?;
    if read(conn, deadline)? != WELCOME {
        return Err(refused(peer, "digest sent was rejected"));
    }
    Ok(())
}

/// The digests this side speaks.
enum Digest {
    /// No `{digest}` prefix: CPython 3.11 and older, HMAC-MD5.
    LegacyMd5,
    Md5,
    Sha256,
}

/// The digest a challenge or answer names, as CPython reads it: a legacy
/// length means bare MD5, else a `{name}` prefix.
fn digest_name(message: &[u8]) -> Result<Digest, String> {
    if message.len() == LEGACY_CHALLENGE_LEN || message.len() == LEGACY_ANSWER_LEN {
        return Ok(Digest::LegacyMd5);
    }
    if message.starts_with(b"{sha256}") {
        Ok(Digest::Sha256)
    } else if message.starts_with(b"{md5}") {
        Ok(Digest::Md5)
    } else {
        let shown = &message[..message.len().min(16)];
        Err(format!(
            "unsupported digest or missing digest prefix: {}",
            String::from_utf8_lossy(shown)
        ))
    }
}

/// Checks the peer's `response` to our challenge `message`.
fn verify(key: &[u8], message: &[u8], response: &[u8]) -> Result<(), String> {
    let (expected_len, checked) = match digest_name(response)? {
        Digest::LegacyMd5 => (16, check::<Hmac<Md5>>(key, message, response)),
        Digest::Md5 => {
            let mac = &response[b"{md5}".len()..];
            (16, check::<Hmac<Md5>>(key, message, mac))
        }
        Digest::Sha256 => {
            let mac = &response[b"{sha256}".len()..];
            (32, check::<Hmac<Sha256>>(key, message, mac))
        }
    };
    checked.map_err(|len| {
        if len == expected_len {
            "digest received was wrong".to_owned()
        } else {
            format!("expected a digest of {expected_len} bytes, got {len}")
        }
    })
}

/// `HMAC(key, message)`.
fn mac<M: Mac + hmac::digest::KeyInit>(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = <M as Mac>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// Compares `HMAC(key, message)` with `tag` in constant time; on a
/// mismatch, the tag's length.
fn check<M: Mac + hmac::digest::KeyInit>(
    key: &[u8],
    message: &[u8],
    tag: &[u8],
) -> Result<(), usize> {
    let mut mac = <M as Mac>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(message);
    mac.verify_slice(tag).map_err(|_| tag.len())
}

/// Reads one handshake message, refusing one over 256 bytes unread.
fn read(conn: &Connection, deadline: Instant) -> Result<Vec<u8>, Error> {
    conn.recv_message(Some(MAX_HANDSHAKE_MESSAGE), Some(deadline), Ok)
}

/// Which end of a connection runs [`authenticate`].
pub(crate) enum Side {
    /// The accepting end: challenges first.
    Listener,
    /// The connecting end: answers first.
    Client,
}

/// The same handshake on a freshly connected socket, for servers and
/// clients that frame their messages themselves (the Manager): runs both
/// challenges before `deadline`, then hands the socket back. `peer`
/// names the other end in errors.
pub(crate) fn authenticate(
    fd: std::os::fd::OwnedFd,
    key: &[u8],
    side: Side,
    deadline: Instant,
    peer: &str,
) -> Result<std::os::fd::OwnedFd, Error> {
    let conn = Connection::new(fd, true, true, peer.to_owned());
    match side {
        Side::Listener => {
            deliver(&conn, key, deadline, peer)?;
            answer(&conn, key, deadline, peer)?;
        }
        Side::Client => {
            answer(&conn, key, deadline, peer)?;
            deliver(&conn, key, deadline, peer)?;
        }
    }
    // The handshake reads whole messages and never past the last one, so
    // nothing of what follows is left in the connection's buffers.
    let socket = conn.socket.lock().take();
    socket
        .and_then(|socket| std::sync::Arc::try_unwrap(socket).ok())
        .ok_or_else(|| {
            Error::from_kind(ErrorKind::InvalidState).with_detail(format!(
                "the socket to {peer} was closed during the handshake"
            ))
        })
}
