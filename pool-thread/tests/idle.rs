//! An idle thread pool uses (next to) no CPU: its threads park instead of
//! spinning once their work is done.
//!
//! Alone in its own test binary so no other test's threads add CPU time.
//! CPU time is read from the kernel (`/proc/self/task/*/stat`), so the
//! check holds however loaded the machine is: a parked thread accrues none.
#![cfg(target_os = "linux")]

use std::fs;
use std::path::PathBuf;
use std::sync::{Arc, Barrier};

use pool_test_support::assert_idle;
use pool_thread::ThreadPoolExecutor;

const THREADS: usize = 4;

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
    assert_idle(&files, "the idle thread pool");
    assert_eq!(
        executor.submit(|| 41 + 1).unwrap().result().unwrap(),
        42,
        "and wakes up"
    );
}
