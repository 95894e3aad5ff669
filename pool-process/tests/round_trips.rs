//! Many round trips between a link and its worker: through the sleeping
//! path (no spinning) no wake-up is lost, messages of changing sizes (the
//! shared region grows on either side) arrive intact, and several pools
//! and a pool inside a worker work side by side.

mod support;

use std::time::Duration;

use pool_process::Pool;
use support::BOUND;

/// A checksum of a buffer, in the worker.
fn checksum(data: Vec<u8>) -> (usize, u64) {
    (data.len(), fnv(&data))
}

/// A buffer of `len` bytes made in the worker.
fn make(len: usize) -> Vec<u8> {
    pattern(len)
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[test]
fn no_wake_up_is_lost_without_spinning() {
    let pool = Pool::builder()
        .processes(2)
        .spin(Duration::ZERO, Duration::ZERO)
        .build()
        .unwrap();
    std::thread::scope(|s| {
        for t in 0..3u64 {
            let pool = &pool;
            s.spawn(move || {
                for i in 0..1500u64 {
                    let result = pool.apply_async(|x: u64| x.wrapping_mul(3), t << 32 | i);
                    let value = result.unwrap().get_timeout(BOUND).expect("a lost wake-up");
                    assert_eq!(value, (t << 32 | i).wrapping_mul(3));
                }
            });
        }
    });
}

#[test]
fn messages_of_changing_sizes_arrive_intact() {
    let pool = Pool::builder()
        .processes(1)
        .spin(Duration::ZERO, Duration::ZERO)
        .build()
        .unwrap();
    // Both directions, across the initial 64 KiB region and back down.
    for len in [
        0,
        1,
        100,
        70_000,
        10,
        300_000,
        5,
        1 << 21,
        3,
        65_536,
        65_535,
    ] {
        let data = pattern(len);
        assert_eq!(
            pool.apply(checksum, data.clone()).unwrap(),
            (len, fnv(&data)),
            "argument of {len} bytes"
        );
        assert_eq!(
            pool.apply(make, len).unwrap(),
            data,
            "result of {len} bytes"
        );
    }
}

#[test]
fn large_chunks_cross_both_ways() {
    let pool = Pool::new(2).unwrap();
    let items: Vec<Vec<u8>> = (0..12).map(|i| pattern(40_000 * i)).collect();
    let sums = pool.map_chunked(checksum, items.clone(), 5).unwrap();
    let expected: Vec<_> = items.iter().map(|d| (d.len(), fnv(d))).collect();
    assert_eq!(sums, expected);
    let made: Vec<Vec<u8>> = pool
        .imap_chunked(make, (0..12).map(|i| 40_000 * i), 4)
        .map(Result::unwrap)
        .collect();
    assert_eq!(made, items);
}

#[test]
fn several_pools_work_side_by_side() {
    let pools: Vec<Pool> = (0..3).map(|_| Pool::new(2).unwrap()).collect();
    let results: Vec<_> = pools
        .iter()
        .enumerate()
        .map(|(p, pool)| pool.map_async(move |x: u64| x + 1, (0..200).map(move |x| x * p as u64)))
        .collect();
    for (p, result) in results.into_iter().enumerate() {
        let values = result.unwrap().get_timeout(BOUND).unwrap();
        assert_eq!(values[199], 199 * p as u64 + 1);
    }
    let mut pids: Vec<u32> = pools
        .iter()
        .flat_map(|pool| support::live_workers(2, || pool.pids()))
        .collect();
    pids.sort_unstable();
    pids.dedup();
    assert_eq!(pids.len(), 6, "each pool has its own workers");
}

#[test]
fn a_task_can_run_a_pool_of_its_own() {
    let pool = Pool::new(1).unwrap();
    let (worker, inner) = pool
        .apply(
            |n: u32| {
                let inner = Pool::new(2).unwrap();
                let pids = inner.map(|_: u32| std::process::id(), 0..n).unwrap();
                (std::process::id(), pids)
            },
            8,
        )
        .unwrap();
    assert_ne!(worker, std::process::id());
    assert_eq!(inner.len(), 8);
    assert!(
        inner
            .iter()
            .all(|&p| p != worker && p != std::process::id())
    );
}
