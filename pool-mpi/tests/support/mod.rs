//! Running the test program under `mpirun`, bounded in time.

#![allow(dead_code)] // each test file uses a part

use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// The longest one mpirun job may take (a debug build on a loaded 2-core
/// machine): mpirun's own `--timeout` ends the job cleanly first; the
/// test's bound is the backstop.
pub(crate) const JOB_SECONDS: u64 = 240;

/// The test program (`tests/programs/check.rs`).
pub(crate) const CHECK: &str = env!("CARGO_BIN_EXE_pool-mpi-check");

/// The different build (`tests/programs/other.rs`).
pub(crate) const OTHER: &str = env!("CARGO_BIN_EXE_pool-mpi-other");

/// `mpirun --allow-run-as-root --oversubscribe --timeout … ARGS`, started
/// by `launcher` (empty: directly), waited for within a bound.
pub(crate) fn mpirun_via(launcher: &[&str], args: &[&str]) -> Output {
    let mut command = match launcher.split_first() {
        Some((program, rest)) => {
            let mut command = Command::new(program);
            command.args(rest).arg("mpirun");
            command
        }
        None => Command::new("mpirun"),
    };
    let timeout = JOB_SECONDS.to_string();
    // A session directory of its own: Open MPI 4 races creating the
    // shared one when several jobs start at once ("mkdir ... File exists").
    let session = SessionDir::new();
    command
        .args([
            "--allow-run-as-root",
            "--oversubscribe",
            "--timeout",
            &timeout,
        ])
        .args(["--mca", "orte_tmpdir_base", session.path()])
        // No run-time binding component: the tests bind nothing, and its
        // shared-memory topology write crashed an orted once (a segfault in
        // `hwloc_shmem_topology_write`, before any rank ran).
        .args(["--mca", "rtc", "^hwloc"])
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start mpirun (apt-get install openmpi-bin): {e}"));
    pool_test_support::output_within(
        child,
        Duration::from_secs(JOB_SECONDS + 60),
        &format!("mpirun {args:?}"),
    )
}

/// A fresh directory for one job's Open MPI session files, removed after.
struct SessionDir(String);

impl SessionDir {
    fn new() -> SessionDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("pool-mpi-test-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&path).expect("a session directory");
        SessionDir(path.display().to_string())
    }

    fn path(&self) -> &str {
        &self.0
    }
}

impl Drop for SessionDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `mpirun -n 3 pool-mpi-check MODE`.
pub(crate) fn check(mode: &str) -> Output {
    mpirun_via(&[], &["-n", "3", CHECK, mode])
}

/// Its stdout and stderr, for messages.
pub(crate) fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Asserts the job passed: status 0 and `ok MODE` on stdout.
pub(crate) fn assert_ok(output: &Output, mode: &str) -> String {
    let (stdout, stderr) = text(output);
    assert!(
        output.status.success() && stdout.lines().any(|l| l == format!("ok {mode}")),
        "mode {mode}: {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        output.status
    );
    stdout
}
