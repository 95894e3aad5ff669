//! The process cannot start another thread (its address space is capped
//! below a thread stack's size, in a child process of its own): every
//! call that needs a thread fails with `ErrorKind::Spawn` and its cause;
//! nothing panics or hangs, and what was running goes on.

use pool_core::ErrorKind;
use pool_test_support::{cap_address_space, in_child_process};
use pool_thread::{Thread, ThreadPoolExecutor, Timer};

/// Less than the 2 MiB stack of a new Rust thread.
const HEADROOM: u64 = 512 << 10;

#[test]
fn without_threads_calls_fail_with_spawn_errors() {
    if !in_child_process("without_threads_calls_fail_with_spawn_errors") {
        return;
    }

    // Before the cap: an executor with one running worker.
    let running = ThreadPoolExecutor::new(1).unwrap();
    assert_eq!(running.submit(|| 1 + 1).unwrap().result().unwrap(), 2);

    cap_address_space(HEADROOM);
    assert!(
        std::thread::Builder::new().spawn(|| {}).is_err(),
        "the premise: no thread can start now"
    );

    // A new executor has no thread to run its first task: the task fails
    // with the cause instead of waiting for ever.
    let fresh = ThreadPoolExecutor::new(2).unwrap();
    let error = fresh.submit(|| 1).unwrap().result().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Spawn, "{error}");
    fresh.shutdown();

    let t = Thread::new(|| {});
    let error = t.start().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Spawn, "{error}");
    assert!(!t.is_alive());

    let timer = Timer::new(std::time::Duration::ZERO, || {});
    let error = timer.start().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Spawn, "{error}");

    // The executor that already had its worker goes on.
    assert_eq!(running.submit(|| 2 + 2).unwrap().result().unwrap(), 4);
    running.shutdown();
}
