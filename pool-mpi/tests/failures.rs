//! Failures across ranks: a task's panic, a serialization error, a
//! different build on one rank (mpirun's MPMD syntax), a rank that dies.

#![cfg(feature = "mpi")]

mod support;

#[test]
fn a_task_panic_names_its_rank_and_host() {
    let stdout = support::assert_ok(&support::check("panic"), "panic");
    let line = stdout
        .lines()
        .find(|l| l.starts_with("panic error:"))
        .unwrap();
    assert!(
        line.contains("thread 'rank ") && line.contains("negative input -4"),
        "{line}"
    );
}

#[test]
fn an_unserializable_argument_is_an_error_at_the_call() {
    let stdout = support::assert_ok(&support::check("serialize"), "serialize");
    assert!(
        stdout.contains("failed to serialize: the argument of apply"),
        "{stdout}"
    );
}

#[test]
fn a_different_binary_on_one_rank_is_refused_before_any_task() {
    let output = support::mpirun_via(
        &[],
        &[
            "-n",
            "2",
            support::CHECK,
            "pool",
            ":",
            "-n",
            "1",
            support::OTHER,
        ],
    );
    let (stdout, stderr) = support::text(&output);
    assert!(!output.status.success(), "{stdout}\n{stderr}");
    let host = mpi_host();
    let line = stdout.lines().find(|l| l.starts_with("error:"));
    let line = line.unwrap_or_else(|| panic!("no error line:\n{stdout}\n{stderr}"));
    assert!(
        line.contains("rank 2 (pid ")
            && line.contains(&format!("on host {host} runs a different build")),
        "{line}"
    );
    assert!(!stdout.contains("ok pool"), "no task ran: {stdout}");
    assert!(stderr.contains("rank 2 ends without serving"), "{stderr}");
}

#[test]
fn a_rank_that_dies_ends_the_job_naming_rank_and_host() {
    let output = support::check("die");
    let (stdout, stderr) = support::text(&output);
    assert!(!output.status.success(), "{stdout}\n{stderr}");
    let host = mpi_host();
    assert!(
        stderr.contains(&format!(
            "on host {host} exited while serving the root's tasks"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("Exit code:    7"),
        "mpirun's own report: {stderr}"
    );
}

#[test]
fn a_rank_killed_by_a_signal_ends_the_job_naming_rank_and_node() {
    let output = support::check("die_signal");
    let (stdout, stderr) = support::text(&output);
    assert!(!output.status.success(), "{stdout}\n{stderr}");
    let host = mpi_host();
    // Open MPI 4: "mpirun noticed that process rank 2 with PID 123 on
    // node vm exited on signal 6 (Aborted)."
    let report = stderr
        .lines()
        .find(|l| l.contains("mpirun noticed that process rank"))
        .unwrap_or_else(|| panic!("no report from mpirun: {stderr}"));
    assert!(
        report.contains(&format!("on node {host} exited on signal 6")),
        "{report}"
    );
}

/// The host name MPI reports on this machine.
fn mpi_host() -> String {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    name.trim().to_owned()
}
