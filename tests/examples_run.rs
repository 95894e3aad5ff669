//! Every example runs to completion, exits with status 0, prints no panic
//! and no Chinese (the Python originals' strings are translated), prints
//! the lines that prove its point, and leaves no process behind.
//!
//! The examples are the binaries `cargo test` builds next to this test
//! (`target/<profile>/examples/`), so running them costs no build. Run alone,
//! `cargo test -p poolrt --test examples_run` does not build them: run
//! `cargo build --examples` first (a missing binary fails with that advice).

#![cfg(target_os = "linux")]

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use pool_test_support::{eventually, output_within};

/// The longest an example may take (the slowest takes a few seconds in a
/// debug build; a loaded machine gets a wide margin).
const EXAMPLE_BOUND: Duration = Duration::from_secs(180);

/// The example binary `name`, built by cargo beside this test's binary.
fn binary(name: &str) -> PathBuf {
    let test = std::env::current_exe().expect("the test binary has a path");
    // target/<profile>/deps/examples_run-<hash> → target/<profile>/examples/<name>
    let profile_dir = test
        .parent()
        .and_then(|deps| deps.parent())
        .expect("the test binary lives in target/<profile>/deps");
    let path = profile_dir.join("examples").join(name);
    assert!(
        path.exists(),
        "example binary {} is missing: `cargo test` builds it; alone, run `cargo build --examples` first",
        path.display()
    );
    path
}

/// The pids of running processes whose executable is `path`.
fn processes_of(path: &PathBuf) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let exe = std::fs::read_link(entry.path().join("exe")).ok()?;
            // A process whose state is Z has ended; only its entry is left
            // until its (new) parent reaps it.
            let ended = pool_test_support::process_state(pid).is_none_or(|s| s == 'Z');
            (exe == *path && !ended).then_some(pid)
        })
        .collect()
}

/// Runs example `name` to completion and returns its stdout, after checking
/// the exit status, stderr and the processes left.
fn run(name: &str) -> String {
    let path = binary(name);
    let child = Command::new(&path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", path.display()));
    let Output {
        status,
        stdout,
        stderr,
    } = output_within(child, EXAMPLE_BOUND, &format!("example {name}"));
    let stdout = String::from_utf8(stdout).expect("the output is UTF-8");
    let stderr = String::from_utf8_lossy(&stderr).into_owned();
    assert!(
        status.success(),
        "example {name} failed ({status}):\n{stdout}\n{stderr}"
    );
    assert!(
        !stderr.contains("panicked"),
        "example {name} printed a panic:\n{stderr}"
    );
    let chinese = stdout
        .chars()
        .find(|c| ('\u{4e00}'..='\u{9fff}').contains(c));
    assert_eq!(chinese, None, "example {name} prints Chinese:\n{stdout}");
    assert!(
        stdout.lines().next().is_some_and(|l| l.len() > 20),
        "example {name} does not start by saying what it shows:\n{stdout}"
    );
    eventually(&format!("no process of example {name} left"), || {
        processes_of(&path).is_empty()
    });
    stdout
}

/// Asserts that `stdout` of example `name` holds every one of `lines`.
fn shows(name: &str, stdout: &str, lines: &[&str]) {
    for line in lines {
        assert!(
            stdout.contains(line),
            "example {name} does not print {line:?}:\n{stdout}"
        );
    }
}

/// One test per example: `name`, the feature it needs, and the lines its
/// output must hold.
macro_rules! examples {
    ($($feature:literal $name:ident [$($line:expr),* $(,)?];)*) => {$(
        #[test]
        #[cfg(feature = $feature)]
        fn $name() {
            let stdout = run(stringify!($name));
            shows(stringify!($name), &stdout, &[$($line),*]);
        }
    )*};
}

examples! {
    "mpi" mpi_map ["items on 4 links over 2 worker ranks (RankPerCore)"];
    "process" cpu_vs_io ["Speed-up over running the tasks", "IO-bound work:", "CPU-bound work:", "Load average (1 min):"];
    "process" async_app ["CPU-bound: 27608 primes below 320000", "IO-bound: 16 requests of 100 ms answered", "Both awaited together:", "0 worker processes left"];
    "thread" condition ["both consumers woke up after notify_all"];
    "thread" current_thread ["main process (main thread)...MainThread", "start...Thread-10"];
    "thread" event ["threads that executed before the event was set: 0", "after the event was set: 10 threads executed"];
    "thread" handmade_pool_callbacks ["callback: job failed: unlucky job 13", "their callbacks saw 49 succeed and 1 fail"];
    "thread" handmade_pool_limit ["ran at once (the limit is 10)"];
    "thread" lock_counter ["with the lock:    96 (expected 96"];
    "thread" lock_vs_rlock ["Lock: the second acquire would deadlock", "end."];
    "thread" queue_api ["join returned: all tasks done"];
    "thread" queue_producer_consumer ["size: 2 (12 put, 10 taken)"];
    "thread" thread_create ["running on number:2"];
    "thread" thread_daemon ["start...", "main process (main thread)..."];
    "thread" thread_shared_data ["number = 100"];
    "process" pool_apply_vs_async ["apply: ten tasks of 200 ms", "apply_async: ten tasks of 200 ms"];
    "process" pool_map_imap ["[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]", "400", "TimeoutError", "different worker processes"];
    "process" process_create ["egon piao end", "Hello, nick"];
    "process" process_daemon ["is still running: false"];
    "process" process_isolation ["parent: number = 10 (unchanged)", "the parent got [42, None, 'heelo']"];
    "process" process_join ["terminated by SIGTERM as asked (exitcode -15)"];
    "process" process_joinable_queue ["main: the producers are joined (queue empty: true"];
    "process" process_lock_tickets ["the one ticket was sold once"];
    "process" process_manager ["every child's append is there"];
    "process" manager_tcp_server ["server: serving on 127.0.0.1:", "server: a client asked it to shut down", "server: the client is done"];
    "process" manager_tcp_client ["client: the list grew by 10: every child's append is there"];
    "process" manager_custom_type ["after 8 processes added 1: 8", "the waiter woke at 48", "waiting for 1000 timed out: true"];
    "process" process_pipe ["child received: data from parent_conn"];
    "process" process_producer_consumer ["both consumers got their None", "task1 got 9527"];
    "process" process_queue_api ["full: true", "empty: true"];
    "process" process_socket_server ["HELLO", "POOLRT"];
    "process" process_threads_inside ["heelo bob9"];
    "process" process_value_array ["the parent reads 3.1415927"];
    "process" process_zombie_orphan ["no zombie"];
    "process" shared_memory_by_name ["other program (pid", "nothing is left in /dev/shm"];
    "process" listener_client ["server: refused a client", "refused by the server", "server: done"];
    "process" struct_array ["matches the serial run"];
    "process" pool_initializer_shared ["the shared counter says 200 tasks ran (expected 200)"];
}

/// The summary of `thread_pool_1000_tasks` comes after a short sample, not
/// after 2,000 lines.
#[test]
#[cfg(feature = "thread")]
fn thread_pool_1000_tasks() {
    let stdout = run("thread_pool_1000_tasks");
    shows(
        "thread_pool_1000_tasks",
        &stdout,
        &["1000 tasks of 20ms on 100 threads: wall"],
    );
    let lines = stdout.lines().count();
    assert!(lines < 20, "{lines} lines:\n{stdout}");
}
