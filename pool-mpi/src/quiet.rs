//! Waiting without burning a core: MPI's blocking calls poll, so every
//! wait here is a loop of non-blocking probes with back-off.
//!
//! 1. Spin, probing, for [`SPIN`]: a reply that comes within a round trip
//!    is seen at once (the round-trip latency). Past the first quarter the
//!    spin yields the core between probes, so on a machine with more
//!    ranks than cores the rank being waited for gets to run.
//! 2. Then sleep between probes, the sleep doubling from [`FIRST_SLEEP`]
//!    up to the waiter's cap: a long task costs its waiter a few wake-ups
//!    per millisecond, and is seen done at most one cap late. The
//!    waiting thread's timer slack is 1 µs (`sys.rs`), so a short sleep
//!    is short.

use std::time::{Duration, Instant};

/// How long a waiter spins before it sleeps.
pub(crate) const SPIN: Duration = Duration::from_micros(100);

/// The first sleep after the spin.
const FIRST_SLEEP: Duration = Duration::from_micros(5);

/// The longest sleep of a root link waiting for a reply: a task is seen
/// done at most this late.
pub(crate) const LINK_CAP: Duration = Duration::from_micros(200);

/// The longest sleep of an idle worker rank between probes for a request.
pub(crate) const IDLE_CAP: Duration = Duration::from_millis(1);

/// A waiter's back-off state: [`Backoff::pause`] between probes.
pub(crate) struct Backoff {
    started: Instant,
    sleep: Duration,
    cap: Duration,
}

impl Backoff {
    /// Starts a wait whose sleeps grow up to `cap`.
    pub(crate) fn new(cap: Duration) -> Backoff {
        crate::sys::fine_timer_slack();
        Backoff {
            started: Instant::now(),
            sleep: FIRST_SLEEP,
            cap,
        }
    }

    /// Waits a little before the next probe: a spin hint during the spin
    /// phase, then a growing sleep.
    pub(crate) fn pause(&mut self) {
        let elapsed = self.started.elapsed();
        if elapsed < SPIN / 4 {
            std::hint::spin_loop();
            return;
        }
        if elapsed < SPIN {
            std::thread::yield_now();
            return;
        }
        std::thread::sleep(self.sleep);
        self.sleep = (self.sleep * 2).min(self.cap);
    }

    /// The next sleep, for a waiter that blocks on something else (a
    /// channel) between probes instead of sleeping: zero while spinning.
    pub(crate) fn next_wait(&mut self) -> Duration {
        if self.started.elapsed() < SPIN {
            return Duration::ZERO;
        }
        let wait = self.sleep;
        self.sleep = (self.sleep * 2).min(self.cap);
        wait
    }

    /// How long this wait has lasted.
    pub(crate) fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
}
