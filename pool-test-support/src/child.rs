//! Running one test again in a child process of its own, for tests that
//! must change something process-wide (a resource limit) without
//! touching the other tests of the binary.

use std::process::{Command, Output, Stdio};
use std::sync::mpsc;

use rustix::process::{Pid, Resource, Rlimit, Signal, getrlimit, kill_process, setrlimit};

use crate::BOUND;

/// Set in the environment of a test run by [`rerun_in_child`].
const CHILD_MARK: &str = "POOLRT_TEST_RERUN_CHILD";

/// Whether this process is a child started by [`rerun_in_child`].
pub fn is_rerun_child() -> bool {
    std::env::var_os(CHILD_MARK).is_some()
}

/// Runs the test named `test` (its full path, as `cargo test` lists it)
/// again, alone, in a child process of this test binary, and returns what
/// it printed and how it ended. In the child, [`is_rerun_child`] is true.
///
/// # Panics
///
/// If the test binary cannot be started, or if the child runs longer
/// than [`BOUND`] (it is then killed: a hang fails the test).
pub fn rerun_in_child(test: &str) -> Output {
    let exe = std::env::current_exe().expect("the test binary's path");
    let child = Command::new(exe)
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_MARK, "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the test binary again");
    output_within(child, BOUND, test)
}

/// Waits for `child` (started with piped output, or none) to end within
/// `bound` and returns its output; kills it and panics, naming `what`,
/// if it does not end in time: a hung child fails the test instead of
/// hanging it.
///
/// # Panics
///
/// If the child does not end within `bound`, or cannot be waited for.
pub fn output_within(child: std::process::Child, bound: std::time::Duration, what: &str) -> Output {
    let pid = Pid::from_raw(child.id() as i32).expect("a child's pid is positive");
    let (done, output) = mpsc::channel();
    std::thread::spawn(move || done.send(child.wait_with_output()));
    match output.recv_timeout(bound) {
        Ok(output) => output.unwrap_or_else(|e| panic!("waiting for {what}: {e}")),
        Err(_) => {
            // Not reaped yet (its waiter has not returned), so the pid is
            // still the child's.
            let _ = kill_process(pid, Signal::KILL);
            let output = output.recv().expect("the waiter reports");
            panic!(
                "{what} did not end within {bound:?}; killed it:\n{}",
                String::from_utf8_lossy(&output.map(|o| o.stderr).unwrap_or_default())
            );
        }
    }
}

/// For a test that must run alone in a process of its own: true in that
/// child process, where the test body goes on; in the test's own process,
/// runs it there ([`rerun_in_child`]), asserts that it passed, and
/// returns false.
///
/// ```no_run
/// #[test]
/// fn under_a_limit() {
///     if !pool_test_support::in_child_process("under_a_limit") {
///         return;
///     }
///     pool_test_support::cap_address_space(1 << 20);
///     // ... the body, alone in its process
/// }
/// ```
///
/// # Panics
///
/// In the test's own process, if the child run failed (with its output).
pub fn in_child_process(test: &str) -> bool {
    if is_rerun_child() {
        return true;
    }
    let out = rerun_in_child(test);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "the child run of {test} failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    false
}

/// Caps this process's address space at its current size plus
/// `headroom` bytes (`RLIMIT_AS`), so that any mapping larger than the
/// headroom fails: a new thread's stack (2 MiB for a Rust thread), a
/// large allocation. Small allocations still fit.
///
/// # Panics
///
/// If the current size cannot be read or the limit cannot be set.
pub fn cap_address_space(headroom: u64) {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    let kib: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmSize:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmSize in /proc/self/status");
    let cap = kib * 1024 + headroom;
    let old = getrlimit(Resource::As);
    setrlimit(
        Resource::As,
        Rlimit {
            current: Some(cap),
            maximum: old.maximum,
        },
    )
    .expect("set RLIMIT_AS");
}
