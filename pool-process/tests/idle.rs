//! An idle pool uses (next to) no CPU: its link threads park and its
//! worker processes sleep on their sockets instead of spinning.
//!
//! Alone in its own test binary so no other test's threads add CPU time.
//! CPU time is read from the kernel (`/proc/.../stat`), so the check holds
//! however loaded the machine is: a sleeping thread accrues none.

mod support;

use std::fs;
use std::path::Path;
use std::time::Duration;

use pool_process::Pool;
use support::{eventually, live_workers};

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

/// The stat files of this process's pool threads and of every thread of
/// the worker processes.
fn pool_stats(workers: &[u32]) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir("/proc/self/task").unwrap() {
        let path = entry.unwrap().path();
        let comm = fs::read_to_string(path.join("comm")).unwrap_or_default();
        if comm.starts_with("poolrt-") {
            files.push(path.join("stat"));
        }
    }
    for pid in workers {
        for entry in fs::read_dir(format!("/proc/{pid}/task")).unwrap() {
            files.push(entry.unwrap().path().join("stat"));
        }
    }
    files
}

#[test]
fn an_idle_pool_uses_less_than_one_percent_of_a_core() {
    let pool = Pool::new(2).unwrap();
    let total: u64 = pool.map(|x: u64| x * 2, 0..10_000).unwrap().iter().sum();
    assert_eq!(total, 2 * (0..10_000u64).sum::<u64>());
    let callbacks = pool
        .map_async_with(
            |x: u64| x,
            0..10,
            pool_process::Callbacks::new().on_result(|_: &Vec<u64>| {}),
        )
        .unwrap();
    callbacks.get().unwrap();
    let workers = live_workers(2, || pool.pids());
    let files = pool_stats(&workers);
    assert!(
        files.len() >= 5,
        "2 links, the result handler, 2 workers: {files:?}"
    );
    eventually("every pool thread and worker asleep", || {
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
    std::thread::sleep(window);
    let used = ticks() - before;
    // 1% of one core over 1 s is 10 ms = 1 tick at 100 Hz; allow that one
    // tick of accounting granularity, nothing more.
    assert!(used <= 1, "the idle pool used {used} ticks in {window:?}");
    assert_eq!(pool.apply(|x: u64| x + 1, 1).unwrap(), 2, "and wakes up");
}
