//! `current_thread()` on the process's real main thread: this file runs
//! without the test harness (`harness = false`), so `main` is the main
//! thread, as in a user's program.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};

use pool_thread::{Thread, current_thread};

fn main() {
    let me = current_thread();
    assert_eq!(me.name(), "MainThread");
    assert!(!me.is_daemon());
    assert!(me.is_alive());
    assert_eq!(me, current_thread());
    #[cfg(target_os = "linux")]
    assert_eq!(
        me.native_id(),
        Some(u64::from(std::process::id())),
        "on Linux the main thread's TID is the PID"
    );

    // Threads created by the main thread are not daemons by default, so
    // join_non_daemon waits for them, as Python waits before exiting.
    let finished = Arc::new(AtomicBool::new(false));
    let t = Thread::new({
        let finished = finished.clone();
        move || {
            let seen_from_thread = current_thread();
            assert!(seen_from_thread.name().starts_with("Thread-"));
            finished.store(true, SeqCst);
        }
    });
    assert!(!t.is_daemon());
    t.start().unwrap();
    pool_thread::join_non_daemon();
    assert!(finished.load(SeqCst));
    println!("main_thread: 1 passed, 0 failed");
}
