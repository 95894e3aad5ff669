//! The messages a link and its worker exchange, in the order they flow:
//! the worker's [`Hello`], then requests ([`Request`]) each answered by a
//! reply (a status byte and a body).

use serde::{Deserialize, Serialize};

/// Bumped whenever the messages below change shape.
pub(crate) const PROTOCOL: u32 = 4;

/// The worker's first message: who it is and which build it runs.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Hello {
    pub(crate) protocol: u32,
    pub(crate) fingerprint: u64,
    pub(crate) pid: u32,
}

/// What a request asks the worker to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Request {
    /// Run the entry at the given offset on the payload.
    Call = 1,
    /// Run the initializer; a failure leaves the worker unusable.
    Init = 2,
    /// Exit now (the body is empty).
    Exit = 3,
}

impl Request {
    pub(crate) fn from_byte(b: u8) -> Option<Request> {
        match b {
            1 => Some(Request::Call),
            2 => Some(Request::Init),
            3 => Some(Request::Exit),
            _ => None,
        }
    }
}

/// Bytes before a request's payload: kind, then the entry offset.
pub(crate) const REQUEST_HEAD: usize = 9;

/// A bit of a request's kind byte: the reply's body may be lent
/// (`sys/lend.rs`).
const MAY_LEND: u8 = 0x80;

/// Builds a request head.
pub(crate) fn request_head(kind: Request, entry: u64) -> [u8; REQUEST_HEAD] {
    let mut head = [0u8; REQUEST_HEAD];
    head[0] = kind as u8;
    head[1..].copy_from_slice(&entry.to_le_bytes());
    head
}

/// Lets the worker lend the body of its reply to this request.
pub(crate) fn allow_lending(head: &mut [u8; REQUEST_HEAD]) {
    head[0] |= MAY_LEND;
}

/// Whether the request lets the worker lend its reply's body.
pub(crate) fn may_lend(message: &[u8]) -> bool {
    message.first().is_some_and(|kind| kind & MAY_LEND != 0)
}

/// Splits a request into kind, entry offset and payload.
pub(crate) fn parse_request(message: &[u8]) -> Option<(Request, u64, &[u8])> {
    if message.len() < REQUEST_HEAD {
        return None;
    }
    let kind = Request::from_byte(message[0] & !MAY_LEND)?;
    let entry = u64::from_le_bytes(message[1..REQUEST_HEAD].try_into().ok()?);
    Some((kind, entry, &message[REQUEST_HEAD..]))
}

/// Reply status: the body is the encoded value.
pub(crate) const OK: u8 = 0;
/// Reply status: the body is a postcard-encoded [`Failure`].
pub(crate) const FAILED: u8 = 1;
/// A bit of a reply's status byte: a [`Lent`](crate::sys::lend::Lent)
/// prefix and the encoding's head follow; its body stays in the worker.
pub(crate) const LENT: u8 = 0x80;

/// Why a task produced no value, as the worker reports it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) enum Failure {
    /// The task panicked.
    Panic {
        message: String,
        location: Option<String>,
    },
    /// A value could not be decoded in the worker (`what`: which value).
    Decode { what: String, message: String },
    /// A value could not be encoded in the worker.
    Encode { what: String, message: String },
    /// The request named no function of this binary.
    UnknownEntry { offset: u64 },
    /// The initializer returned an error.
    Init { message: String },
    /// A process target returned an error.
    Returned { message: String },
}
