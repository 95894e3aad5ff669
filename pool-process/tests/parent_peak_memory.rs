//! The parent peaks at no more than twice a payload: with a 256 MiB
//! argument, result, or both (a round trip), its resident set is checked
//! before, at its peak (`VmHWM`, reset through `/proc/self/clear_refs`)
//! and after one further small task.
//!
//! Twice is the floor for a payload that crosses processes: the value
//! itself and its copy in the shared region. A round trip stays there
//! because the argument is released once the worker has answered, before
//! the result is decoded out of the region.
//!
//! One test in this file: the peak is the whole process's.

mod support;

use pool_process::{Pool, TaskFn, Wire};
use support::BOUND;
use support::memory::{mib, peak, reset_peak, rss};

const MIB: usize = 1024 * 1024;
const PAYLOAD: usize = 256 * MIB;

/// What the parent may hold beyond twice the payload: allocator and
/// thread bookkeeping, the small tasks' buffers.
const SLACK: usize = 16 * MIB;

/// How far above its starting point the parent may stay once one small
/// task has followed the payload.
const AFTER: usize = 8 * MIB;

fn length(bytes: Vec<u8>) -> usize {
    bytes.len()
}

fn count(numbers: Vec<u64>) -> usize {
    numbers.len()
}

fn filled(len: usize) -> Vec<u8> {
    vec![2u8; len]
}

fn echo(bytes: Vec<u8>) -> Vec<u8> {
    bytes
}

fn small(x: u8) -> u8 {
    x + 1
}

/// `f(arg)` on `pool`, bounded.
fn run<F: TaskFn<A, R>, A: Wire, R: Wire + Sync>(pool: &Pool, f: F, arg: A) -> R {
    pool.apply_async(f, arg)
        .unwrap()
        .get_timeout(BOUND)
        .unwrap()
}

/// Runs `transfer` (which makes and moves one payload) and checks the
/// parent's peak during it, and its resident set after one small task.
fn check(pool: &Pool, what: &str, transfer: impl FnOnce()) {
    let before = rss("self");
    reset_peak();
    transfer();
    let top = peak().saturating_sub(before);
    assert_eq!(run(pool, small, 1), 2);
    let after = rss("self").saturating_sub(before);
    eprintln!(
        "{what}: peak +{} ({:.2}x the payload), after +{}",
        mib(top),
        top as f64 / PAYLOAD as f64,
        mib(after)
    );
    assert!(
        top <= 2 * PAYLOAD + SLACK,
        "{what}: the parent peaked {} above where it started (from {}), more than twice the {} payload",
        mib(top),
        mib(before),
        mib(PAYLOAD)
    );
    assert!(
        after <= AFTER,
        "{what}: after one small task the parent still holds {} more than before ({})",
        mib(after),
        mib(before)
    );
}

#[test]
fn the_parent_peaks_at_twice_a_256_mib_payload_each_way_and_gives_it_back() {
    let pool = Pool::new(1).unwrap();
    assert_eq!(run(&pool, small, 0), 1);

    check(&pool, "a byte argument", || {
        assert_eq!(run(&pool, length, vec![1u8; PAYLOAD]), PAYLOAD);
    });
    check(&pool, "a number argument", || {
        assert_eq!(run(&pool, count, vec![1u64; PAYLOAD / 8]), PAYLOAD / 8);
    });
    check(&pool, "a result", || {
        let reply = run(&pool, filled, PAYLOAD);
        assert_eq!(reply.len(), PAYLOAD);
        assert_eq!((reply[0], reply[PAYLOAD - 1]), (2, 2));
    });
    check(&pool, "a round trip", || {
        let reply = run(&pool, echo, vec![3u8; PAYLOAD]);
        assert_eq!(reply.len(), PAYLOAD);
        assert_eq!((reply[0], reply[PAYLOAD - 1]), (3, 3));
    });
}
