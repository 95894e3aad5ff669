//! An idle thread pool uses (next to) no CPU: its threads park instead of
//! spinning once their work is done.
//!
//! Alone in its own test binary so no other test's threads add CPU time.
//! CPU time is read from the kernel (`/proc/self/task/*/stat`), so the
//! check holds however loaded the machine is: a parked thread accrues none.
#![cfg(target_os = "linux")]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use pool_test_support::eventually;
use pool_thread::ThreadPoolExecutor;

const THREADS: usize = 4;

/// State letter and user + system CPU ticks from a `stat` file.
fn stat_of(path: &Path) -> Option<(char, u64)> {
    let stat = fs::read_to_string(path).ok()?;
    // After the parenthesised name: state is field 3; utime and stime are
    // fields 14 and 15.
    let after = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    let state = fields[0].chars().next()?;
    Some((
        state,
        fields[11].parse::<u64>().ok()? + fields[12].parse::<u64>().ok()?,
    ))
}

/// The stat files of this process's threads named `prefix…`.
fn threads_named(prefix: &str) -> Vec<PathBuf> {
    fs::read_dir("/proc/self/task")
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            fs::read_to_string(path.join("comm")).is_ok_and(|comm| comm.starts_with(prefix))
        })
        .map(|path| path.join("stat"))
        .collect()
}

#[test]
fn an_idle_thread_pool_uses_less_than_one_percent_of_a_core() {
    let executor = ThreadPoolExecutor::builder()
        .max_workers(THREADS)
        .thread_name_prefix("idle-test")
        .build()
        .unwrap();
    // Start every thread: each task waits at the barrier until all have
    // started, then a burst of short tasks keeps them searching for work.
    let barrier = Arc::new(Barrier::new(THREADS + 1));
    let started: Vec<_> = (0..THREADS)
        .map(|_| {
            let barrier = barrier.clone();
            executor
                .submit(move || {
                    barrier.wait();
                })
                .unwrap()
        })
        .collect();
    barrier.wait();
    started.into_iter().for_each(|f| f.result().unwrap());
    let burst: u64 = (0..10_000u64)
        .map(|i| executor.submit(move || i * 2).unwrap())
        .map(|f| f.result().unwrap())
        .sum();
    assert_eq!(burst, 2 * (0..10_000u64).sum::<u64>());

    let files = threads_named("idle-test");
    assert_eq!(files.len(), THREADS, "every pool thread started: {files:?}");
    eventually("every pool thread parked", || {
        files
            .iter()
            .all(|f| stat_of(f).is_some_and(|(state, _)| state == 'S'))
    });
    let ticks = || -> u64 {
        files
            .iter()
            .filter_map(|f| stat_of(f))
            .map(|(_, t)| t)
            .sum()
    };
    let before = ticks();
    let window = Duration::from_secs(1);
    // The quantity under test is CPU used over wall time, so this waits
    // out a fixed window: there is no event to wait for.
    std::thread::sleep(window);
    let used = ticks() - before;
    // 1% of one core over 1 s is 10 ms = 1 tick at 100 Hz; allow that one
    // tick of accounting granularity, nothing more.
    assert!(used <= 1, "the idle pool used {used} ticks in {window:?}");
    assert_eq!(
        executor.submit(|| 41 + 1).unwrap().result().unwrap(),
        42,
        "and wakes up"
    );
}
