//! Futex waits and wake-ups on 32-bit words in a shared segment (not
//! private futexes: the kernel matches waiters and wakers across
//! processes). The mutex and condition word built on them are in
//! `shared/sync/word.rs`.

use std::sync::atomic::AtomicU32;
use std::time::{Duration, Instant};

use rustix::thread::futex;

/// The time left until `deadline` as a system call's relative timeout:
/// `None` for no deadline, zero once it has passed.
pub(crate) fn timeout_until(deadline: Option<Instant>) -> Option<futex::Timespec> {
    deadline.map(|deadline| timespec(deadline.saturating_duration_since(Instant::now())))
}

/// A duration as a system call's relative timeout.
pub(crate) fn timespec(left: Duration) -> futex::Timespec {
    futex::Timespec {
        tv_sec: i64::try_from(left.as_secs()).unwrap_or(i64::MAX),
        tv_nsec: i64::from(left.subsec_nanos()),
    }
}

/// Sleeps on `word` while it holds `expected`, until `deadline`. Returns
/// false once the deadline has passed. Spurious returns are the caller's
/// to handle (it re-checks its condition).
pub(crate) fn wait_while(word: &AtomicU32, expected: u32, deadline: Option<Instant>) -> bool {
    let in_time = || deadline.is_none_or(|d| Instant::now() < d);
    if !in_time() {
        return false;
    }
    let timeout = timeout_until(deadline);
    let _ = futex::wait(word, futex::Flags::empty(), expected, timeout.as_ref());
    in_time()
}

/// Wakes up to `count` sleepers on `word`. The kernel reads the count as
/// a signed `int`: anything above `i32::MAX` would be negative and wake
/// just one, so [`ALL`] is `i32::MAX`.
pub(crate) fn wake(word: &AtomicU32, count: u32) {
    let _ = futex::wake(word, futex::Flags::empty(), count.min(ALL));
}

/// A wake-up count that wakes every sleeper.
pub(crate) const ALL: u32 = i32::MAX as u32;

/// This thread's kernel id.
pub(crate) fn thread_id() -> i32 {
    rustix::thread::gettid().as_raw_nonzero().get()
}

thread_local! {
    /// This thread's [`thread_stamp`], computed on first use.
    static STAMP: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// This thread's identity across processes and time: its kernel id in
/// the low 32 bits, the low 32 bits of its start time (clock ticks after
/// boot, `/proc/<tid>/stat` field 22) in the high ones. A recycled id has
/// another start time, so a stamp names one thread for ever (up to a
/// 2^32-tick wrap, about 497 days at 100 Hz).
#[inline]
pub(crate) fn thread_stamp() -> u64 {
    match STAMP.get() {
        0 => first_stamp(),
        stamp => stamp,
    }
}

/// Computes and keeps this thread's stamp (one read of `/proc`).
#[cold]
fn first_stamp() -> u64 {
    let tid = thread_id() as u32;
    let start = start_time(tid).ok().flatten().map_or(0, |(_, start)| start);
    let stamp = (u64::from(start as u32) << 32) | u64::from(tid);
    STAMP.set(stamp);
    stamp
}

/// Thread `tid`'s state letter and start time, from `/proc/<tid>/stat`
/// (the path works for any thread id, not only a process's). `Ok(None)`
/// if no such thread exists; an error if the file could not be read or
/// parsed for another reason (the thread may exist).
fn start_time(tid: u32) -> std::io::Result<Option<(char, u64)>> {
    let stat = match std::fs::read_to_string(format!("/proc/{tid}/stat")) {
        Ok(stat) => stat,
        // ESRCH: the thread ended while the file was open.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound || e.raw_os_error() == Some(3) => {
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    let unparsable = || std::io::Error::other(format!("/proc/{tid}/stat: unexpected format"));
    // The command name (field 2) may hold spaces and parentheses: the
    // fields we want follow its last ')'.
    let after = stat.rfind(')').ok_or_else(unparsable)?;
    let mut fields = stat[after + 1..].split_whitespace();
    let state = fields.next().and_then(|f| f.chars().next());
    // Field 3 was the state; the start time is field 22.
    let start = fields.nth(18).and_then(|f| f.parse().ok());
    match (state, start) {
        (Some(state), Some(start)) => Ok(Some((state, start))),
        _ => Err(unparsable()),
    }
}

/// Whether the thread that holds a robust lock may still be alive.
/// `tid` is the holder's id (from the lock word), `stamp` the lock's
/// companion [`thread_stamp`], which the holder writes just after taking
/// the lock and so may still name an earlier holder (or be 0). False only
/// when the holder is surely gone: no thread `tid`, a zombie (killed, not
/// yet reaped), or, when the stamp is the holder's, a thread `tid`
/// started at another time (the id was recycled). When `/proc` cannot
/// tell, the holder counts as alive.
pub(crate) fn holder_alive(tid: u32, stamp: u64) -> bool {
    match start_time(tid) {
        Ok(None) | Ok(Some(('Z' | 'X' | 'x', _))) => false,
        Ok(Some((_, start))) => stamp as u32 != tid || (stamp >> 32) as u32 == start as u32,
        Err(_) => true,
    }
}

/// True while thread `tid` of this process sleeps in a futex wait (for
/// tests that must know a waiter is really asleep).
#[cfg(test)]
pub(crate) fn sleeps_in_futex(tid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/self/task/{tid}/wchan"))
        .is_ok_and(|wchan| wchan.contains("futex"))
}
