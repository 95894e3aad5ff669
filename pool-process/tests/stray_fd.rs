//! Spawning is immune to the parent's stray descriptors: one at or above
//! the soft `RLIMIT_NOFILE`, or one without close-on-exec, neither breaks
//! a worker's spawn nor leaks into the worker.
//!
//! Regression: a close file action was requested for each descriptor
//! without close-on-exec, and posix_spawn refuses one at or above the soft
//! limit with `EBADF`, so every worker spawn failed.
//!
//! The strays and the lowered limit would disturb other tests, so the test
//! re-runs this binary as a helper process that sets them up, starts a
//! pool and checks the worker's descriptors.

use std::os::fd::{AsRawFd, OwnedFd};
use std::process::Command;

use pool_process::Pool;
use rustix::io::{FdFlags, fcntl_dupfd_cloexec, fcntl_getfd, fcntl_setfd};
use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};

/// Tells the helper test to act.
const HELPER: &str = "POOLRT_TEST_STRAY_FD_HELPER";

/// A task: the worker's open descriptors.
fn open_fds(_: ()) -> Vec<i32> {
    std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect()
}

/// A copy of `fd` numbered `at` or above, without close-on-exec.
fn stray(fd: &OwnedFd, at: i32) -> OwnedFd {
    let copy = fcntl_dupfd_cloexec(fd, at).unwrap();
    fcntl_setfd(&copy, FdFlags::empty()).unwrap();
    assert!(!fcntl_getfd(&copy).unwrap().contains(FdFlags::CLOEXEC));
    copy
}

#[test]
#[ignore = "helper of strays_neither_break_a_spawn_nor_reach_the_worker; acts only when run by it"]
fn helper_starts_a_pool_among_strays() {
    if std::env::var_os(HELPER).is_none() {
        return;
    }
    let limit = getrlimit(Resource::Nofile);
    let soft = limit.current.expect("a finite soft limit") as i32;
    let file: OwnedFd = std::fs::File::open("/proc/self/exe").unwrap().into();
    // The highest number the limit allows, then a limit below it.
    let high = stray(&file, soft - 1);
    assert_eq!(high.as_raw_fd(), soft - 1);
    let low = stray(&file, 100);
    let lowered = 200;
    assert!(high.as_raw_fd() >= lowered, "the soft limit is above 200");
    setrlimit(
        Resource::Nofile,
        Rlimit {
            current: Some(lowered as u64),
            maximum: limit.maximum,
        },
    )
    .unwrap();

    let pool = Pool::new(1).expect("a stray descriptor does not break the spawn");
    let fds = pool.apply(open_fds, ()).expect("the worker runs tasks");
    for stray in [&high, &low] {
        let n = stray.as_raw_fd();
        assert!(!fds.contains(&n), "stray {n} reached the worker: {fds:?}");
    }
    println!(
        "strays {} and {} stayed behind",
        high.as_raw_fd(),
        low.as_raw_fd()
    );
}

#[test]
fn strays_neither_break_a_spawn_nor_reach_the_worker() {
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "helper_starts_a_pool_among_strays",
            "--nocapture",
            "--include-ignored",
        ])
        .env(HELPER, "1")
        .output()
        .expect("run the helper");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("stayed behind"), "{stdout}\n{stderr}");
}
