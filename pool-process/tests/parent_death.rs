//! Workers die with their parent, even when the parent is SIGKILLed and
//! has no chance to clean up.
//!
//! The test re-runs this test binary as a helper process whose ignored
//! helper test starts a pool, prints its worker pids and blocks. The test
//! reads the pids, SIGKILLs the helper and watches the workers die. It is
//! the only test of this binary, because it makes the test process a
//! child subreaper: the orphaned workers become its children, so it can
//! reap them and check that they were killed by SIGKILL (the parent-death
//! signal), whatever the machine's init does with orphans.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

use pool_process::Pool;
use rustix::process::{Pid, WaitOptions, waitpid};
use support::{BOUND, Rendezvous, eventually, live_workers, pids_after, process_state, signal};

/// Tells the helper test to act.
const HELPER: &str = "POOLRT_TEST_PARENT_DEATH_HELPER";
/// Starts the line that carries the worker pids.
const PIDS: &str = "worker pids:";

/// A task that tells the helper it started, then runs far longer than the
/// test.
fn stay_busy(path: String) {
    signal(&path);
    std::thread::sleep(BOUND * 6);
}

#[test]
#[ignore = "helper of workers_die_when_the_parent_is_sigkilled; acts only when run by it"]
fn helper_starts_a_pool_and_blocks() {
    if std::env::var_os(HELPER).is_none() {
        return;
    }
    let pool = Pool::new(2).unwrap();
    assert_eq!(pool.map(|x: u32| x + 1, 0..4).unwrap(), [1, 2, 3, 4]);
    // Keep both workers busy, so that nothing but the parent-death signal
    // can end them (an idle worker would also exit on the closed socket).
    let rendezvous = Rendezvous::new();
    let _busy: Vec<_> = (0..2)
        .map(|_| pool.apply_async(stay_busy, rendezvous.path()).unwrap())
        .collect();
    rendezvous.arrival();
    rendezvous.arrival();
    let pids = live_workers(2, || pool.pids());
    let line: Vec<String> = pids.iter().map(u32::to_string).collect();
    println!("{PIDS} {}", line.join(" "));
    // Block until killed; the bound only keeps a lost helper from living
    // forever.
    std::thread::sleep(BOUND * 3);
    panic!("the helper was not killed");
}

#[test]
fn workers_die_when_the_parent_is_sigkilled() {
    rustix::process::set_child_subreaper(Some(rustix::process::getpid()))
        .expect("become a child subreaper");
    let mut helper = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "helper_starts_a_pool_and_blocks",
            "--nocapture",
            "--include-ignored",
        ])
        .env(HELPER, "1")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the helper");
    let mut lines = BufReader::new(helper.stdout.take().unwrap()).lines();
    let pids = pids_after(&mut lines, PIDS);
    drop(lines);
    assert_eq!(pids.len(), 2, "the helper printed no pids");
    for &pid in &pids {
        assert!(process_state(pid).is_some(), "worker {pid} runs");
    }

    let helper_pid = helper.id();
    helper.kill().expect("SIGKILL the helper");
    let status = helper.wait().unwrap();
    // The killed helper could not remove its rendezvous socket.
    let _ =
        std::fs::remove_file(std::env::temp_dir().join(format!("poolrt-test-{helper_pid}-0.sock")));
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(9)
    );

    // The orphans are now ours to reap: each must die by the parent-death
    // signal, SIGKILL.
    let deadline = Instant::now() + BOUND;
    for &pid in &pids {
        let raw = Pid::from_raw(pid as i32).unwrap();
        let status = loop {
            match waitpid(Some(raw), WaitOptions::NOHANG) {
                Ok(Some((_, status))) => break Some(status),
                Ok(None) => {}
                // Not (yet) reparented to us: another reaper took it.
                Err(_) => {
                    if process_state(pid).is_none() {
                        break None;
                    }
                }
            }
            assert!(
                Instant::now() < deadline,
                "worker {pid} outlived its parent: state {:?}",
                process_state(pid)
            );
            std::thread::sleep(std::time::Duration::from_millis(1));
        };
        if let Some(status) = status {
            assert_eq!(status.terminating_signal(), Some(9), "worker {pid}");
        }
        eventually(&format!("worker {pid} to be gone"), || {
            process_state(pid).is_none()
        });
    }
}
