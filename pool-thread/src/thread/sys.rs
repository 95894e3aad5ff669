//! The one OS-specific fact the thread module needs: the kernel's id for
//! the calling thread.

/// The OS thread id of the calling thread (Linux's TID), read from
/// `/proc/thread-self`, which links to `<pid>/task/<tid>`; this needs no
/// `unsafe`. `None` where that is not available.
#[cfg(target_os = "linux")]
pub(crate) fn native_id() -> Option<u64> {
    let link = std::fs::read_link("/proc/thread-self").ok()?;
    link.file_name()?.to_str()?.parse().ok()
}

/// No safe source of the OS thread id on this platform yet.
#[cfg(not(target_os = "linux"))]
pub(crate) fn native_id() -> Option<u64> {
    None
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn the_main_thread_of_a_process_has_the_pid_as_tid_and_others_differ() {
        let here = super::native_id().unwrap();
        let there = std::thread::spawn(super::native_id)
            .join()
            .unwrap()
            .unwrap();
        assert_ne!(here, there);
        let pid = u64::from(std::process::id());
        assert_ne!(there, pid, "a spawned thread's TID is not the PID");
    }
}
