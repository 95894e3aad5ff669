//! The process cannot start another thread (its address space is capped
//! below a thread stack's size, in a child process of its own): every
//! call that needs a thread returns an error naming the cause, the calls
//! that need none go on working, and nothing panics or hangs.

use pool_core::ErrorKind;
use pool_process::{Pool, Process};
use pool_test_support::{cap_address_space, in_child_process};

fn double(x: u64) -> u64 {
    2 * x
}

fn nothing(_: u64) {}

/// Less than the 2 MiB stack of a new Rust thread.
const HEADROOM: u64 = 512 << 10;

#[test]
fn without_threads_calls_fail_with_spawn_errors_or_run_inline() {
    if !in_child_process("without_threads_calls_fail_with_spawn_errors_or_run_inline") {
        return;
    }

    // Before the cap: a pool whose link thread and worker are running.
    let pool = Pool::new(1).unwrap();
    assert_eq!(pool.apply(double, 2).unwrap(), 4);

    cap_address_space(HEADROOM);
    assert!(
        std::thread::Builder::new().spawn(|| {}).is_err(),
        "the premise: no thread can start now"
    );

    // `Process::start` needs its supervisor thread: an error, no child.
    let p = Process::new(nothing, (1,));
    let error = p.start().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Spawn, "{error}");
    assert!(!p.is_alive());
    assert_eq!(
        p.start().unwrap_err().kind(),
        ErrorKind::InvalidState,
        "a process starts once, as in Python"
    );

    // A map assembles its results on a thread of its own (never on the
    // link thread that completes the last chunk): the map fails with the
    // cause, and the pool carries on.
    let error = pool.map(double, 0..100).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Spawn, "{error}");
    assert!(error.to_string().contains("assemble"), "{error}");
    let error = pool.map_async(double, 0..100).unwrap().get().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Spawn, "{error}");
    assert_eq!(pool.apply(double, 3).unwrap(), 6);
    let streamed: Vec<u64> = pool.imap(double, 0..10).map(Result::unwrap).collect();
    assert_eq!(streamed, (0..10).map(double).collect::<Vec<_>>());

    // A new pool cannot start its link thread (or its worker): its first
    // task fails with the cause, and closing it does not hang.
    match Pool::new(1) {
        Err(error) => assert_eq!(error.kind(), ErrorKind::Spawn, "{error}"),
        Ok(fresh) => {
            let error = fresh.apply(double, 1).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::Spawn, "{error}");
            fresh.terminate();
        }
    }

    pool.close();
    pool.join().unwrap();
}
