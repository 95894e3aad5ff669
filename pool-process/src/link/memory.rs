//! `max_memory_per_child`: how a link keeps its child's memory in check.
//!
//! The measure is the child's *private* resident memory (anonymous pages,
//! `sys::resident`): what its tasks' allocations make grow. The program's
//! code and the mailbox region shared with the parent do not count.
//!
//! 1. **Between tasks** (Celery's `worker_max_memory_per_child`): after a
//!    reply, a child found over the limit is retired (step 6 of the
//!    link's lifecycle) and the next task starts a fresh child; the task
//!    it ran completes normally with its result, and no task fails. The
//!    link reads the memory after a reply only when at least
//!    [`CHECK_EVERY`] has passed since its last reading after a reply, so
//!    a stream of short tasks pays one `pread` (about a microsecond) every
//!    few milliseconds, not one per task. A task that ran for less than
//!    that goes unread, but it cannot have grown its child by more than a
//!    few MiB: the kernel faults pages in at a few GiB/s at most, and the
//!    stretch is read in full at the next check.
//! 2. **During a task**: while it waits for the reply, the link reads the
//!    memory every [`POLL`]. A child past the [hard limit](MemoryLimit::hard)
//!    — twice the limit, and at least [`HEADROOM`] above it — is stopped
//!    like a timed-out task (`SIGTERM`, a grace, `SIGKILL`) and replaced,
//!    and only its task fails, with [`ErrorKind::MemoryLimit`] naming the
//!    pid, the memory seen and the limit. The margin lets a task that
//!    needs a burst above the limit finish, as in step 1.

use std::time::{Duration, Instant};

use pool_core::{Error, ErrorKind};

use super::WorkerExit;
use crate::sys::resident::PrivateResident;

/// The least time between two readings after replies (step 1).
pub(crate) const CHECK_EVERY: Duration = Duration::from_millis(2);

/// How often a link waiting for a reply reads its child's memory (step 2).
pub(crate) const POLL: Duration = Duration::from_millis(10);

/// The least margin between the limit and the hard limit (step 2).
pub(crate) const HEADROOM: u64 = 256 * MIB;

const MIB: u64 = 1024 * 1024;

/// A pool's `max_memory_per_child`, in bytes (at least one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct MemoryLimit(u64);

impl MemoryLimit {
    /// The limit, or `None` for zero, which no worker could meet.
    pub(crate) fn new(bytes: u64) -> Option<MemoryLimit> {
        (bytes > 0).then_some(MemoryLimit(bytes))
    }

    /// The private memory past which a child is stopped mid-task: twice
    /// the limit, and at least [`HEADROOM`] above it.
    pub(crate) fn hard(self) -> u64 {
        self.0
            .saturating_mul(2)
            .max(self.0.saturating_add(HEADROOM))
    }
}

/// The watch on one child's memory.
pub(crate) struct MemoryWatch {
    limit: MemoryLimit,
    memory: PrivateResident,
    /// The last reading after a reply (or the child's start).
    checked: Instant,
}

impl MemoryWatch {
    /// Starts watching the child `pid`, which the caller owns and has not
    /// reaped.
    pub(crate) fn start(limit: MemoryLimit, pid: u32) -> Result<MemoryWatch, Error> {
        let memory = PrivateResident::open(pid).map_err(|e| {
            Error::new(ErrorKind::Spawn, e).with_detail(format!(
                "cannot read the memory of worker process {pid} for max_memory_per_child"
            ))
        })?;
        Ok(MemoryWatch {
            limit,
            memory,
            checked: Instant::now(),
        })
    }

    /// Step 1, after a reply: true when the child is over the limit and
    /// must retire. An unreadable reading keeps the child.
    pub(crate) fn over_limit(&mut self) -> bool {
        let now = Instant::now();
        if now.duration_since(self.checked) < CHECK_EVERY {
            return false;
        }
        self.checked = now;
        self.memory.bytes().is_ok_and(|bytes| bytes > self.limit.0)
    }

    /// When a link waiting for a reply must wake up next, given the wake
    /// its other limits ask for (step 2).
    pub(crate) fn wake(&self, other: Option<Instant>) -> Option<Instant> {
        let poll = Instant::now() + POLL;
        Some(other.map_or(poll, |other| other.min(poll)))
    }

    /// Step 2, while the child runs a task: what was seen, when it is
    /// past the hard limit.
    pub(crate) fn past_hard_limit(&self) -> Option<Overrun> {
        let seen = self.memory.bytes().ok()?;
        (seen > self.limit.hard()).then_some(Overrun {
            limit: self.limit,
            seen,
        })
    }
}

/// A child seen past its hard limit (step 2).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Overrun {
    limit: MemoryLimit,
    /// The private memory seen, in bytes.
    seen: u64,
}

impl Overrun {
    /// The error of the task whose process was stopped for it.
    pub(crate) fn error(self, exit: WorkerExit) -> Error {
        let Overrun { limit, seen } = self;
        let mib = |bytes: u64| format!("{:.1} MiB", bytes as f64 / MIB as f64);
        let pid = exit.pid;
        Error::new(ErrorKind::MemoryLimit, exit).with_detail(format!(
            "poolrt stopped worker process {pid}: it held {} of private memory, past the \
             hard limit of {} (max_memory_per_child is {} = {} bytes; the hard limit is \
             twice that, and at least {} above it)",
            mib(seen),
            mib(limit.hard()),
            mib(limit.0),
            limit.0,
            mib(HEADROOM),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::ExitReason;

    #[test]
    fn the_hard_limit_is_twice_the_limit_and_at_least_the_headroom_above_it() {
        assert_eq!(MemoryLimit::new(0), None);
        let small = MemoryLimit::new(32 * MIB).unwrap();
        assert_eq!(small.hard(), 32 * MIB + HEADROOM);
        let large = MemoryLimit::new(1024 * MIB).unwrap();
        assert_eq!(large.hard(), 2048 * MIB);
        assert_eq!(MemoryLimit::new(u64::MAX).unwrap().hard(), u64::MAX);
    }

    #[test]
    fn the_error_names_the_pid_the_memory_seen_and_the_limit() {
        let limit = MemoryLimit::new(32 * MIB).unwrap();
        let exit = WorkerExit {
            pid: 4242,
            status: ExitReason::Signal(15),
        };
        let overrun = Overrun {
            limit,
            seen: 300 * MIB,
        };
        let error = overrun.error(exit);
        assert!(error.is_memory_limit());
        assert_eq!(
            error.to_string(),
            "the process running it was stopped for using too much memory: \
             poolrt stopped worker process 4242: it held 300.0 MiB of private memory, \
             past the hard limit of 288.0 MiB (max_memory_per_child is 32.0 MiB = \
             33554432 bytes; the hard limit is twice that, and at least 256.0 MiB above it)"
        );
    }
}
