//! Large results, checked the same way whether the worker lends them
//! (`lent_results.rs`) or copies them into the region
//! (`lent_results_off.rs`): every bulk type crosses intact through every
//! way of getting a result, and a chunk of a map whose reply is large
//! decodes; a lending worker gives the memory back with no further task.

use pool_process::{Pool, ProcessPoolExecutor};

use super::memory::{mib, rss};
use super::{eventually, worker_pid};

const MIB: usize = 1 << 20;

pub fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

pub fn text(len: usize) -> String {
    "poolrt-é".chars().cycle().take(len).collect()
}

pub fn floats(len: usize) -> Vec<f64> {
    (0..len).map(|i| i as f64 * -0.5 + 0.25).collect()
}

pub fn halves(len: usize) -> Vec<u16> {
    (0..len).map(|i| (i * 7) as u16).collect()
}

fn square(x: u64) -> u64 {
    x * x
}

/// Sizes around the lending threshold (1 MiB), past the region's start
/// capacity and past glibc's largest mmap threshold (32 MiB).
const SIZES: [usize; 5] = [MIB - 1, MIB, MIB + 3, 5 * MIB + 7, 33 * MIB];

pub fn every_bulk_type_crosses_intact() {
    let pool = Pool::new(2).unwrap();
    for len in SIZES {
        assert!(
            pool.apply(pattern, len).unwrap() == pattern(len),
            "{len} bytes"
        );
        let async_bytes = pool.apply_async(pattern, len).unwrap();
        assert!(
            async_bytes.get().unwrap() == pattern(len),
            "{len} bytes, apply_async"
        );
    }
    for len in [MIB / 8 + 1, 3 * MIB / 8] {
        assert!(
            pool.apply(floats, len).unwrap() == floats(len),
            "{len} floats"
        );
        assert!(
            pool.apply(halves, len * 3).unwrap() == halves(len * 3),
            "{len} u16s"
        );
    }
    for len in [MIB + 1, 2 * MIB] {
        assert_eq!(
            pool.apply(text, len).unwrap(),
            text(len),
            "{len} characters"
        );
    }
    let lens = [2 * MIB, 1, 3 * MIB + 5];
    let all: Vec<Vec<u8>> = pool.imap(pattern, lens).map(Result::unwrap).collect();
    assert_eq!(all.len(), 3);
    for (got, len) in all.iter().zip(lens) {
        assert!(*got == pattern(len), "{len} bytes through imap");
    }
}

pub fn executor_results_cross_intact() {
    let executor = ProcessPoolExecutor::new(2).unwrap();
    for len in [MIB, 4 * MIB + 1] {
        let future = executor.submit(pattern, len).unwrap();
        assert!(
            future.result().unwrap() == pattern(len),
            "{len} bytes, result()"
        );
        let future = executor.submit(floats, len / 8).unwrap();
        let back = future.result_timeout(super::BOUND).unwrap();
        assert!(
            back == floats(len / 8),
            "{len} bytes of floats, result_timeout()"
        );
    }
}

/// One chunk whose reply (200,000 `u64`s) is over the threshold: the
/// reader that takes the reply's bytes as they are.
pub fn a_large_chunk_reply_decodes() {
    let pool = Pool::new(1).unwrap();
    let n = 200_000u64;
    let squares = pool.map_chunked(square, 0..n, n as usize).unwrap();
    assert_eq!(squares.len(), n as usize);
    assert!(
        squares
            .iter()
            .enumerate()
            .all(|(i, &s)| s == (i as u64) * (i as u64))
    );
}

/// A worker that lent a large result holds none of it once the parent has
/// it, with no other task needed to make it let go (the region never held
/// it either).
pub fn the_worker_frees_a_large_result_by_itself() {
    const PAYLOAD: usize = 64 * MIB;
    let pool = Pool::new(1).unwrap();
    let pid = pool.apply(worker_pid, ()).unwrap().to_string();
    let baseline = rss(&pid);
    let reply = pool.apply(pattern, PAYLOAD).unwrap();
    assert_eq!(reply.len(), PAYLOAD);
    eventually("the worker's resident set to shrink back", || {
        rss(&pid) < baseline + 16 * MIB
    });
    eprintln!("worker {} -> {}", mib(baseline), mib(rss(&pid)));
}
