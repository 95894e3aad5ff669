//! A task's panic is delivered to its caller as a value, not printed: the
//! panic hook poolrt chains in front of the program's leaves task panics
//! out, as Python prints no traceback for an exception `future.result()`
//! raises. A panicked task nobody read is reported once, by poolrt's
//! "never retrieved" line. Panics outside tasks reach the program's hook
//! and Rust's "panicked at" line as usual. A hook the program sets after
//! the executor is called by `std` directly, so it sees task panics too.
//!
//! A panic hook is process-wide, so each scenario runs in a fresh copy of
//! this test binary (the `scenario` test, selected by an environment
//! variable), and the parent reads the child's standard output and error.

mod support;

use std::panic::{self, PanicHookInfo};
use std::process::Command;

use pool_thread::ThreadPoolExecutor;
use support::{BOUND, finishes};

/// Names the scenario the child runs; unset, `scenario` does nothing.
const SCENARIO: &str = "POOLRT_PANIC_HOOK_SCENARIO";

/// The message of the task whose result is read.
const READ: &str = "panic-whose-result-is-read";
/// The message of the task whose future is dropped unread.
const DROPPED: &str = "panic-whose-future-is-dropped";
/// The message of a panic outside any task, caught by the scenario.
const OUTSIDE: &str = "panic-outside-any-task";

/// What the program's hook prints (on stdout) for each panic it sees.
const SEEN: &str = "user hook saw: ";

/// Runs `scenario` in a child copy of this binary; returns its stdout and
/// stderr.
fn run(scenario: &str) -> (String, String) {
    let scenario = scenario.to_owned();
    let output = finishes("the scenario's child", move || {
        Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "scenario", "--nocapture", "--test-threads=1"])
            .env(SCENARIO, &scenario)
            .output()
            .unwrap()
    });
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("scenario done"), "{stdout}\n{stderr}");
    (stdout, stderr)
}

/// The program's hook: says what it saw on stdout; with `chain`, hands the
/// panic on to the hook it replaced, as most programs do.
fn set_user_hook(chain: bool) {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(move |info: &PanicHookInfo<'_>| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("?");
        println!("{SEEN}{message}");
        if chain {
            previous(info);
        }
    }));
}

/// One task panics and its error is read; another panics and its future
/// is dropped unread, which poolrt reports.
fn panic_twice(executor: &ThreadPoolExecutor) {
    let read = executor.submit(|| -> u8 { panic!("{READ}") }).unwrap();
    let dropped = executor.submit(|| -> u8 { panic!("{DROPPED}") }).unwrap();
    let error = read.result_timeout(BOUND).unwrap_err();
    assert_eq!(error.panic().unwrap().message(), READ);
    executor.shutdown();
    drop(dropped);
    // Outside a task, a panic is shown as usual.
    let outside = std::thread::spawn(|| panic!("{OUTSIDE}")).join();
    assert!(outside.is_err());
}

#[test]
fn scenario() {
    let Ok(scenario) = std::env::var(SCENARIO) else {
        return;
    };
    match scenario.as_str() {
        "default hook" => panic_twice(&ThreadPoolExecutor::new(2).unwrap()),
        "hook set before" => {
            set_user_hook(true);
            panic_twice(&ThreadPoolExecutor::new(2).unwrap());
        }
        "hook set after" | "replacing hook set after" => {
            let executor = ThreadPoolExecutor::new(2).unwrap();
            // The pool runs before the hook changes.
            assert_eq!(executor.submit(|| 1).unwrap().result().unwrap(), 1);
            set_user_hook(scenario == "hook set after");
            panic_twice(&executor);
        }
        other => panic!("no scenario {other:?}"),
    }
    println!("scenario done");
}

fn count(text: &str, what: &str) -> usize {
    text.matches(what).count()
}

/// poolrt's reports of the dropped task's panic, with its message.
fn reported(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|line| {
            line.starts_with("poolrt: a task's error was never retrieved") && line.contains(DROPPED)
        })
        .collect()
}

/// The one report of the dropped task's panic, which names its location
/// (poolrt's hook, which records it, saw the panic).
fn reported_with_location(stderr: &str) {
    let reports = reported(stderr);
    assert_eq!(reports.len(), 1, "{stderr}");
    assert!(reports[0].contains("panic_hook.rs:"), "{stderr}");
}

/// Rust's own "thread ... panicked at" lines.
fn rust_panic_lines(stderr: &str) -> usize {
    stderr
        .lines()
        .filter(|line| line.starts_with("thread '") && line.contains("panicked at"))
        .count()
}

#[test]
fn the_default_hook_prints_only_the_unretrieved_task_panic_and_others() {
    let (_, stderr) = run("default hook");
    assert_eq!(count(&stderr, READ), 0, "{stderr}");
    assert_eq!(count(&stderr, DROPPED), 1, "{stderr}");
    reported_with_location(&stderr);
    assert_eq!(rust_panic_lines(&stderr), 1, "{stderr}");
    assert_eq!(count(&stderr, OUTSIDE), 1, "{stderr}");
}

#[test]
fn a_hook_set_before_the_pool_sees_panics_outside_tasks() {
    let (stdout, stderr) = run("hook set before");
    assert_eq!(count(&stdout, SEEN), 1, "{stdout}");
    assert_eq!(count(&stdout, &format!("{SEEN}{OUTSIDE}")), 1, "{stdout}");
    assert_eq!(count(&stderr, READ), 0, "{stderr}");
    reported_with_location(&stderr);
    assert_eq!(count(&stderr, OUTSIDE), 1, "{stderr}");
}

#[test]
fn a_hook_set_after_the_pool_sees_every_panic() {
    let (stdout, stderr) = run("hook set after");
    assert_eq!(count(&stdout, &format!("{SEEN}{READ}")), 1, "{stdout}");
    assert_eq!(count(&stdout, &format!("{SEEN}{DROPPED}")), 1, "{stdout}");
    assert_eq!(count(&stdout, &format!("{SEEN}{OUTSIDE}")), 1, "{stdout}");
    // It chains to poolrt's hook, which leaves the task panics out.
    assert_eq!(count(&stderr, READ), 0, "{stderr}");
    reported_with_location(&stderr);
    assert_eq!(count(&stderr, OUTSIDE), 1, "{stderr}");
}

#[test]
fn a_replacing_hook_set_after_the_pool_sees_every_panic_alone() {
    let (stdout, stderr) = run("replacing hook set after");
    assert_eq!(count(&stdout, &format!("{SEEN}{READ}")), 1, "{stdout}");
    assert_eq!(count(&stdout, &format!("{SEEN}{DROPPED}")), 1, "{stdout}");
    assert_eq!(count(&stdout, &format!("{SEEN}{OUTSIDE}")), 1, "{stdout}");
    // The program's hook prints nothing on stderr; poolrt reports the
    // unretrieved panic.
    assert_eq!(count(&stderr, READ), 0, "{stderr}");
    assert_eq!(count(&stderr, OUTSIDE), 0, "{stderr}");
    assert_eq!(reported(&stderr).len(), 1, "{stderr}");
}
