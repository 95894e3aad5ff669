//! 1,000 short-lived client processes, each making one proxy call, leave
//! the manager's process with the descriptors, threads and connections
//! it had before: a connection is released when its client exits.

use std::time::{Duration, Instant};

use pool_process::{Dict, Manager, Process};

const CLIENTS: u32 = 1_000;
/// Clients alive at once.
const WAVE: u32 = 8;

fn count(dir: &str) -> usize {
    std::fs::read_dir(dir).unwrap().count()
}

fn one_call(d: Dict<u32, u32>, me: u32) {
    d.insert(me, me * 2).unwrap();
}

#[test]
fn a_thousand_short_lived_clients_leave_fds_threads_and_connections_at_baseline() {
    let manager = Manager::new().unwrap();
    let d = manager.dict::<u32, u32>().unwrap();
    d.insert(u32::MAX, 0).unwrap();
    let baseline = (
        count("/proc/self/fd"),
        count("/proc/self/task"),
        manager.connections().unwrap(),
    );
    for wave in 0..CLIENTS / WAVE {
        let children: Vec<Process> = (0..WAVE)
            .map(|i| Process::new(one_call, (d.clone(), wave * WAVE + i)))
            .collect();
        for c in &children {
            c.start().unwrap();
        }
        for c in &children {
            c.join().unwrap();
            assert_eq!(c.exitcode(), Some(0));
        }
    }
    assert_eq!(
        d.len().unwrap(),
        CLIENTS as usize + 1,
        "every client's call landed"
    );
    // A bound, not an order: each server thread ends just after its
    // client's socket closed.
    let deadline = Instant::now() + Duration::from_secs(30);
    let settled = loop {
        let now = (
            count("/proc/self/fd"),
            count("/proc/self/task"),
            manager.connections().unwrap(),
        );
        if now == baseline || Instant::now() > deadline {
            break now;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    assert_eq!(settled, baseline, "(fds, threads, connections)");
}
