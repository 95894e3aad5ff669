//! An idle pool uses (next to) no CPU: its workers park instead of spinning.
//!
//! Alone in its own test binary so no other test's threads add CPU time.
//! CPU time is read from the kernel per thread (`/proc/self/task/*/stat`),
//! so the check holds however loaded the machine is: a parked thread
//! accrues none.

mod support;

use std::fs;
use std::time::Duration;

use support::{eventually, scheduler, stop};

/// User + system CPU time, in clock ticks, of this process's threads whose
/// name starts with `prefix`.
fn cpu_ticks_of_threads(prefix: &str) -> u64 {
    let mut total = 0;
    for entry in fs::read_dir("/proc/self/task").unwrap() {
        let path = entry.unwrap().path();
        let Ok(comm) = fs::read_to_string(path.join("comm")) else {
            continue;
        };
        if !comm.trim_end().starts_with(prefix) {
            continue;
        }
        let Ok(stat) = fs::read_to_string(path.join("stat")) else {
            continue;
        };
        // Fields after the parenthesised name: state is field 3; utime and
        // stime are fields 14 and 15.
        let after = &stat[stat.rfind(')').unwrap() + 2..];
        let fields: Vec<&str> = after.split_whitespace().collect();
        total += fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    }
    total
}

#[test]
fn an_idle_pool_uses_less_than_one_percent_of_a_core() {
    // Worker threads get the default name "poolrt-worker-N" (15-byte comm
    // limit: "poolrt-worker-0").
    let scheduler = scheduler(4);
    let futures: Vec<_> = (0..1000u64)
        .map(|i| scheduler.submit(move || i * 2).unwrap())
        .collect();
    for f in &futures {
        f.result().unwrap();
    }
    assert!(scheduler.metrics().workers > 0);
    eventually("all workers asleep", || {
        let m = scheduler.metrics();
        m.asleep == m.workers
    });
    let before = cpu_ticks_of_threads("poolrt-worker");
    let window = Duration::from_secs(1);
    std::thread::sleep(window);
    let after = cpu_ticks_of_threads("poolrt-worker");
    // 1% of one core over 1 s is 10 ms = 1 tick at 100 Hz; allow that one
    // tick of accounting granularity, nothing more.
    assert!(
        after - before <= 1,
        "idle workers used {} ticks in {window:?}",
        after - before
    );
    stop(&scheduler);
}
