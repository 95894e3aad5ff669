//! The bulk fast paths: `Vec<u8>`, `String` and vectors of primitive
//! numbers move into the reply (or the request) and are copied once into
//! the shared region, and once out of it. Each crosses intact both ways,
//! empty, around the size from which decoding asks for huge pages (4 MiB),
//! bigger than the region so far, past glibc's largest mmap threshold
//! (32 MiB), inside other values (postcard), and in chunks of a map; and a
//! failure while a result is encoded fails that task only.

mod support;

use pool_process::Pool;
use serde::{Serialize, Serializer};

/// From this many bytes, decoding asks for huge pages (`sys/bulk.rs`).
const HUGE_FROM: usize = 4 << 20;

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

fn same_bytes(bytes: Vec<u8>) -> Vec<u8> {
    bytes
}

fn same_floats(values: Vec<f64>) -> Vec<f64> {
    values
}

fn floats(len: usize) -> Vec<f64> {
    (0..len).map(|i| i as f64 * -0.5 + 0.25).collect()
}

fn bits(values: &[f64]) -> Vec<u64> {
    values.iter().map(|v| v.to_bits()).collect()
}

#[test]
fn bytes_cross_intact_at_every_size() {
    let pool = Pool::new(1).unwrap();
    for len in [
        0,
        1,
        4095,
        64 << 10,
        (64 << 10) + 1,
        HUGE_FROM - 1,
        HUGE_FROM,
        HUGE_FROM + 1,
        (5 << 20) + 3,
        1,
    ] {
        let sent = pattern(len);
        let back = pool.apply(same_bytes, sent.clone()).unwrap();
        assert!(back == sent, "{len} bytes came back changed");
        let made = pool.apply(pattern, len).unwrap();
        assert!(
            made == sent,
            "{len} bytes made in the worker came back changed"
        );
    }
}

#[test]
fn values_past_the_mmap_threshold_cross_both_ways() {
    let pool = Pool::new(1).unwrap();
    let len = (40 << 20) + 5;
    let sent = pattern(len);
    let back = pool.apply(same_bytes, sent.clone()).unwrap();
    assert!(back == sent, "40 MiB came back changed");
    drop(back);
    let floats_sent = floats(len / 8);
    let floats_back = pool.apply(same_floats, floats_sent.clone()).unwrap();
    assert_eq!(bits(&floats_back), bits(&floats_sent));
    // Small values still cross after large ones (the region then gives
    // its pages back).
    assert_eq!(pool.apply(same_bytes, vec![9u8; 3]).unwrap(), [9, 9, 9]);
}

#[test]
fn number_vectors_cross_with_their_bits() {
    let pool = Pool::new(1).unwrap();
    let special = vec![f64::NAN, -0.0, f64::INFINITY, f64::MIN_POSITIVE, 1e300];
    assert_eq!(
        bits(&pool.apply(same_floats, special.clone()).unwrap()),
        bits(&special)
    );
    for len in [0, 1, 3, HUGE_FROM / 8, HUGE_FROM / 8 + 1] {
        let sent = floats(len);
        let back = pool.apply(same_floats, sent.clone()).unwrap();
        assert_eq!(bits(&back), bits(&sent), "{len} floats");
    }
    let wide: Vec<i128> = vec![i128::MIN, -1, 0, i128::MAX];
    assert_eq!(pool.apply(|v: Vec<i128>| v, wide.clone()).unwrap(), wide);
    let odd: Vec<u16> = (0..1001).map(|i| (i * 7) as u16).collect();
    assert_eq!(pool.apply(|v: Vec<u16>| v, odd.clone()).unwrap(), odd);
    let halves = pool
        .apply(
            |n: u32| (0..n).map(|i| i as f32 / 2.0).collect::<Vec<f32>>(),
            7,
        )
        .unwrap();
    assert_eq!(halves, [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0]);
    let text = pool
        .apply(|s: String| s + "ü", "grün".repeat(100_000))
        .unwrap();
    assert_eq!(text.len(), 5 * 100_000 + 2);
}

#[test]
fn bulk_values_inside_other_values_go_through_postcard() {
    let pool = Pool::new(1).unwrap();
    let nested = (
        pattern(70_000),
        vec![floats(3), Vec::new()],
        String::from("x"),
    );
    let back = pool
        .apply(|v: (Vec<u8>, Vec<Vec<f64>>, String)| v, nested.clone())
        .unwrap();
    assert_eq!(back.0, nested.0);
    assert_eq!(back.1, nested.1);
    assert_eq!(back.2, nested.2);
    let options = pool.apply(|n: usize| vec![Some(n as u64); n], 5).unwrap();
    assert_eq!(options, [Some(5); 5]);
}

#[test]
fn maps_of_numbers_keep_order_across_many_chunks() {
    let pool = Pool::new(2).unwrap();
    // Past the default chunk cap (16,384 items): many chunks.
    let n = 100_003u64;
    let squares = pool.map(|x: u64| x.wrapping_mul(x), 0..n).unwrap();
    assert_eq!(squares.len() as u64, n);
    assert!(
        squares
            .iter()
            .enumerate()
            .all(|(i, &v)| v == (i as u64).wrapping_mul(i as u64))
    );
    let halves = pool.map(|x: u32| f64::from(x) / 2.0, 0..50_000u32).unwrap();
    assert!(halves.iter().enumerate().all(|(i, &v)| v == i as f64 / 2.0));
    let mut unordered: Vec<u64> = pool
        .imap_unordered_chunked(|x: u64| x + 1, 0..20_000u64, 1000)
        .map(Result::unwrap)
        .collect();
    unordered.sort_unstable();
    assert!(
        unordered
            .iter()
            .enumerate()
            .all(|(i, &v)| v == i as u64 + 1)
    );
    let bytes = pool
        .map(|x: u8| x.wrapping_add(1), (0..=255u8).cycle().take(70_000))
        .unwrap();
    assert!(
        bytes
            .iter()
            .enumerate()
            .all(|(i, &v)| v == ((i % 256) as u8).wrapping_add(1))
    );
}

/// A result whose serialization panics once part of it is written.
#[derive(Debug)]
struct PanicsHalfway(u32);

impl Serialize for PanicsHalfway {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = serializer.serialize_seq(Some(3))?;
        seq.serialize_element(&self.0)?;
        seq.serialize_element(&pattern(100_000))?;
        panic!("encoding {} panicked halfway", self.0)
    }
}

impl<'de> serde::Deserialize<'de> for PanicsHalfway {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        u32::deserialize(deserializer).map(PanicsHalfway)
    }
}

#[test]
fn a_panic_while_encoding_a_result_fails_that_task_only() {
    let pool = Pool::new(1).unwrap();
    let pid = pool.pids()[0];
    // A large result first, so the reply's buffers and the region are big.
    assert_eq!(pool.apply(pattern, 5 << 20).unwrap().len(), 5 << 20);
    let err = pool.apply(PanicsHalfway, 7).unwrap_err();
    assert!(err.is_panic(), "{err:?}");
    assert_eq!(
        err.panic().unwrap().message(),
        "encoding 7 panicked halfway"
    );
    // The same worker goes on, and nothing of the half-written result
    // leaks into the next reply.
    assert_eq!(pool.apply(same_bytes, vec![1, 2, 3]).unwrap(), [1, 2, 3]);
    assert_eq!(pool.apply(|x: u64| x + 1, 41).unwrap(), 42);
    assert_eq!(pool.pids(), [pid]);
}

/// Item 0 waits at the rendezvous until the test lets it go; the last
/// item tells the test it ran (the others have, on the other worker).
fn first_waits((i, last, hold_at, told_at): (u64, u64, String, String)) -> u64 {
    if i == 0 {
        support::hold(&hold_at);
    } else if i == last {
        support::signal(&told_at);
    }
    i * 10
}

#[test]
fn chunks_that_end_out_of_order_are_assembled_in_order() {
    let pool = Pool::new(2).unwrap();
    let (hold_at, told_at) = (support::Rendezvous::new(), support::Rendezvous::new());
    let n = 50u64;
    let items: Vec<_> = (0..n)
        .map(|i| (i, n - 1, hold_at.path(), told_at.path()))
        .collect();
    // Chunks of 7 (Python's default): item 0 holds the first chunk, and
    // the other worker runs the rest.
    let pending = pool.map_async(first_waits, items).unwrap();
    let first = hold_at.arrival();
    drop(told_at.arrival());
    first.release();
    let all = pending.get_timeout(support::BOUND).unwrap();
    assert_eq!(all, (0..n).map(|i| i * 10).collect::<Vec<_>>());
}
