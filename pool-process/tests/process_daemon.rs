//! What becomes of a `Process`'s children when the parent ends.
//!
//! - Exiting normally, the parent first terminates its daemon children,
//!   then waits for the others to finish (Python's exit rule).
//! - Killed, it takes every child with it, daemon or not.
//!
//! Each test re-runs this test binary as a helper whose ignored helper test
//! starts one process of each kind, prints their pids and waits for a line
//! on its standard input before it returns. The tests make
//! this process a child subreaper, so that children orphaned by a killed
//! helper become its own and it can reap them and read how they ended. The
//! file holds only these tests: a subreaper adopts every orphan.

mod support;

use std::io::Write;
use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, Command, Stdio};

use pool_process::{Daemon, Process};
use rustix::process::{Pid, WaitOptions, WaitStatus, waitpid};
use support::{Held, Rendezvous, eventually, pids_after, process_state, report_and_hold};

/// Tells the helper test to act, and where the rendezvous is.
const HELPER: &str = "POOLRT_TEST_PROCESS_EXIT_HELPER";
/// Starts the line that carries the two pids.
const PIDS: &str = "process pids:";

fn report_pid(path: String) {
    report_and_hold(&path, u64::from(std::process::id()));
}

#[test]
#[ignore = "helper of the other tests of this file; acts only when run by them"]
fn helper_starts_a_daemon_and_a_non_daemon_process() {
    let Some(path) = std::env::var_os(HELPER) else {
        return;
    };
    let path = path.into_string().unwrap();
    let daemon = Process::builder()
        .daemon(Daemon::Yes)
        .target(report_pid, (path.clone(),));
    let other = Process::builder()
        .daemon(Daemon::No)
        .target(report_pid, (path,));
    daemon.start().unwrap();
    other.start().unwrap();
    println!("{PIDS} {} {}", daemon.pid().unwrap(), other.pid().unwrap());
    // Wait for the test's word that both targets run (or to be killed),
    // then return with both running: the harness exits, and the exit hook
    // acts.
    let mut go = String::new();
    std::io::stdin().read_line(&mut go).unwrap();
}

/// The helper, the pids of its daemon and other child, and the tests'
/// hold on each (both targets are running when this returns).
struct Family {
    helper: Child,
    /// Writing a line here lets the helper's test return.
    go: ChildStdin,
    daemon: u32,
    other: u32,
    other_held: Held,
    _daemon_held: Held,
}

fn start_family(rendezvous: &Rendezvous) -> Family {
    rustix::process::set_child_subreaper(Some(rustix::process::getpid()))
        .expect("become a child subreaper");
    let mut helper = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "helper_starts_a_daemon_and_a_non_daemon_process",
            "--nocapture",
            "--include-ignored",
        ])
        .env(HELPER, rendezvous.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the helper");
    let mut lines = BufReader::new(helper.stdout.take().unwrap()).lines();
    let pids = pids_after(&mut lines, PIDS);
    // Keep reading: a helper writing to a closed pipe would fail (and exit
    // early) instead of going through its exit hook as the test means.
    std::thread::spawn(move || lines.for_each(drop));
    let [daemon, other] = pids[..] else {
        panic!("the helper printed no pids");
    };
    let mut first = rendezvous.arrival();
    let mut second = rendezvous.arrival();
    let first_pid = first.read_u64() as u32;
    let second_pid = second.read_u64() as u32;
    let mut arrived = [first_pid, second_pid];
    arrived.sort_unstable();
    let mut expected = [daemon, other];
    expected.sort_unstable();
    assert_eq!(arrived, expected, "both targets run");
    let (other_held, daemon_held) = if first_pid == other {
        (first, second)
    } else {
        (second, first)
    };
    Family {
        go: helper.stdin.take().unwrap(),
        helper,
        daemon,
        other,
        other_held,
        _daemon_held: daemon_held,
    }
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
fn at_a_normal_exit_daemons_are_terminated_and_the_others_awaited() {
    let rendezvous = Rendezvous::new();
    let mut family = start_family(&rendezvous);
    writeln!(family.go, "go").unwrap();
    // The helper's test returns; its exit hook terminates the daemon...
    eventually("the daemon child to be gone", || {
        process_state(family.daemon).is_none()
    });
    // ...and then waits for the other child, which is still held.
    assert!(
        matches!(process_state(family.other), Some(state) if state != 'Z'),
        "the non-daemon child still runs"
    );
    assert!(
        family.helper.try_wait().unwrap().is_none(),
        "the helper waits for its non-daemon child"
    );
    family.other_held.release();
    let status = family.helper.wait().unwrap();
    assert!(status.success(), "the helper exited normally: {status:?}");
    eventually("the non-daemon child to be gone", || {
        process_state(family.other).is_none()
    });
}

#[test]
fn a_killed_parent_takes_every_child_with_it() {
    let rendezvous = Rendezvous::new();
    let mut family = start_family(&rendezvous);
    family.helper.kill().expect("SIGKILL the helper");
    family.helper.wait().unwrap();
    for pid in [family.daemon, family.other] {
        assert_eq!(
            reap(pid).terminating_signal(),
            Some(9),
            "child {pid} died with its parent"
        );
    }
}
