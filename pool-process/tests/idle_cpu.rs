//! An idle process pool uses (next to) no CPU: its links park and its
//! workers sleep on their sockets instead of spinning.
//!
//! Alone in its own test binary so no other test's threads add CPU time.
//! CPU time comes from the kernel (`/proc/.../stat`), so the check holds
//! however loaded the machine is: a sleeping thread or process accrues none.

use std::fs;
use std::time::{Duration, Instant};

use pool_process::Pool;

fn square(x: u64) -> u64 {
    x * x
}

/// utime + stime, in clock ticks, from a `stat` file's contents.
fn ticks(stat: &str) -> u64 {
    let after = &stat[stat.rfind(')').expect("a stat line") + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

/// CPU ticks of the worker processes plus this process's link threads.
fn pool_ticks(pids: &[u32]) -> u64 {
    let workers: u64 = pids
        .iter()
        .map(|pid| ticks(&fs::read_to_string(format!("/proc/{pid}/stat")).expect("worker alive")))
        .sum();
    let links: u64 = fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let comm = fs::read_to_string(path.join("comm")).ok()?;
            comm.starts_with("poolrt-link")
                .then(|| fs::read_to_string(path.join("stat")).ok())?
        })
        .map(|stat| ticks(&stat))
        .sum();
    workers + links
}

#[test]
fn an_idle_process_pool_uses_less_than_one_percent_of_a_core() {
    let pool = Pool::new(2).unwrap();
    // Work first, so links and workers have been busy and spun.
    for _ in 0..50 {
        assert_eq!(pool.map(square, 0..1000u64).unwrap().len(), 1000);
    }
    let pids = pool.pids();
    assert_eq!(pids.len(), 2, "both workers started");
    // The spin budgets are well under a millisecond; give them that and
    // a scheduling quantum before measuring.
    std::thread::sleep(Duration::from_millis(50));
    let before = pool_ticks(&pids);
    let window = Duration::from_secs(1);
    let start = Instant::now();
    std::thread::sleep(window);
    let elapsed = start.elapsed();
    let used = pool_ticks(&pids) - before;
    // 1% of one core over 1 s is 10 ms = 1 tick at 100 Hz; allow that one
    // tick of accounting granularity, nothing more.
    assert!(used <= 1, "the idle pool used {used} ticks in {elapsed:?}");
}
