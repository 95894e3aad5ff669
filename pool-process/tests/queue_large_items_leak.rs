//! A process queue's large items leak nothing: no descriptor stays open
//! in the process that put one or the one that got it, none stays in
//! flight in the queue's socket once taken, and the memory of the items
//! still queued is freed when the last holder drops the queue or shuts
//! it down with `Immediate::Yes`, even when the process that put them has
//! exited.
//!
//! Descriptor counts and the system's shared memory are process- and
//! machine-wide, so this file holds one test.

mod support;

use std::fs;

use pool_process::{Immediate, Process, Queue};
use support::{BOUND, in_flight, open_fds};

const MIB: usize = 1 << 20;

/// This process's descriptors that are large queue items' memfds.
fn item_memfds() -> usize {
    fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|entry| fs::read_link(entry.ok()?.path()).ok())
        .filter(|target| target.to_string_lossy().contains("poolrt-queue-item"))
        .count()
}

/// The machine's shared memory in use (`Shmem` in `/proc/meminfo`), KiB.
fn shmem_kib() -> i64 {
    let meminfo = fs::read_to_string("/proc/meminfo").unwrap();
    let line = meminfo.lines().find(|l| l.starts_with("Shmem:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Fills a fresh queue with 4 items of 16 MiB, then `empty_it`s (drops
/// or shuts it down); true if about that much shared memory was freed
/// then. Other programs use shared memory too, so the caller retries.
fn freed_when(empty_it: impl FnOnce(Queue<Vec<u8>>)) -> bool {
    let q = Queue::new(0).unwrap();
    for n in 0..4u8 {
        q.put(vec![n; 16 * MIB]).unwrap();
    }
    assert_eq!(in_flight(), 4);
    let full = shmem_kib();
    empty_it(q);
    let freed = full - shmem_kib();
    // 64 MiB were queued: allow a quarter of it for the rest of the machine.
    freed >= 48 * 1024
}

fn produce_large(q: Queue<Vec<u8>>) {
    for n in 0..3u8 {
        q.put(vec![n; 4 * MIB]).unwrap();
        q.put(vec![n; 8]).unwrap();
    }
}

#[test]
fn large_items_leave_no_descriptor_and_no_memory_behind() {
    // Warm up what opens descriptors once per process.
    let warm_queue: Queue<Vec<u8>> = Queue::new(0).unwrap();
    let warm = Process::new(produce_large, (warm_queue.clone(),));
    warm.start().unwrap();
    assert!(warm.join_timeout(BOUND).unwrap());
    for _ in 0..6 {
        warm_queue.get().unwrap();
    }
    drop((warm, warm_queue));

    let before = open_fds();
    {
        let q = Queue::new(0).unwrap();
        let child = Process::new(produce_large, (q.clone(),));
        child.start().unwrap();
        assert!(child.join_timeout(BOUND).unwrap());
        assert_eq!(child.exitcode(), Some(0));
        // The child is gone; its three large items wait in the socket.
        assert_eq!(in_flight(), 3);
        for n in 0..3u8 {
            assert_eq!(q.get().unwrap(), vec![n; 4 * MIB]);
            assert_eq!(q.get().unwrap(), vec![n; 8]);
        }
        assert_eq!(in_flight(), 0);
        // Put and got here: each memfd closed once its item is taken.
        for n in 0..3u8 {
            q.put(vec![n; 3 * MIB]).unwrap();
            assert_eq!(item_memfds(), 0, "the putter keeps no memfd");
        }
        for n in 0..3u8 {
            assert_eq!(q.get().unwrap(), vec![n; 3 * MIB]);
        }
        assert_eq!((in_flight(), item_memfds()), (0, 0));
    }
    assert_eq!(open_fds(), before, "the queue's descriptors are closed");

    let attempts = 5;
    assert!(
        (0..attempts).any(|_| freed_when(drop)),
        "dropping a queue with large items in it did not free their memory"
    );
    let mut kept = Vec::new();
    assert!(
        (0..attempts).any(|_| freed_when(|q| {
            q.shutdown(Immediate::Yes).unwrap();
            assert_eq!(in_flight(), 0);
            kept.push(q); // still open: only the shutdown freed them
        })),
        "an immediate shutdown did not free the large items' memory"
    );
    drop(kept);
    assert_eq!(open_fds(), before);
}
