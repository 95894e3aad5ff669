//! A calibrated CPU-bound task, shared by the benches and the CPU-vs-IO
//! demo so both measure the same work.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// Spins the CPU for `rounds` rounds of an xorshift loop.
#[inline]
pub fn spin(rounds: u64) -> u64 {
    let mut x = black_box(0x9E37_79B9_7F4A_7C15_u64);
    for _ in 0..rounds {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    black_box(x)
}

/// How many `spin` rounds take about `target` on this machine (the fastest
/// of a few runs, so a busy moment does not inflate the task).
pub fn calibrate(target: Duration) -> u64 {
    let probe = 1_000_000;
    let fastest = (0..5)
        .map(|_| {
            let t = Instant::now();
            spin(probe);
            t.elapsed()
        })
        .min()
        .unwrap();
    (probe as f64 * target.as_secs_f64() / fastest.as_secs_f64()) as u64
}

/// The number of worker threads or processes the benches use: W.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The 1-minute load average from `/proc/loadavg`: how many threads were
/// running or waiting for a core, on average, over the last minute.
/// `None` where the file is missing or unreadable (not Linux).
///
/// The demo compares it with [`cores`] to tell when other programs kept the
/// cores busy.
///
/// ```
/// if let Some(load) = pool_test_support::load_average() {
///     assert!(load >= 0.0);
/// }
/// ```
pub fn load_average() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next()?.parse().ok()
}
