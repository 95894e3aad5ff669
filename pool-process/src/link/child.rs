//! A live child as its link sees it (step 4): its handle, its mailbox,
//! and one request and its reply at a time, under the request's limits.

use std::sync::Arc;
use std::time::{Duration, Instant};

use std::borrow::Cow;

use super::limit::{Ended, Limits, STOP_GRACE};
use super::memory::MemoryWatch;
use crate::sys::child::{ChildHandle, ExitReason, Signal};
use crate::sys::lend::{self, Lent};
use crate::sys::mailbox::{Mailbox, RecvError};
use crate::wire::codec::Encoded;
use crate::wire::message::{self, FAILED, LENT, Request};

/// A reply's body as its reader gets it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum ReplyBody<'a> {
    /// All of it, in the shared region (or in a remote worker's message).
    Here(&'a [u8]),
    /// The encoding's head; its body is still in the worker's memory
    /// (`sys/lend.rs`), until the reader returns.
    Lent { head: &'a [u8], body: Lent },
}

impl<'a> ReplyBody<'a> {
    /// The whole body as bytes: a lent one is read into a vector of its
    /// own. `Err` with the system's message when it could not be read.
    pub(crate) fn bytes(self) -> Result<Cow<'a, [u8]>, String> {
        match self {
            ReplyBody::Here(bytes) => Ok(Cow::Borrowed(bytes)),
            ReplyBody::Lent { head, body } => body.read_after(head).map(Cow::Owned),
        }
    }
}

thread_local! {
    /// The link spin of the pool this thread serves (set at start-up).
    static LINK_SPIN: std::cell::Cell<Duration> = const { std::cell::Cell::new(Duration::from_micros(50)) };
}

/// A live child and its mailbox.
pub(super) struct Child {
    pub(super) process: Arc<ChildHandle>,
    pub(super) mailbox: Mailbox,
    pub(super) tasks: usize,
    /// Set with `max_memory_per_child`.
    pub(super) memory: Option<MemoryWatch>,
    /// The last reply's body was lent (`sys/lend.rs`): a reader's error
    /// may then mean the child died before its memory was read.
    pub(super) lent_reply: bool,
}

impl Child {
    /// Sends one request and hands the reply to `read` ([`send`](Self::send),
    /// then [`reply`](Self::reply)).
    pub(super) fn exchange<T>(
        &mut self,
        kind: Request,
        offset: u64,
        payload: &Encoded,
        limits: &Limits,
        read: impl FnOnce(u8, ReplyBody<'_>) -> T,
    ) -> Result<T, Ended> {
        self.send(kind, offset, payload)?;
        self.reply(limits, read)
    }

    /// Sends one request. `Err` when the child is gone.
    pub(super) fn send(
        &mut self,
        kind: Request,
        offset: u64,
        payload: &Encoded,
    ) -> Result<(), Ended> {
        let mut head = message::request_head(kind, offset);
        if kind == Request::Call && lend::available() {
            message::allow_lending(&mut head);
        }
        let parts: [&[u8]; 3] = [&head, &payload.head, &payload.body];
        self.mailbox.send(&parts).map_err(|_| Ended::Died)
    }

    /// Waits for the reply to the request sent last and hands it to
    /// `read`. `Err` when the child died instead of answering, or `limits`
    /// (or the memory watch) ended the wait: the child then still runs
    /// the request, and the caller stops it.
    pub(super) fn reply<T>(
        &mut self,
        limits: &Limits,
        read: impl FnOnce(u8, ReplyBody<'_>) -> T,
    ) -> Result<T, Ended> {
        // A limit too large for a deadline (`Duration::MAX`) is no limit.
        let deadline = limits.timeout.and_then(|t| Instant::now().checked_add(t));
        let spin = LINK_SPIN.with(|s| s.get());
        loop {
            let wake = limits.wake(deadline);
            let wake = self
                .memory
                .as_ref()
                .map_or(wake, |memory| memory.wake(wake));
            match self.mailbox.recv(spin, wake) {
                Ok(reply) => {
                    let pid = self.process.pid();
                    let (value, lent) = match reply.split_first() {
                        Some((&status, rest)) if status & LENT != 0 => {
                            if lend::kill_before_read() {
                                // Fault injection: the child dies in the
                                // window between its reply and our read.
                                self.process.kill_and_reap();
                            }
                            match Lent::parse(pid, rest) {
                                Some((body, head)) => {
                                    (read(status & !LENT, ReplyBody::Lent { head, body }), true)
                                }
                                None => (read(FAILED, ReplyBody::Here(&[])), true),
                            }
                        }
                        Some((&status, body)) => (read(status, ReplyBody::Here(body)), false),
                        None => (read(FAILED, ReplyBody::Here(&[])), false),
                    };
                    if lent {
                        // Read (or given up on): the child may free it.
                        self.mailbox.lent_taken();
                    }
                    self.lent_reply = lent;
                    return Ok(value);
                }
                Err(RecvError::TimedOut) => {
                    if limits.stop.as_ref().is_some_and(|stop| stop.requested()) {
                        return Err(Ended::Stopped);
                    }
                    if let (Some(limit), Some(deadline)) = (limits.timeout, deadline)
                        && Instant::now() >= deadline
                    {
                        return Err(Ended::Expired(limit));
                    }
                    if let Some(overrun) =
                        self.memory.as_ref().and_then(MemoryWatch::past_hard_limit)
                    {
                        return Err(Ended::OverMemory(overrun));
                    }
                }
                Err(_) => return Err(Ended::Died),
            }
        }
    }
}

/// Records the spin budget for replies on this link thread.
pub(crate) fn set_link_spin(spin: Duration) {
    LINK_SPIN.with(|s| s.set(spin));
}

/// Stops a child that runs a request it must not finish: `SIGTERM`, up to
/// [`STOP_GRACE`] to exit, then `SIGKILL`; reaps it either way.
pub(super) fn stop_child(process: &ChildHandle) -> ExitReason {
    let _ = process.signal(Signal::Terminate);
    process.reap(STOP_GRACE)
}
