//! A daemon `Process` dies with its parent; a non-daemon one outlives it,
//! as in Python, and runs its target to the end.
//!
//! The test re-runs this test binary as a helper whose ignored helper test
//! starts one process of each kind and prints their pids. The test waits
//! until both targets run, SIGKILLs the helper and watches. It is the only
//! test of this binary, because it makes the test process a child
//! subreaper: the orphaned children become its children, so it can reap
//! them and read how they ended, whatever the machine's init does.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use pool_process::Process;
use rustix::process::{Pid, WaitOptions, WaitStatus, waitpid};
use support::{BOUND, Rendezvous, process_state, report_and_hold};

/// Tells the helper test to act, and where the rendezvous is.
const HELPER: &str = "POOLRT_TEST_PROCESS_DAEMON_HELPER";
/// Starts the line that carries the two pids.
const PIDS: &str = "process pids:";

fn report_pid(path: String) {
    report_and_hold(&path, u64::from(std::process::id()));
}

#[test]
#[ignore = "helper of daemons_die_with_the_parent_and_others_outlive_it; acts only when run by it"]
fn helper_starts_a_daemon_and_a_non_daemon_process() {
    let Some(path) = std::env::var_os(HELPER) else {
        return;
    };
    let path = path.into_string().unwrap();
    let daemon = Process::builder()
        .daemon(true)
        .target(report_pid, (path.clone(),));
    let other = Process::builder().daemon(false).target(report_pid, (path,));
    daemon.start().unwrap();
    other.start().unwrap();
    println!("{PIDS} {} {}", daemon.pid().unwrap(), other.pid().unwrap());
    // Block until killed; the bound only keeps a lost helper from living
    // forever.
    std::thread::sleep(BOUND * 3);
    panic!("the helper was not killed");
}

/// Reaps `pid`, a child of ours by adoption.
fn reap(pid: u32) -> WaitStatus {
    let pid = Pid::from_raw(pid as i32).unwrap();
    waitpid(Some(pid), WaitOptions::empty())
        .expect("reap an adopted child")
        .expect("a status")
        .1
}

#[test]
fn daemons_die_with_the_parent_and_others_outlive_it() {
    rustix::process::set_child_subreaper(Some(rustix::process::getpid()))
        .expect("become a child subreaper");
    let rendezvous = Rendezvous::new();
    let mut helper = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "helper_starts_a_daemon_and_a_non_daemon_process",
            "--nocapture",
            "--include-ignored",
        ])
        .env(HELPER, rendezvous.path())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the helper");
    let stdout = BufReader::new(helper.stdout.take().unwrap());
    let mut pids = Vec::new();
    for line in stdout.lines() {
        let line = line.expect("read the helper's output");
        if let Some(list) = line.strip_prefix(PIDS) {
            pids = list
                .split_whitespace()
                .map(|p| p.parse::<u32>().unwrap())
                .collect();
            break;
        }
    }
    let [daemon, other] = pids[..] else {
        panic!("the helper printed no pids");
    };
    // Both targets run.
    let mut first = rendezvous.arrival();
    let mut second = rendezvous.arrival();
    let (a, b) = (first.read_u64() as u32, second.read_u64() as u32);
    let other_held = if a == other { first } else { second };
    let mut arrived = [a, b];
    arrived.sort_unstable();
    let mut expected = [daemon, other];
    expected.sort_unstable();
    assert_eq!(arrived, expected);

    helper.kill().expect("SIGKILL the helper");
    helper.wait().unwrap();

    let status = reap(daemon);
    assert_eq!(
        status.terminating_signal(),
        Some(9),
        "the daemon was killed with its parent"
    );
    assert!(
        matches!(process_state(other), Some(state) if state != 'Z'),
        "the non-daemon process still runs"
    );
    other_held.release();
    let status = reap(other);
    assert!(
        status.exit_status().is_some(),
        "the non-daemon process ran on and exited by itself: {status:?}"
    );
}
