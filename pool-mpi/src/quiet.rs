//! Waiting without burning a core: MPI's blocking calls poll, so every
//! wait here is a loop of non-blocking probes with back-off.
//!
//! A probe is cheap (~70 ns); what costs is waking up: a sleep and its
//! wake-up take ~20 µs of CPU on a virtual machine. So a waiter wakes as
//! rarely as it can without seeing a finished task late:
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
//! 3. A link that knows how long its tasks take ([`Forecast`]: the same
//!    function's recent round trips on this link) first sleeps through
//!    most of that time (in slices, looking up between them), then goes
//!    on from step 2 without the spin. A task running for longer than
//!    [`LONG_IDLE`] is probed at most every [`LINK_LONG_CAP`].
//! 4. An idle worker rank sleeps up to [`IDLE_CAP`]; idle for longer than
//!    [`LONG_IDLE`], up to [`LONG_IDLE_CAP`]: an idle pool costs its ranks
//!    well under 1% of a core, and the first task after a long pause
//!    waits a few milliseconds at most.

use std::collections::VecDeque;
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

/// The longest sleep of a root link whose task has run for more than
/// [`LONG_IDLE`]: a long task is seen done at most this late (≤ 2% of it).
pub(crate) const LINK_LONG_CAP: Duration = Duration::from_millis(2);

/// After this long idle, a worker rank sleeps up to [`LONG_IDLE_CAP`].
pub(crate) const LONG_IDLE: Duration = Duration::from_millis(100);

/// The longest sleep of a worker rank idle for more than [`LONG_IDLE`].
pub(crate) const LONG_IDLE_CAP: Duration = Duration::from_millis(5);

/// A waiter's back-off state: [`Backoff::pause`] between probes.
pub(crate) struct Backoff {
    started: Instant,
    sleep: Duration,
    cap: Duration,
    /// A larger cap once the wait has lasted [`LONG_IDLE`].
    long_cap: Option<Duration>,
    /// The end of a forecast's sleep (step 3), slept in slices of at most
    /// [`LONG_IDLE`] so the waiter still looks up (a terminate) meanwhile.
    ahead: Option<Instant>,
}

impl Backoff {
    /// Starts a wait whose sleeps grow up to `cap`.
    pub(crate) fn new(cap: Duration) -> Backoff {
        crate::sys::fine_timer_slack();
        Backoff {
            started: Instant::now(),
            sleep: FIRST_SLEEP,
            cap,
            long_cap: None,
            ahead: None,
        }
    }

    /// An idle worker rank's wait for its next request (step 4).
    pub(crate) fn idle() -> Backoff {
        Backoff {
            long_cap: Some(LONG_IDLE_CAP),
            ..Backoff::new(IDLE_CAP)
        }
    }

    /// A link's wait for a reply it expects in about `forecast` (step 3):
    /// sleeps through most of it first, then backs off without spinning.
    /// Past [`LONG_IDLE`], a long task's waiter sleeps up to
    /// [`LINK_LONG_CAP`].
    pub(crate) fn expecting(forecast: Option<Duration>) -> Backoff {
        let mut backoff = Backoff {
            long_cap: Some(LINK_LONG_CAP),
            ..Backoff::new(LINK_CAP)
        };
        if let Some(ahead) = forecast {
            backoff.ahead = backoff.started.checked_add(ahead);
        }
        backoff
    }

    /// Waits a little before the next probe: a spin hint during the spin
    /// phase, then a growing sleep.
    pub(crate) fn pause(&mut self) {
        if let Some(until) = self.ahead {
            let left = until.saturating_duration_since(Instant::now());
            if !left.is_zero() {
                std::thread::sleep(left.min(LONG_IDLE));
                return;
            }
            self.ahead = None;
        }
        let elapsed = self.started.elapsed();
        if elapsed < SPIN / 4 {
            std::hint::spin_loop();
            return;
        }
        if elapsed < SPIN {
            std::thread::yield_now();
            return;
        }
        std::thread::sleep(self.grow(elapsed));
    }

    /// The next sleep, for a waiter that blocks on something else (a
    /// channel) between probes instead of sleeping: zero while spinning.
    pub(crate) fn next_wait(&mut self) -> Duration {
        let elapsed = self.started.elapsed();
        if elapsed < SPIN {
            return Duration::ZERO;
        }
        self.grow(elapsed)
    }

    /// This sleep, doubling the next one up to the cap in force.
    fn grow(&mut self, elapsed: Duration) -> Duration {
        let cap = match self.long_cap {
            Some(long) if elapsed >= LONG_IDLE => long,
            _ => self.cap,
        };
        let sleep = self.sleep.min(cap);
        self.sleep = (self.sleep * 2).min(cap);
        sleep
    }

    /// How long this wait has lasted.
    pub(crate) fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
}

/// How long a link's next task will take, from the recent round trips of
/// the same function on this link (step 3): the shortest of the last
/// [`Forecast::KEEP`], so a task that ends early is not seen late by
/// much. No forecast for short tasks (the spin serves them) or after the
/// function changes.
#[derive(Default)]
pub(crate) struct Forecast {
    entry: u64,
    recent: VecDeque<Duration>,
}

impl Forecast {
    const KEEP: usize = 4;
    /// Tasks shorter than this get no forecast.
    const WORTH_IT: Duration = Duration::from_millis(2);

    /// How long to sleep before probing for the reply of a task of
    /// function `entry`: nine tenths of the shortest recent round trip.
    pub(crate) fn sleep_ahead(&self, entry: u64) -> Option<Duration> {
        if entry != self.entry || self.recent.len() < 2 {
            return None;
        }
        let shortest = self.recent.iter().min().copied()?;
        (shortest >= Self::WORTH_IT).then(|| shortest.mul_f64(0.9))
    }

    /// Records a round trip of a task of function `entry`.
    pub(crate) fn record(&mut self, entry: u64, took: Duration) {
        if entry != self.entry {
            self.entry = entry;
            self.recent.clear();
        }
        if self.recent.len() == Self::KEEP {
            self.recent.pop_front();
        }
        self.recent.push_back(took);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sleeps_double_up_to_the_cap_then_the_long_cap() {
        let mut backoff = Backoff::new(Duration::from_micros(40));
        backoff.long_cap = Some(Duration::from_micros(100));
        let early: Vec<u64> = (0..5)
            .map(|_| backoff.grow(SPIN).as_micros() as u64)
            .collect();
        assert_eq!(early, [5, 10, 20, 40, 40]);
        let late: Vec<u64> = (0..3)
            .map(|_| backoff.grow(LONG_IDLE).as_micros() as u64)
            .collect();
        assert_eq!(late, [40, 80, 100]);
    }

    #[test]
    fn a_forecast_needs_two_long_round_trips_of_the_same_function() {
        let ms = Duration::from_millis;
        let mut forecast = Forecast::default();
        assert_eq!(forecast.sleep_ahead(7), None);
        forecast.record(7, ms(10));
        assert_eq!(
            forecast.sleep_ahead(7),
            None,
            "one round trip is no pattern"
        );
        forecast.record(7, ms(20));
        assert_eq!(
            forecast.sleep_ahead(7),
            Some(ms(9)),
            "nine tenths of the shortest"
        );
        assert_eq!(forecast.sleep_ahead(8), None, "another function");
        forecast.record(8, ms(30));
        assert_eq!(
            forecast.sleep_ahead(7),
            None,
            "a new function forgets the old"
        );
        for _ in 0..4 {
            forecast.record(9, Duration::from_micros(500));
        }
        assert_eq!(forecast.sleep_ahead(9), None, "short tasks spin instead");
    }

    #[test]
    fn only_the_last_few_round_trips_count() {
        let ms = Duration::from_millis;
        let mut forecast = Forecast::default();
        forecast.record(1, ms(3));
        for _ in 0..Forecast::KEEP {
            forecast.record(1, ms(50));
        }
        assert_eq!(forecast.sleep_ahead(1), Some(ms(45)));
    }
}
