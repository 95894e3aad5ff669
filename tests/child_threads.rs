//! A child process waits for its non-daemon threads before it exits, as
//! Python's children do (`threading._shutdown` after `run`); its daemon
//! threads do not hold it.

#![cfg(all(feature = "thread", feature = "process", target_os = "linux"))]

use std::time::Duration;

use poolrt::Daemon;
use poolrt::process::{Connection, Event, Pipe, Process};
use poolrt::thread::Thread;

/// Long enough to show that a child has not exited; never an ordering.
const STILL_RUNNING: Duration = Duration::from_millis(100);
const BOUND: Duration = Duration::from_secs(30);

/// Starts a thread that reports once `go` is set, then returns at once.
fn leave_a_thread_behind(daemon: bool, go: Event, conn: Connection) {
    let daemon = if daemon { Daemon::Yes } else { Daemon::No };
    let thread_conn = conn.try_clone().unwrap();
    let t = Thread::builder().daemon(daemon).target(move || {
        if go.wait_timeout(BOUND) {
            thread_conn.send("thread done").unwrap();
        }
    });
    t.start().unwrap();
    conn.send("target returned").unwrap();
}

#[test]
fn a_child_waits_for_its_non_daemon_thread() {
    let go = Event::new().unwrap();
    let (here, there) = Pipe(true).unwrap();
    let p = Process::new(leave_a_thread_behind, (false, go.clone(), there));
    p.start().unwrap();
    assert_eq!(
        here.recv_timeout::<String>(BOUND).unwrap(),
        "target returned"
    );
    assert!(
        !p.join_timeout(STILL_RUNNING).unwrap(),
        "the child exited before its non-daemon thread ended"
    );
    go.set();
    assert_eq!(here.recv_timeout::<String>(BOUND).unwrap(), "thread done");
    assert!(p.join_timeout(BOUND).unwrap());
    assert_eq!(p.exitcode(), Some(0));
}

#[test]
fn a_child_does_not_wait_for_its_daemon_thread() {
    let go = Event::new().unwrap();
    let (here, there) = Pipe(true).unwrap();
    let p = Process::new(leave_a_thread_behind, (true, go, there));
    p.start().unwrap();
    assert_eq!(
        here.recv_timeout::<String>(BOUND).unwrap(),
        "target returned"
    );
    // The daemon thread waits for an event nobody sets: the child exits
    // without it.
    assert!(p.join_timeout(BOUND).unwrap());
    assert_eq!(p.exitcode(), Some(0));
}
