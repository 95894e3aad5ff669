//! `Process::close`, `Process::interrupt`, `current_process()`'s daemon
//! flag and `parent_process()`, compared with CPython 3.11+/3.14.

use pool_core::{Daemon, ErrorKind};
use pool_process::{Pool, Process, current_process, parent_process};

fn nothing() {}

fn forever() {
    loop {
        std::thread::park();
    }
}

#[track_caller]
fn invalid<T: std::fmt::Debug>(result: Result<T, pool_core::Error>) {
    let error = result.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidState, "{error}");
}

#[test]
fn close_refuses_a_running_process_then_releases_a_finished_one() {
    let p = Process::new(forever, ());
    p.start().unwrap();
    // CPython: "Cannot close a process while it is still running".
    let error = p.close().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidState);
    assert!(error.to_string().contains("while it runs"), "{error}");
    assert!(p.is_alive(), "a refused close changes nothing");
    p.kill().unwrap();
    assert!(p.join().is_err());

    p.close().unwrap();
    p.close().unwrap(); // twice is harmless, as in CPython
    // CPython: "process object is closed" (ValueError) from each of these.
    invalid(p.join());
    invalid(p.join_timeout(std::time::Duration::ZERO));
    invalid(p.start());
    invalid(p.terminate());
    invalid(p.kill());
    invalid(p.interrupt());
    assert!(!p.is_alive());
    assert_eq!((p.pid(), p.exitcode()), (None, None));
    assert!(
        p.name().starts_with("Process-"),
        "the name stays, as in CPython"
    );
}

#[test]
fn closing_an_unstarted_process_drops_its_target() {
    let p = Process::new(nothing, ());
    p.close().unwrap();
    let error = p.start().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidState);
    assert!(error.to_string().contains("closed"), "{error}");
}

#[test]
fn interrupt_ends_a_child_with_sigint() {
    let p = Process::new(forever, ());
    invalid(p.interrupt()); // not started
    p.start().unwrap();
    p.interrupt().unwrap();
    let error = p.join().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::WorkerLost, "{error}");
    assert_eq!(p.exitcode(), Some(-2));
}

/// In a child: checks what it knows of itself and its parent.
fn check_identity(parent_pid: u32, parent_name: String, daemon: bool) {
    let me = current_process();
    assert_eq!(me.is_daemon(), daemon);
    assert!(me.is_alive());
    assert_eq!(me.exitcode(), None);
    let parent = parent_process().expect("a child has a parent");
    assert_eq!(parent.pid(), parent_pid);
    assert_eq!(parent.name(), parent_name);
    assert!(parent.is_alive());
}

/// In a child named `middle`: starts a grandchild and checks that its
/// parent is this process, by name and pid.
fn start_grandchild() {
    let me = current_process();
    let grandchild = Process::new(check_identity, (me.pid(), me.name().to_owned(), false));
    grandchild.start().unwrap();
    grandchild.join().unwrap();
}

#[test]
fn a_child_knows_its_daemon_flag_and_its_parent() {
    assert!(
        parent_process().is_none(),
        "CPython: None in the main process"
    );
    assert!(!current_process().is_daemon());
    let main = (std::process::id(), "MainProcess".to_owned());
    for daemon in [Daemon::No, Daemon::Yes] {
        let p = Process::builder().daemon(daemon).target(
            check_identity,
            (main.0, main.1.clone(), daemon == Daemon::Yes),
        );
        p.start().unwrap();
        p.join().unwrap();
    }
    let middle = Process::builder()
        .name("middle")
        .target(start_grandchild, ());
    middle.start().unwrap();
    middle.join().unwrap();
}

fn worker_identity(_: ()) -> (bool, String, u32) {
    let parent = parent_process().expect("a worker has a parent");
    (
        current_process().is_daemon(),
        parent.name().to_owned(),
        parent.pid(),
    )
}

#[test]
fn pool_workers_are_daemons_whose_parent_is_the_pool_owner() {
    // CPython's pool workers are daemonic.
    let pool = Pool::new(1).unwrap();
    assert_eq!(
        pool.apply(worker_identity, ()).unwrap(),
        (true, "MainProcess".to_owned(), std::process::id())
    );
}
