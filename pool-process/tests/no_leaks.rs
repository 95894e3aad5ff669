//! No zombies and no leaked descriptors: after `close` + `join` (or
//! `terminate`, or drop) every former worker is gone from `/proc`, the
//! test process has as many open descriptors as before the pool existed,
//! and workers inherit none of the parent's descriptors but their own.
//!
//! Descriptor counts are process-wide, so the tests of this file run one
//! at a time.

mod support;

use std::collections::BTreeSet;
use std::sync::{Mutex, MutexGuard};

use pool_process::{Pool, ProcessPoolExecutor};
use support::{Rendezvous, held_pid, live_workers, open_fds, process_state, worker_pid};

fn one_at_a_time() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Asserts that none of `pids` exists any more, not even as a zombie:
/// `join` reaps every worker before it returns, so there is nothing to
/// wait for.
fn all_gone(pids: &BTreeSet<u32>) {
    for &pid in pids {
        assert_eq!(process_state(pid), None, "worker {pid} is still there");
    }
}

fn exit_with(code: i32) -> u32 {
    std::process::exit(code)
}

/// Runs a mix of work that makes the pool start, retire and lose workers,
/// and returns every worker pid seen.
fn churn(pool: &Pool) -> BTreeSet<u32> {
    let mut pids: BTreeSet<u32> = pool.pids().into_iter().collect();
    for _ in 0..6 {
        pids.insert(pool.apply(worker_pid, ()).unwrap());
    }
    pids.extend(
        pool.map_chunked(|_: u8| std::process::id(), 0..40, 4)
            .unwrap(),
    );
    let err = pool.apply(exit_with, 3).unwrap_err();
    assert!(err.is_worker_lost());
    pids.extend(
        pool.imap(|_: u8| std::process::id(), 0..20)
            .map(Result::unwrap),
    );
    pids.extend(pool.pids());
    pids
}

#[test]
fn close_and_join_leave_no_zombie_and_no_descriptor() {
    let _serial = one_at_a_time();
    let before = open_fds();
    let pool = Pool::builder()
        .processes(2)
        .maxtasksperchild(3)
        .build()
        .unwrap();
    let mut pids = churn(&pool);
    pool.close();
    pool.join().unwrap();
    pids.extend(pool.pids());
    assert!(pool.pids().is_empty());
    assert!(
        pids.len() > 2,
        "retirements and a death started workers: {pids:?}"
    );
    all_gone(&pids);
    drop(pool);
    assert_eq!(open_fds(), before, "descriptors leaked by the pool");
}

#[test]
fn terminate_leaves_no_zombie_and_no_descriptor() {
    let _serial = one_at_a_time();
    let before = open_fds();
    let pool = Pool::new(2).unwrap();
    let rendezvous = Rendezvous::new();
    let running = pool.apply_async(held_pid, rendezvous.path()).unwrap();
    let held = rendezvous.arrival();
    let pids: BTreeSet<u32> = live_workers(2, || pool.pids()).into_iter().collect();
    pool.terminate();
    pool.join().unwrap();
    assert!(running.get().is_err());
    all_gone(&pids);
    drop((pool, running, held, rendezvous));
    assert_eq!(open_fds(), before, "descriptors leaked by the pool");
}

#[test]
fn dropping_pools_and_executors_leaks_nothing() {
    let _serial = one_at_a_time();
    let before = open_fds();
    let mut pids = BTreeSet::new();
    for round in 0..3 {
        let pool = Pool::new(2).unwrap();
        pids.extend(pool.map(|_: u32| std::process::id(), 0..8).unwrap());
        pids.extend(live_workers(2, || pool.pids()));
        drop(pool);
        let executor = ProcessPoolExecutor::new(2).unwrap();
        let future = executor.submit(worker_pid, ()).unwrap();
        pids.insert(future.result().unwrap());
        // Started on demand: one task, one worker.
        pids.extend(live_workers(1, || executor.pids()));
        drop(executor);
        all_gone(&pids);
        assert_eq!(open_fds(), before, "descriptors leaked in round {round}");
    }
}

#[test]
fn a_pool_that_breaks_at_start_up_leaks_nothing() {
    let _serial = one_at_a_time();
    let before = open_fds();
    let pool = Pool::builder()
        .processes(2)
        .executable("/bin/true")
        .build()
        .unwrap();
    assert!(pool.apply(worker_pid, ()).is_err());
    pool.close();
    pool.join().unwrap();
    drop(pool);
    assert_eq!(open_fds(), before, "descriptors leaked by the pool");
}

/// The descriptors of the calling process, except the one listing them.
fn own_fds(_: ()) -> Vec<i32> {
    let listing = std::fs::read_dir("/proc/self/fd").expect("list /proc/self/fd");
    let mut fds: Vec<i32> = listing
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let target = std::fs::read_link(entry.path()).ok()?;
            // The directory being listed is open too.
            if target.starts_with("/proc") && target.ends_with("fd") {
                return None;
            }
            entry.file_name().to_str()?.parse().ok()
        })
        .collect();
    fds.sort_unstable();
    fds
}

/// Regression: workers were spawned with every descriptor the parent had
/// open without close-on-exec (a pipe made by C code, the cargo jobserver),
/// so a pipe's reader never saw end-of-file while a pool was alive.
#[test]
fn a_worker_inherits_no_descriptor_but_its_own() {
    let _serial = one_at_a_time();
    let mut ends = [0; 2];
    // SAFETY: `ends` has room for the two descriptors pipe() writes.
    assert_eq!(unsafe { libc::pipe(ends.as_mut_ptr()) }, 0, "pipe");
    // Above the numbers a worker's own descriptors take (3 and 4), so that
    // they cannot hide an inherited copy.
    let [read_end, write_end] = ends.map(|fd| {
        // SAFETY: F_DUPFD on our own open descriptor; the copy does not
        // have close-on-exec, like the original.
        let high = unsafe { libc::fcntl(fd, libc::F_DUPFD, 20) };
        assert!(high >= 20, "F_DUPFD");
        // SAFETY: `fd` is ours, from pipe() above, closed once.
        unsafe { libc::close(fd) };
        high
    });
    let pool = Pool::new(1).unwrap();
    assert_eq!(
        pool.apply(own_fds, ()).unwrap(),
        [0, 1, 2, 3, 4],
        "stdio, the mailbox socket and its shared region"
    );
    // SAFETY: `write_end` is ours, from pipe() above, closed once.
    unsafe { libc::close(write_end) };
    let mut poll = libc::pollfd {
        fd: read_end,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd; a zero timeout does not block.
    let ready = unsafe { libc::poll(&mut poll, 1, 0) };
    assert_eq!(ready, 1, "no worker holds the pipe's write end");
    assert_ne!(poll.revents & libc::POLLHUP, 0);
    // SAFETY: `read_end` is ours, from pipe() above, closed once.
    unsafe { libc::close(read_end) };
    drop(pool);
}
