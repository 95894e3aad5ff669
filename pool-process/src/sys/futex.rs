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

/// True while thread `tid` of this process sleeps in a futex wait (for
/// tests that must know a waiter is really asleep).
#[cfg(test)]
pub(crate) fn sleeps_in_futex(tid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/self/task/{tid}/wchan"))
        .is_ok_and(|wchan| wchan.contains("futex"))
}
