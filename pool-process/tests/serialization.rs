//! Values that cannot cross: an argument that cannot be serialized is an
//! error at submit naming the argument; a result that cannot be serialized
//! in the worker, or deserialized in the parent, fails that task only.

mod support;

use pool_core::ErrorKind;
use pool_process::{Pool, ProcessPoolExecutor};
use serde::de::Error as _;
use serde::ser::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use support::worker_pid;

/// Serializing it always fails.
#[derive(Debug, Deserialize)]
struct Unserializable(u32);

impl Serialize for Unserializable {
    fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(S::Error::custom("Unserializable refuses to be serialized"))
    }
}

/// Serializes fine; deserializing it always fails.
#[derive(Debug, Serialize)]
struct Undeserializable(u32);

impl<'de> Deserialize<'de> for Undeserializable {
    fn deserialize<D: Deserializer<'de>>(_: D) -> Result<Self, D::Error> {
        Err(D::Error::custom(
            "Undeserializable refuses to be deserialized",
        ))
    }
}

/// Serializing it panics (instead of returning an error).
#[derive(Debug, Deserialize)]
struct PanicsWhenSerialized(u32);

impl Serialize for PanicsWhenSerialized {
    fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        panic!("serializing {} panicked", self.0)
    }
}

/// Deserializing it panics.
#[derive(Debug, Serialize)]
struct PanicsWhenDeserialized(u32);

impl<'de> Deserialize<'de> for PanicsWhenDeserialized {
    fn deserialize<D: Deserializer<'de>>(_: D) -> Result<Self, D::Error> {
        panic!("deserializing panicked")
    }
}

fn make_unserializable(n: u32) -> Unserializable {
    Unserializable(n)
}

fn make_undeserializable(n: u32) -> Undeserializable {
    Undeserializable(n)
}

fn take_unserializable(u: Unserializable) -> u32 {
    u.0
}

fn take_undeserializable(u: Undeserializable) -> u32 {
    u.0
}

#[test]
fn an_argument_that_cannot_be_serialized_is_an_error_at_submit() {
    let pool = Pool::new(1).unwrap();
    let err = pool
        .apply_async(take_unserializable, Unserializable(1))
        .expect_err("refused at submit");
    assert_eq!(err.kind(), ErrorKind::Serialize);
    let detail = err.detail().expect("a detail");
    assert!(detail.contains("argument"), "{detail}");
    assert!(detail.contains("Unserializable"), "{detail}");
    assert_eq!(
        pool.apply(take_unserializable, Unserializable(2))
            .unwrap_err()
            .kind(),
        ErrorKind::Serialize
    );
    let executor = ProcessPoolExecutor::new(1).unwrap();
    let err = executor
        .submit(take_unserializable, Unserializable(3))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Serialize);
    assert!(err.detail().unwrap().contains("argument"), "{err}");
    assert_eq!(pool.apply(|x: u8| x + 1, 1).unwrap(), 2, "the pool is fine");
}

#[test]
fn a_map_item_that_cannot_be_serialized_is_an_error_at_submit() {
    let pool = Pool::new(1).unwrap();
    let items = (0..4).map(Unserializable);
    let err = pool
        .map_async(take_unserializable, items)
        .expect_err("refused at submit");
    assert_eq!(err.kind(), ErrorKind::Serialize);
    assert!(err.detail().unwrap().contains("items"), "{err}");
}

#[test]
fn a_result_that_cannot_be_serialized_fails_that_task_only() {
    let pool = Pool::new(1).unwrap();
    let before = pool.apply(worker_pid, ()).unwrap();
    let result = pool.apply_async(make_unserializable, 1).unwrap();
    let err = result.get().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Serialize);
    let detail = err.detail().unwrap();
    assert!(detail.contains("result"), "{detail}");
    assert!(detail.contains("Unserializable"), "{detail}");
    assert!(
        detail.contains(&before.to_string()),
        "{detail} names the worker"
    );
    assert_eq!(pool.apply(|x: u32| x * 2, 21).unwrap(), 42);
    assert_eq!(pool.apply(worker_pid, ()).unwrap(), before, "same worker");
}

#[test]
fn a_result_that_cannot_be_deserialized_fails_that_task_only() {
    let pool = Pool::new(1).unwrap();
    let before = pool.apply(worker_pid, ()).unwrap();
    let err = pool.apply(make_undeserializable, 1).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Deserialize);
    let detail = err.detail().unwrap();
    assert!(detail.contains("result"), "{detail}");
    assert!(detail.contains("Undeserializable"), "{detail}");
    // The type's own message is kept as the cause.
    let cause = std::error::Error::source(&err)
        .expect("a cause")
        .to_string();
    assert!(cause.contains("refuses to be deserialized"), "{cause}");
    assert_eq!(pool.apply(|x: u32| x * 2, 21).unwrap(), 42);
    assert_eq!(pool.apply(worker_pid, ()).unwrap(), before, "same worker");
}

#[test]
fn an_argument_that_cannot_be_deserialized_in_the_worker_fails_that_task_only() {
    let pool = Pool::new(1).unwrap();
    let before = pool.apply(worker_pid, ()).unwrap();
    let err = pool
        .apply(take_undeserializable, Undeserializable(5))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Deserialize);
    let detail = err.detail().unwrap();
    assert!(detail.contains("argument"), "{detail}");
    assert_eq!(pool.apply(worker_pid, ()).unwrap(), before, "same worker");
}

#[test]
fn in_a_map_a_result_that_cannot_cross_fails_the_map_and_the_pool_goes_on() {
    let pool = Pool::new(2).unwrap();
    let err = pool.map_chunked(make_unserializable, 0..10, 3).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Serialize);
    let err = pool
        .map_chunked(make_undeserializable, 0..10, 3)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Deserialize);
    let imap: Vec<_> = pool.imap_chunked(make_undeserializable, 0..4, 2).collect();
    assert_eq!(imap.len(), 4, "one error per item");
    assert!(
        imap.iter()
            .all(|r| r.as_ref().unwrap_err().kind() == ErrorKind::Deserialize)
    );
    assert_eq!(pool.map(|x: u32| x + 1, 0..4).unwrap(), [1, 2, 3, 4]);
}

#[test]
fn large_values_cross_both_ways() {
    let pool = Pool::new(1).unwrap();
    let big: Vec<u8> = (0..8 << 20).map(|i: u32| (i % 251) as u8).collect();
    let sum = pool
        .apply(
            |v: Vec<u8>| v.iter().map(|&b| u64::from(b)).sum::<u64>(),
            big.clone(),
        )
        .unwrap();
    assert_eq!(sum, big.iter().map(|&b| u64::from(b)).sum::<u64>());
    let back = pool.apply(|n: usize| vec![7u64; n], 1 << 20).unwrap();
    assert_eq!(back.len(), 1 << 20);
    assert!(back.iter().all(|&x| x == 7));
    let text = pool.apply(|n: usize| "é".repeat(n), 100_000).unwrap();
    assert_eq!(text.chars().count(), 100_000);
}

/// Regression: the worker decoded arguments and encoded results outside
/// `catch_unwind`, so a serde impl that panicked there aborted the worker
/// (SIGABRT): the task failed as a lost worker and the worker was replaced.
#[test]
fn a_serde_impl_that_panics_in_the_worker_fails_that_task_only() {
    let pool = Pool::new(1).unwrap();
    let before = pool.apply(worker_pid, ()).unwrap();
    let err = pool.apply(|n: u32| PanicsWhenSerialized(n), 4).unwrap_err();
    assert!(err.is_panic(), "{err:?}");
    assert_eq!(err.panic().unwrap().message(), "serializing 4 panicked");
    let err = pool
        .apply(|x: PanicsWhenDeserialized| x.0, PanicsWhenDeserialized(1))
        .unwrap_err();
    assert!(err.is_panic(), "{err:?}");
    assert_eq!(err.panic().unwrap().message(), "deserializing panicked");
    let err = pool
        .map_chunked(|n: u32| PanicsWhenSerialized(n), 0..6, 3)
        .unwrap_err();
    assert!(err.is_panic(), "{err:?}");
    let err = pool
        .map_chunked(
            |x: PanicsWhenDeserialized| x.0,
            (0..6).map(PanicsWhenDeserialized),
            3,
        )
        .unwrap_err();
    assert!(err.is_panic(), "{err:?}");
    assert_eq!(pool.apply(worker_pid, ()).unwrap(), before, "same worker");
}

#[test]
fn a_result_whose_deserialize_panics_in_the_parent_fails_that_task_only() {
    let pool = Pool::new(1).unwrap();
    let before = pool.apply(worker_pid, ()).unwrap();
    let err = pool
        .apply(|n: u32| PanicsWhenDeserialized(n), 1)
        .unwrap_err();
    assert!(err.is_panic(), "{err:?}");
    assert_eq!(err.panic().unwrap().message(), "deserializing panicked");
    assert_eq!(pool.apply(worker_pid, ()).unwrap(), before, "same worker");
}
