//! The chaos soak: a 100,000-item map while a helper thread SIGKILLs a
//! random live worker every 50 ms. With `retries(3)` every result is
//! right, none lost or duplicated; without retries, exactly the chunks
//! whose worker was killed fail, each whole and with `WorkerLost`, and
//! every other item is right. Either way the pool carries on afterwards.
//!
//! The killer only ever signals a worker of the pool: it takes a pid from
//! `pool.pids()`, opens a pidfd for it, checks through `/proc` that the
//! process is a child of this test, and signals through the pidfd. A pid
//! reaped and reused by another process between the listing and the
//! pidfd fails the check; a worker reaped after the check leaves the
//! pidfd pointing at no process, and the signal reaches nobody.
//!
//! The two runs hold a lock so they never overlap (each kills only its
//! own pool's workers, and the machine is small). The killer's 50 ms
//! pauses pace the chaos; nothing waits on them for correctness.

mod support;

use std::error::Error as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use pool_core::{Error, ErrorKind};
use pool_process::{ExitReason, Pool, WorkerExit};
use std::os::fd::OwnedFd;

use rustix::event::{PollFd, PollFlags, Timespec, poll};
use rustix::process::{Pid, PidfdFlags, Signal, pidfd_open, pidfd_send_signal};
use support::BOUND;

const ITEMS: u64 = 100_000;
/// Small chunks, so that a chunk is rarely hit by four kills in a row.
const CHUNK: usize = 10;
const KILL_EVERY: Duration = Duration::from_millis(50);
const SPIN_ROUNDS: u64 = 6_000;

/// One soak at a time.
static SOAK: Mutex<()> = Mutex::new(());

/// A few tens of microseconds of work per item (so a 100,000-item map
/// takes seconds on two cores: dozens of kills), and a value the test
/// checks cheaply.
fn work(x: u64) -> u64 {
    pool_test_support::spin(SPIN_ROUNDS);
    expected(x)
}

/// What [`work`] returns for `x`.
fn expected(x: u64) -> u64 {
    x.wrapping_mul(3) + 1
}

/// The parent's pid as `/proc/<pid>/stat` states it.
fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces.
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(1)?.parse().ok()
}

/// SIGKILLs the worker `pid` of this test's pool, through a pidfd, and
/// returns the pidfd; `None` if it is not (or no longer) a live child of
/// this process.
fn kill_worker(pid: u32) -> Option<OwnedFd> {
    let pidfd = pidfd_open(Pid::from_raw(pid as i32)?, PidfdFlags::empty()).ok()?;
    if parent_of(pid) != Some(std::process::id()) {
        return None;
    }
    pidfd_send_signal(&pidfd, Signal::KILL).ok()?;
    Some(pidfd)
}

/// Waits (bounded) until the process behind `pidfd` has died: a kill
/// takes effect a moment after it is sent.
fn wait_dead(pidfd: &OwnedFd) {
    let bound = Timespec {
        tv_sec: BOUND.as_secs() as i64,
        tv_nsec: 0,
    };
    loop {
        let mut fds = [PollFd::new(pidfd, PollFlags::IN)];
        match poll(&mut fds, Some(&bound)) {
            Ok(ready) => {
                assert_eq!(ready, 1, "a killed worker still ran after {BOUND:?}");
                return;
            }
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => panic!("poll a pidfd: {e}"),
        }
    }
}

/// Runs `body` while a helper thread kills a random live worker of `pool`
/// every [`KILL_EVERY`]. When this returns, the killer has stopped and
/// every worker it killed is dead. Returns `body`'s value and how many
/// workers were killed.
fn under_chaos<T>(pool: &Pool, body: impl FnOnce() -> T) -> (T, usize) {
    let done = AtomicBool::new(false);
    let (value, killed) = std::thread::scope(|scope| {
        let killer = scope.spawn(|| {
            // A xorshift seeded from the clock picks the victim.
            let mut seed = Instant::now().elapsed().as_nanos() as u64 | 1;
            let mut killed = Vec::new();
            while !done.load(Ordering::Relaxed) {
                std::thread::sleep(KILL_EVERY);
                let pids = pool.pids();
                if pids.is_empty() {
                    continue;
                }
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                killed.extend(kill_worker(pids[seed as usize % pids.len()]));
            }
            killed
        });
        let value = body();
        done.store(true, Ordering::Relaxed);
        (value, killer.join().expect("the killer thread"))
    });
    // So that no late kill lands on the work after the chaos.
    killed.iter().for_each(wait_dead);
    (value, killed.len())
}

/// The pool still works once the chaos is over.
fn carries_on(pool: &Pool) {
    let values = pool.map(work, 0..1_000).unwrap();
    assert_eq!(values, (0..1_000).map(expected).collect::<Vec<_>>());
}

#[test]
fn with_retries_every_result_of_a_100k_map_is_right_under_sigkills() {
    let _one = SOAK.lock().unwrap_or_else(|e| e.into_inner());
    let pool = Pool::builder().processes(2).retries(3).build().unwrap();
    let start = Instant::now();
    let (results, kills) = under_chaos(&pool, || pool.map_chunked(work, 0..ITEMS, CHUNK));
    let elapsed = start.elapsed();
    let results = results.unwrap_or_else(|e| panic!("after {kills} kills: {e}"));
    assert_eq!(results.len(), ITEMS as usize, "none lost or duplicated");
    for (x, value) in (0..).zip(&results) {
        assert_eq!(*value, expected(x), "item {x}");
    }
    assert!(kills > 0, "the killer killed no worker in {elapsed:?}");
    eprintln!("chaos soak with retries(3): {ITEMS} items, {kills} workers killed, {elapsed:?}");
    carries_on(&pool);
}

#[test]
fn without_retries_only_the_chunks_of_killed_workers_fail_with_worker_lost() {
    let _one = SOAK.lock().unwrap_or_else(|e| e.into_inner());
    let pool = Pool::new(2).unwrap();
    let start = Instant::now();
    let (results, kills) = under_chaos(&pool, || {
        pool.imap_chunked(work, 0..ITEMS, CHUNK)
            .collect::<Vec<Result<u64, Error>>>()
    });
    let elapsed = start.elapsed();
    assert_eq!(results.len(), ITEMS as usize, "one result per item");
    let mut failed_chunks = 0;
    for (c, chunk) in results.chunks(CHUNK).enumerate() {
        let first = (c * CHUNK) as u64;
        if chunk[0].is_ok() {
            for (x, result) in (first..).zip(chunk) {
                assert_eq!(*result.as_ref().unwrap(), expected(x), "item {x}");
            }
            continue;
        }
        // A killed worker fails its whole chunk, with the kill's signal.
        failed_chunks += 1;
        for result in chunk {
            let err = result.as_ref().expect_err("a chunk fails whole");
            assert_eq!(err.kind(), ErrorKind::WorkerLost, "{err:?}");
            let exit = err.source().and_then(|s| s.downcast_ref::<WorkerExit>());
            assert_eq!(exit.map(|e| &e.status), Some(&ExitReason::Signal(9)));
            let items = format!("items {first}..{}", first + CHUNK as u64);
            assert!(err.to_string().contains(&items), "{err}");
        }
    }
    assert!(
        failed_chunks <= kills,
        "{failed_chunks} chunks failed, but only {kills} workers were killed"
    );
    assert!(kills > 0, "the killer killed no worker in {elapsed:?}");
    assert!(failed_chunks > 0, "none of {kills} kills hit a busy worker");
    eprintln!(
        "chaos soak without retries: {ITEMS} items, {kills} workers killed, {failed_chunks} chunks failed, {elapsed:?}"
    );
    carries_on(&pool);
}
