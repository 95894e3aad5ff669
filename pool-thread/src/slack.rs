//! Timer slack: how late the kernel may end a worker's timed sleep.
//!
//! Linux lets every thread's timed waits (`sleep`, `park_timeout`,
//! condvar timeouts) end up to its *timer slack* late, 50 µs by default,
//! so that nearby timers fire together. A thread pool for IO-bound work
//! runs sleeps and timed waits back to back: 1,000 tasks of 10 ms on 100
//! threads are ten sleeps in a row per thread, and each round added its
//! slack to the total. Workers ask for 1 µs instead (the MPI root's
//! waiting thread does the same, `pool-mpi/src/sys.rs`); the kernel still
//! batches the timers of threads that did not ask.

use std::num::NonZeroU64;

/// The slack a worker thread asks for, in nanoseconds.
const WORKER_SLACK_NS: u64 = 1_000;

/// Sets the calling thread's timer slack to [`WORKER_SLACK_NS`]. Best
/// effort: a kernel that refuses leaves the default, which only costs
/// precision.
#[cfg(target_os = "linux")]
pub(crate) fn sharpen_timers() {
    let _ = rustix::thread::set_current_timer_slack(NonZeroU64::new(WORKER_SLACK_NS));
}

/// Other systems have no per-thread timer slack to set.
#[cfg(not(target_os = "linux"))]
pub(crate) fn sharpen_timers() {
    let _ = NonZeroU64::new(WORKER_SLACK_NS);
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn a_sharpened_thread_has_a_one_microsecond_slack_and_others_keep_theirs() {
        let before = rustix::thread::current_timer_slack().unwrap();
        let sharpened = std::thread::spawn(|| {
            super::sharpen_timers();
            rustix::thread::current_timer_slack().unwrap()
        })
        .join()
        .unwrap();
        assert_eq!(sharpened, super::WORKER_SLACK_NS);
        assert_eq!(rustix::thread::current_timer_slack().unwrap(), before);
    }

    #[test]
    fn executor_workers_run_tasks_with_the_small_slack() {
        let executor = crate::ThreadPoolExecutor::new(1).unwrap();
        let slack = executor
            .submit(|| rustix::thread::current_timer_slack().unwrap())
            .unwrap()
            .result()
            .unwrap();
        assert_eq!(slack, super::WORKER_SLACK_NS);
    }
}
