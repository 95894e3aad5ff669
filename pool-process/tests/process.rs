//! `Process`: start, join and join with a timeout, is_alive, pid,
//! exitcode for every way a process ends (completed, panicked, returned an
//! error, exited with a code, terminated, killed), the two ways to give a
//! target, data isolation, state errors, an unserializable argument and
//! `active_children`.

mod support;

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use pool_core::ErrorKind;
use pool_process::{Daemon, Process, Target, active_children};
use pool_test_support::{is_rerun_child, rerun_in_child};
use serde::{Deserialize, Serialize, Serializer};
use support::{BOUND, Rendezvous, hold, report_and_hold};

/// Sends the child's pid to the test, then waits to be released.
fn report_pid(path: String) {
    report_and_hold(&path, u64::from(std::process::id()));
}

fn wait_for_release(path: String) {
    hold(&path);
}

fn panics(n: u32) {
    panic!("target failed on {n}");
}

fn exits_with(code: i32) {
    std::process::exit(code);
}

fn sum_to(a: u64, b: u64, path: String) {
    report_and_hold(&path, a + b);
}

#[test]
fn a_completed_target_exits_with_code_zero_in_another_process() {
    let rendezvous = Rendezvous::new();
    let p = Process::new(report_pid, (rendezvous.path(),));
    assert_eq!(p.pid(), None);
    assert_eq!(p.exitcode(), None);
    assert!(!p.is_alive());
    p.start().unwrap();
    let mut held = rendezvous.arrival();
    let child = held.read_u64() as u32;
    assert_ne!(child, std::process::id());
    assert_eq!(p.pid(), Some(child));
    assert!(p.is_alive());
    assert_eq!(p.exitcode(), None, "no exit code while running");
    held.release();
    p.join().unwrap();
    assert!(!p.is_alive());
    assert_eq!(p.exitcode(), Some(0));
    assert_eq!(p.pid(), Some(child), "the pid stays known after the end");
    p.join().unwrap();
}

#[test]
fn arguments_are_spread_over_the_parameters() {
    let rendezvous = Rendezvous::new();
    let p = Process::new(sum_to, (40u64, 2u64, rendezvous.path()));
    p.start().unwrap();
    let mut held = rendezvous.arrival();
    assert_eq!(held.read_u64(), 42);
    held.release();
    p.join().unwrap();
}

#[test]
fn join_timeout_reports_a_running_process_and_leaves_it_running() {
    let rendezvous = Rendezvous::new();
    let p = Process::new(wait_for_release, (rendezvous.path(),));
    p.start().unwrap();
    let held = rendezvous.arrival();
    assert!(!p.join_timeout(Duration::from_millis(20)).unwrap());
    assert!(!p.join_timeout(Duration::ZERO).unwrap());
    assert!(p.is_alive(), "a timed-out join leaves the process running");
    held.release();
    assert!(p.join_timeout(BOUND).unwrap());
    assert_eq!(p.exitcode(), Some(0));
}

/// A target's panic is shown in the child, once, as Python prints a
/// target's traceback (nobody may ever join the process); the test runs
/// in a child copy of this binary to read that standard error.
#[test]
fn a_panicking_target_is_shown_once_in_the_child() {
    let name = "a_panic_is_an_error_with_message_and_location_and_exit_code_one";
    let output = rerun_in_child(name);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "{stdout}\n{stderr}"
    );
    let shown: Vec<_> = stderr
        .lines()
        .filter(|line| line.contains("panicked at") && line.contains("process.rs:"))
        .collect();
    assert_eq!(shown.len(), 1, "{stderr}");
    assert_eq!(stderr.matches("target failed on 7").count(), 1, "{stderr}");
}

#[test]
fn a_panic_is_an_error_with_message_and_location_and_exit_code_one() {
    if !is_rerun_child() {
        return; // run by a_panicking_target_is_shown_once_in_the_child
    }
    let p = Process::new(panics, (7,));
    p.start().unwrap();
    let error = p.join().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Panicked);
    let panic = error.panic().expect("a panic report");
    assert_eq!(panic.message(), "target failed on 7");
    assert!(
        panic.location().unwrap().contains("process.rs"),
        "{:?}",
        panic.location()
    );
    assert_eq!(p.exitcode(), Some(1));
    // Every join reports it.
    assert_eq!(p.join().unwrap_err().kind(), ErrorKind::Panicked);
}

#[derive(Serialize, Deserialize)]
struct Checked {
    value: i64,
}

impl Target for Checked {
    type Outcome = Result<(), String>;

    fn run(self) -> Result<(), String> {
        if self.value < 0 {
            Err(format!("{} is negative", self.value))
        } else {
            Ok(())
        }
    }
}

#[test]
fn a_target_value_runs_and_its_returned_error_fails_the_process() {
    let ok = Process::from_target(Checked { value: 5 });
    let bad = Process::from_target(Checked { value: -5 });
    ok.start().unwrap();
    bad.start().unwrap();
    ok.join().unwrap();
    assert_eq!(ok.exitcode(), Some(0));
    let error = bad.join().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Failed);
    assert!(error.to_string().contains("-5 is negative"), "{error}");
    assert!(
        error.to_string().contains(&bad.pid().unwrap().to_string()),
        "the error names the process: {error}"
    );
    assert_eq!(bad.exitcode(), Some(1));
}

#[test]
fn an_exit_code_is_reported_with_the_pid() {
    let p = Process::new(exits_with, (3,));
    p.start().unwrap();
    let error = p.join().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::WorkerLost);
    let text = error.to_string();
    assert!(text.contains("exited with code 3"), "{text}");
    assert!(text.contains(p.name()), "{text}");
    assert!(text.contains(&p.pid().unwrap().to_string()), "{text}");
    assert_eq!(p.exitcode(), Some(3));
}

#[test]
fn terminate_and_kill_give_negative_signal_exit_codes() {
    let rendezvous = Rendezvous::new();
    let terminated = Process::new(wait_for_release, (rendezvous.path(),));
    let killed = Process::new(wait_for_release, (rendezvous.path(),));
    terminated.start().unwrap();
    killed.start().unwrap();
    let _first = rendezvous.arrival();
    let _second = rendezvous.arrival();
    terminated.terminate().unwrap();
    killed.kill().unwrap();
    let error = terminated.join().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::WorkerLost);
    assert!(error.to_string().contains("SIGTERM"), "{error}");
    assert_eq!(terminated.exitcode(), Some(-15));
    assert!(killed.join().is_err());
    assert_eq!(killed.exitcode(), Some(-9));
    // Signalling a finished process does nothing.
    terminated.terminate().unwrap();
    killed.kill().unwrap();
    assert_eq!(terminated.exitcode(), Some(-15));
}

#[test]
fn state_errors_are_error_values() {
    let p = Process::new(exits_with, (0,));
    assert_eq!(p.join().unwrap_err().kind(), ErrorKind::InvalidState);
    assert_eq!(
        p.join_timeout(Duration::ZERO).unwrap_err().kind(),
        ErrorKind::InvalidState
    );
    assert_eq!(p.terminate().unwrap_err().kind(), ErrorKind::InvalidState);
    assert_eq!(p.kill().unwrap_err().kind(), ErrorKind::InvalidState);
    p.start().unwrap();
    let again = p.start().unwrap_err();
    assert_eq!(again.kind(), ErrorKind::InvalidState);
    assert!(again.to_string().contains(p.name()), "{again}");
    p.join().unwrap();
    assert_eq!(p.start().unwrap_err().kind(), ErrorKind::InvalidState);
}

struct Unserializable;

impl Serialize for Unserializable {
    fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom("this value stays home"))
    }
}

impl<'de> Deserialize<'de> for Unserializable {
    fn deserialize<D: serde::Deserializer<'de>>(_: D) -> Result<Self, D::Error> {
        Ok(Unserializable)
    }
}

fn takes_unserializable(_: Unserializable) {}

#[test]
fn an_unserializable_argument_fails_start_and_starts_nothing() {
    let p = Process::new(takes_unserializable, (Unserializable,));
    let error = p.start().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Serialize);
    assert!(error.to_string().contains("Unserializable"), "{error}");
    assert_eq!(p.pid(), None);
    assert!(!p.is_alive());
    assert_eq!(p.join().unwrap_err().kind(), ErrorKind::InvalidState);
    // The same error every time: the process is still unstarted.
    assert_eq!(p.start().unwrap_err().kind(), ErrorKind::Serialize);
}

static COUNTER: AtomicU32 = AtomicU32::new(100);

/// Reports the counter as the child sees it, after changing it there.
fn bump_and_report(path: String) {
    let seen = COUNTER.fetch_add(1, Ordering::SeqCst);
    report_and_hold(&path, u64::from(seen));
}

#[test]
fn a_child_has_its_own_copy_of_the_program_data() {
    COUNTER.store(0, Ordering::SeqCst);
    let rendezvous = Rendezvous::new();
    let p = Process::new(bump_and_report, (rendezvous.path(),));
    p.start().unwrap();
    let mut held = rendezvous.arrival();
    assert_eq!(
        held.read_u64(),
        100,
        "the child starts from the program's initial data, not a fork of ours"
    );
    held.release();
    p.join().unwrap();
    assert_eq!(COUNTER.load(Ordering::SeqCst), 0, "ours is untouched");
}

#[test]
fn many_processes_run_at_once_and_active_children_lists_them() {
    let rendezvous = Rendezvous::new();
    let processes: Vec<Process> = (0..6)
        .map(|_| Process::new(report_pid, (rendezvous.path(),)))
        .collect();
    for p in &processes {
        p.start().unwrap();
    }
    let mut held: Vec<_> = (0..6).map(|_| rendezvous.arrival()).collect();
    let mut pids: Vec<u32> = held.iter_mut().map(|h| h.read_u64() as u32).collect();
    pids.sort_unstable();
    pids.dedup();
    assert_eq!(pids.len(), 6, "six distinct children");
    let active = active_children();
    for p in &processes {
        assert!(active.contains(p), "{p:?} is active");
    }
    for h in held {
        h.release();
    }
    for p in &processes {
        p.join().unwrap();
    }
    let active = active_children();
    assert!(processes.iter().all(|p| !active.contains(p)));
}

#[test]
fn names_default_to_process_n_and_debug_shows_the_state() {
    let a = Process::new(exits_with, (0,));
    let b = Process::new(exits_with, (0,));
    let number = |p: &Process| -> u64 {
        p.name()
            .strip_prefix("Process-")
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("unexpected name {}", p.name()))
    };
    assert!(number(&b) > number(&a));
    let named = Process::builder()
        .name("reader")
        .daemon(Daemon::Yes)
        .target(exits_with, (0,));
    assert_eq!(named.name(), "reader");
    assert!(named.is_daemon());
    assert!(format!("{named:?}").contains("initial"));
    named.start().unwrap();
    named.join().unwrap();
    let shown = format!("{named:?}");
    assert!(
        shown.contains("stopped") && shown.contains("reader"),
        "{shown}"
    );
}

fn my_name(_: ()) -> String {
    pool_process::current_process().name().to_owned()
}

fn report_name(q: pool_process::Queue<String>) {
    q.put(pool_process::current_process().to_string()).unwrap();
}

#[test]
fn current_process_names_the_main_process_children_and_pool_workers() {
    assert_eq!(pool_process::current_process().name(), "MainProcess");
    let q = pool_process::Queue::new(0).unwrap();
    let named = Process::builder()
        .name("with:colons and spaces")
        .target(report_name, (q.clone(),));
    let unnamed = Process::new(report_name, (q.clone(),));
    named.start().unwrap();
    named.join().unwrap();
    unnamed.start().unwrap();
    unnamed.join().unwrap();
    assert_eq!(
        q.get().unwrap(),
        format!("with:colons and spaces (pid {})", named.pid().unwrap())
    );
    assert_eq!(
        q.get().unwrap(),
        format!("{} (pid {})", unnamed.name(), unnamed.pid().unwrap())
    );
    let pool = pool_process::Pool::new(1).unwrap();
    assert_eq!(pool.apply(my_name, ()).unwrap(), "PoolWorker-1");
}
