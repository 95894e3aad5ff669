//! Links to workers that are not children of this process: the MPI
//! backend's ranks (`pool-mpi`), reached through the traits below.
//!
//! Everything above the link stays the same: the pool's scheduler, the
//! map family's chunking, `AsyncResult`, `IMap`, callbacks, the executor.
//! A remote link only differs in how a request reaches its worker and how
//! the reply comes back, and in how errors name the worker (what
//! [`RemoteWorker::who`] says, e.g. `rank 2 (pid 812) on host node7`).
//!
//! What a remote link does not do, because it owns no process: respawn a
//! worker, stop one (a time limit or a [`StopHandle`](crate::StopHandle)
//! only takes effect before the task is sent), run the initializer, or
//! retire one after `maxtasksperchild`. `terminate` stops the links'
//! waits at once (their tasks fail as terminated); the remote worker
//! finishes the task it runs.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use pool_core::{Error, TaskFuture};

use super::{LinkConfig, ReplyBody, Who, terminated};
use crate::pool::Pool;
use crate::wire::codec::Encoded;
use crate::wire::message::{self, FAILED, Failure, OK, Request};

/// The status byte of a reply carrying the task's value.
pub const STATUS_OK: u8 = OK;

/// The workers of a pool built with
/// [`PoolBuilder::remote_workers`](crate::PoolBuilder::remote_workers): one
/// per scheduler worker (link), connected when the link starts.
pub trait RemoteWorkers: Send + Sync {
    /// The worker of link `slot` (`0..processes`).
    ///
    /// # Errors
    ///
    /// The worker cannot be reached: the pool fails to start.
    fn connect(&self, slot: usize) -> Result<Box<dyn RemoteWorker>, Error>;
}

/// One remote worker, driven by one link thread, one request at a time.
pub trait RemoteWorker: Send {
    /// Sends `request` (its parts, to be concatenated) and waits for the
    /// reply: the status byte and the body, as a child process answers.
    /// `abandon` turns true when the pool is terminating: stop waiting.
    ///
    /// # Errors
    ///
    /// The worker was lost or the wait abandoned; the task fails with it.
    fn call(
        &mut self,
        request: &[&[u8]],
        abandon: &dyn Fn() -> bool,
    ) -> Result<(u8, Vec<u8>), Error>;

    /// How errors name this worker.
    fn who(&self) -> Arc<str>;
}

/// Runs one request on a remote link (the link's step 4).
pub(super) fn call<T>(
    worker: &mut dyn RemoteWorker,
    config: &LinkConfig,
    offset: u64,
    payload: &mut Encoded,
    decode: impl FnOnce(u8, ReplyBody<'_>, &Who) -> Result<T, Error>,
) -> Result<T, Error> {
    let head = message::request_head(Request::Call, offset);
    let abandon = || config.terminating.load(Ordering::SeqCst);
    let reply = worker.call(&[&head, &payload.head, &payload.body], &abandon);
    match reply {
        Ok((status, body)) => {
            if status == OK {
                payload.release();
            }
            decode(status, ReplyBody::Here(&body), &Who::Remote(worker.who()))
        }
        Err(_) if abandon() => Err(terminated()),
        Err(error) => Err(error),
    }
}

/// What a remote worker does with one request: runs the entry it names
/// and writes the reply body into `out`. `None` for a request to exit (or
/// an unreadable one): the worker should stop serving.
///
/// # Safety
///
/// `request` must come from a process running this very binary (the
/// caller compared build fingerprints, [`fingerprint`]), which built it
/// for a pool's task: its offset then names an entry function here.
#[allow(unsafe_code)] // the call by offset, as in `worker::serve`
pub unsafe fn serve_request(request: &[u8], out: &mut Vec<u8>) -> Option<u8> {
    let (kind, offset, payload) = message::parse_request(request)?;
    if !matches!(kind, Request::Call | Request::Init) {
        return None;
    }
    out.clear();
    // SAFETY: the caller guarantees the request comes from this binary,
    // whose offsets name entries; `in_own_code` rules out other addresses.
    let entry =
        unsafe { crate::sys::entry::entry_at(offset, crate::worker::fingerprint::in_own_code) };
    Some(match entry {
        Some(entry) => {
            // The entry writes a head and a body; the head reuses `out`.
            let mut reply = Encoded {
                head: std::mem::take(out),
                body: Default::default(),
            };
            let status = entry(payload, &mut reply);
            *out = std::mem::take(&mut reply.head);
            out.extend_from_slice(&reply.body);
            status
        }
        None => {
            *out = postcard::to_stdvec(&Failure::UnknownEntry { offset })
                .expect("a failure always encodes");
            FAILED
        }
    })
}

/// The request that tells a remote worker to stop serving.
pub fn exit_request() -> Vec<u8> {
    message::request_head(Request::Exit, 0).to_vec()
}

/// A build fingerprint that is the same for copies of one binary on
/// different machines (unlike the local one, which includes the file's
/// inode): its size, where its code lies relative to the entry anchor, and
/// the wire protocol.
pub fn fingerprint() -> u64 {
    crate::worker::fingerprint::portable_fingerprint()
}

/// Runs `request` (as a remote worker received it) on one of `pool`'s
/// local worker processes: the reply's status and body, when it comes.
/// How a node's rank feeds its local pool.
///
/// # Errors
///
/// The request is not a task, or the pool refuses it (closed).
pub fn forward(pool: &Pool, request: &[u8]) -> Result<TaskFuture<(u8, Vec<u8>)>, Error> {
    match message::parse_request(request) {
        Some((Request::Call, offset, payload)) => pool.link_pool().raw(offset, payload.to_vec()),
        _ => Err(
            pool_core::Error::from_kind(pool_core::ErrorKind::InvalidState)
                .with_detail("forward: not a task request"),
        ),
    }
}
