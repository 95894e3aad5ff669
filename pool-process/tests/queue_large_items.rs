//! Items larger than a process queue's buffer: they travel apart, in a
//! memfd of their own, and still arrive whole and in order with the small
//! ones, across processes, in both directions.
//!
//! CPython's `multiprocessing.Queue` takes items of any size (they are
//! pickled into its pipe by the feeder thread); poolrt used to refuse an
//! item larger than the ring's buffer. `queue_large_items_leak` checks
//! that their memory is freed.

mod support;

use std::time::Duration;

use pool_process::{
    Connection, GetError, Immediate, JoinableQueue, Pipe, Process, PutError, Queue,
};
use support::BOUND;

const MIB: usize = 1 << 20;

/// Item `index`: `len` bytes that all say which item they belong to.
fn item(index: u32, len: usize) -> (u32, Vec<u8>) {
    (index, vec![index as u8; len])
}

/// Whether `got` is item `index` of `len` bytes.
fn is_item(got: &(u32, Vec<u8>), index: u32, len: usize) -> bool {
    got.0 == index && got.1.len() == len && got.1.iter().all(|&b| b == index as u8)
}

/// The length of item `index` in the mixed stream: every third item is
/// 2 to 5 MiB (larger than the default 1 MiB buffer), the others small.
fn mixed_len(index: u32) -> usize {
    if index.is_multiple_of(3) {
        (2 + index as usize % 4) * MIB + index as usize
    } else {
        index as usize
    }
}

fn produce_mixed(q: Queue<(u32, Vec<u8>)>, n: u32) {
    for index in 0..n {
        q.put(item(index, mixed_len(index))).unwrap();
    }
}

#[test]
fn large_and_small_items_from_a_child_arrive_whole_and_in_order() {
    let q = Queue::new(0).unwrap();
    let n = 12;
    let child = Process::new(produce_mixed, (q.clone(), n));
    child.start().unwrap();
    for index in 0..n {
        let got = q.get_timeout(BOUND).unwrap();
        assert!(
            is_item(&got, index, mixed_len(index)),
            "item {index}: got item {} of {} bytes",
            got.0,
            got.1.len()
        );
    }
    assert!(child.join_timeout(BOUND).unwrap());
    assert_eq!(child.exitcode(), Some(0));
    assert!(q.empty());
}

/// In a child: takes `n` mixed items and reports, for each, whether it
/// was the one expected.
fn consume_mixed(q: Queue<(u32, Vec<u8>)>, n: u32, report: Connection) {
    let verdicts: Vec<bool> = (0..n)
        .map(|index| {
            q.get_timeout(BOUND)
                .is_ok_and(|got| is_item(&got, index, mixed_len(index)))
        })
        .collect();
    report.send(&verdicts).unwrap();
}

#[test]
fn large_items_from_the_parent_reach_a_child() {
    let q = Queue::new(0).unwrap();
    let n = 9;
    let (report, child_end) = Pipe(false).unwrap();
    let child = Process::new(consume_mixed, (q.clone(), n, child_end));
    child.start().unwrap();
    for index in 0..n {
        q.put(item(index, mixed_len(index))).unwrap();
    }
    let verdicts: Vec<bool> = report.recv_timeout(BOUND).unwrap();
    assert_eq!(verdicts, vec![true; n as usize]);
    assert!(child.join_timeout(BOUND).unwrap());
}

/// In a child: `n` items tagged with `producer`, alternately of 64 KiB
/// (apart, for a 4 KiB buffer) and 10 bytes (in the buffer).
fn produce_tagged(q: Queue<(u32, u32, Vec<u8>)>, producer: u32, n: u32) {
    for seq in 0..n {
        let len = if seq.is_multiple_of(2) { 64 << 10 } else { 10 };
        q.put((producer, seq, vec![seq as u8; len])).unwrap();
    }
}

#[test]
fn two_producers_interleave_but_each_keeps_its_order() {
    let q = Queue::with_capacity(0, 4096).unwrap();
    let n = 30;
    let children: Vec<Process> = (0..2)
        .map(|producer| Process::new(produce_tagged, (q.clone(), producer, n)))
        .collect();
    for child in &children {
        child.start().unwrap();
    }
    let mut next = [0u32; 2];
    for _ in 0..2 * n {
        let (producer, seq, bytes) = q.get_timeout(BOUND).unwrap();
        assert_eq!(seq, next[producer as usize], "producer {producer}'s order");
        next[producer as usize] += 1;
        let len = if seq.is_multiple_of(2) { 64 << 10 } else { 10 };
        assert_eq!(bytes, vec![seq as u8; len]);
    }
    for child in &children {
        assert!(child.join_timeout(BOUND).unwrap());
        assert_eq!(child.exitcode(), Some(0));
    }
}

#[test]
fn a_large_item_counts_as_one_item_for_maxsize_and_comes_back_when_full() {
    let q = Queue::new(1).unwrap();
    q.put(item(1, 3 * MIB)).unwrap();
    assert!(q.full());
    let refused = q.put_nowait(item(2, 3 * MIB)).unwrap_err();
    assert!(refused.is_full());
    assert!(
        is_item(&refused.into_inner(), 2, 3 * MIB),
        "handed back whole"
    );
    let refused = q
        .put_timeout(item(3, 3 * MIB), Duration::from_millis(1))
        .unwrap_err();
    assert!(refused.is_full());
    assert!(is_item(&q.get().unwrap(), 1, 3 * MIB));
    q.put_nowait(item(4, 3 * MIB)).unwrap();
    assert!(is_item(&q.get().unwrap(), 4, 3 * MIB));
}

#[test]
fn an_item_larger_than_a_tiny_buffer_goes_through() {
    // The smallest buffer, 5 bytes: every item travels apart, and the
    // buffer holds the record of one at a time.
    let q = Queue::with_capacity(0, 5).unwrap();
    for n in 0..20u64 {
        q.put(vec![n; 100]).unwrap();
        assert!(q.put_nowait(vec![0; 100]).unwrap_err().is_full());
        assert_eq!(q.get().unwrap(), vec![n; 100]);
    }
}

#[test]
fn a_joinable_queue_counts_large_items_and_immediate_shutdown_drops_them() {
    let q = JoinableQueue::new(0).unwrap();
    for index in 0..4 {
        q.put(item(index, 2 * MIB)).unwrap();
    }
    assert!(is_item(&q.get().unwrap(), 0, 2 * MIB));
    q.task_done().unwrap();
    assert!(!q.join_timeout(Duration::from_millis(1)));
    q.shutdown(Immediate::Yes).unwrap();
    assert!(
        q.join_timeout(Duration::ZERO),
        "the three dropped count as done"
    );
    assert!(matches!(q.get_nowait(), Err(GetError::ShutDown)));
    assert!(matches!(
        q.put(item(9, 2 * MIB)),
        Err(PutError::ShutDown((9, _)))
    ));
}

#[test]
fn when_a_few_hundred_large_items_wait_a_put_waits_as_for_a_full_queue() {
    // Each waiting large item is a descriptor in the queue's socket; once
    // its buffer is full, an unbounded queue is full too (`put_nowait`
    // says `Full`, `put` waits), until a get makes room.
    let q = Queue::with_capacity(0, 4096).unwrap(); // room for 1024 records
    let mut waiting = 0u32;
    let refused = loop {
        match q.put_nowait(item(waiting, 4096)) {
            Ok(()) => waiting += 1,
            Err(e) => break e,
        }
        assert!(waiting < 100_000, "never full");
    };
    assert!(refused.is_full(), "{refused:?}");
    assert!(waiting >= 8, "only {waiting} large items fit");
    assert!(is_item(&q.get().unwrap(), 0, 4096));
    q.put_nowait(refused.into_inner()).unwrap();
    for index in 1..=waiting {
        assert!(is_item(&q.get().unwrap(), index, 4096));
    }
    assert!(q.empty());
}

fn produce_many(q: Queue<(u32, Vec<u8>)>, n: u32) {
    for index in 0..n {
        q.put(item(index, 4096)).unwrap();
    }
}

#[test]
fn a_producer_past_that_limit_waits_and_each_get_wakes_it() {
    // More large items than the socket holds: the child's puts wait, and
    // the parent's gets let them through, all in order.
    let q = Queue::with_capacity(0, 4096).unwrap();
    let n = 2000;
    let child = Process::new(produce_many, (q.clone(), n));
    child.start().unwrap();
    for index in 0..n {
        assert!(is_item(&q.get_timeout(BOUND).unwrap(), index, 4096));
    }
    assert!(child.join_timeout(BOUND).unwrap());
    assert_eq!(child.exitcode(), Some(0));
}
