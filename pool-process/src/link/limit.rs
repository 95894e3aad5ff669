//! What bounds one request while its child runs it: a hard time limit
//! and a stop request.
//!
//! Only the link that sent the request acts on either: it waits for the
//! reply with a deadline, and when the deadline passes (or, polled at
//! that deadline, the stop flag is set) it stops its own child. The link
//! knows which request its child runs, because it sends the next one only
//! after this one is settled, so no stop ever reaches a child that moved
//! on to another task.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How often a link waiting on a stoppable request looks at its stop flag.
pub(crate) const STOP_POLL: Duration = Duration::from_millis(10);

/// How long a stopped child gets between `SIGTERM` and `SIGKILL`.
pub(crate) const STOP_GRACE: Duration = Duration::from_millis(500);

/// A request to stop one task, shared by its handle and the link.
#[derive(Debug, Default)]
pub(crate) struct StopFlag(AtomicBool);

impl StopFlag {
    pub(crate) fn request(&self) {
        // Relaxed: the flag carries no data; the link polls it.
        self.0.store(true, Ordering::Relaxed);
    }

    pub(crate) fn requested(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// The bounds of one request.
#[derive(Clone, Debug, Default)]
pub(crate) struct Limits {
    /// The hard time limit, from the moment the request is sent.
    pub(crate) timeout: Option<Duration>,
    pub(crate) stop: Option<Arc<StopFlag>>,
    /// How many times the task may be sent again after its worker was
    /// lost or it timed out (`pool/retry.rs`); `None`: the pool's default.
    /// The link sends one request: the resending is the submitter's.
    pub(crate) retries: Option<u32>,
}

/// Why a link stopped waiting for its child's reply.
pub(crate) enum Ended {
    /// The child died (end-of-file, or the mailbox failed).
    Died,
    /// The time limit passed.
    Expired(Duration),
    /// The task's handle asked to stop it.
    Stopped,
    /// The child passed its hard memory limit (`memory.rs`).
    OverMemory(super::memory::Overrun),
}

impl Limits {
    /// When the link must next wake up, for a request sent at `sent`.
    pub(crate) fn wake(&self, deadline: Option<Instant>) -> Option<Instant> {
        match &self.stop {
            None => deadline,
            Some(_) => {
                let poll = Instant::now() + STOP_POLL;
                Some(deadline.map_or(poll, |d| d.min(poll)))
            }
        }
    }
}
