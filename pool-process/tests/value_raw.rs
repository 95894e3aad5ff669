//! `RawValue` and `RawArray` (Python's `multiprocessing.RawValue` and
//! `RawArray`): shared memory with no lock. Processes that keep to their
//! own elements need none (each child fills its own block, and the parent
//! sees it all); `Value::without_lock`/`Array::without_lock` are the
//! same objects (Python's `lock=False` returns the raw object); indexes
//! and ranges out of bounds are errors, as Python's `IndexError`.

mod support;

use pool_process::{Array, Process, RawArray, RawValue, Value};
use support::BOUND;

const BLOCK: usize = 1000;

fn fill_block(a: RawArray<u64>, block: usize) {
    for i in block * BLOCK..(block + 1) * BLOCK {
        a.set(i, i as u64 * 3).unwrap();
    }
}

#[test]
fn children_fill_their_own_blocks_of_a_raw_array() {
    let a = RawArray::<u64>::zeroed(4 * BLOCK).unwrap();
    let children: Vec<Process> = (0..4)
        .map(|block| {
            let p = Process::new(fill_block, (a.clone(), block));
            p.start().unwrap();
            p
        })
        .collect();
    for p in &children {
        assert!(p.join_timeout(BOUND).unwrap());
        assert_eq!(p.exitcode(), Some(0));
    }
    let expected: Vec<u64> = (0..4 * BLOCK as u64).map(|i| i * 3).collect();
    assert_eq!(a.to_vec(), expected);
    assert_eq!(a.get_slice(BLOCK - 1..BLOCK + 1).unwrap(), [2997, 3000]);
}

fn add_one(v: RawValue<i64>) {
    v.set(v.get() + 1);
}

#[test]
fn a_raw_value_is_shared_with_a_child() {
    let v = RawValue::new(41i64).unwrap();
    let p = Process::new(add_one, (v.clone(),));
    p.start().unwrap();
    assert!(p.join_timeout(BOUND).unwrap());
    assert_eq!(v.get(), 42);
    assert_eq!(format!("{v:?}"), "RawValue(42)");
}

#[test]
fn without_lock_gives_the_raw_objects() {
    let v: RawValue<u8> = Value::without_lock(3).unwrap();
    assert_eq!(v.get(), 3);
    let a: RawArray<f32> = Array::without_lock([1.0, 2.0]).unwrap();
    assert_eq!(a.to_vec(), [1.0, 2.0]);
}

#[test]
fn raw_indexes_and_ranges_are_checked() {
    let a = RawArray::new([1u16, 2, 3]).unwrap();
    assert!(a.get(3).unwrap_err().is_index_out_of_range());
    assert!(a.set(7, 0).unwrap_err().is_index_out_of_range());
    let e = a.get_slice(1..4).unwrap_err();
    assert!(e.is_index_out_of_range());
    assert!(e.to_string().contains("1..4"), "{e}");
    assert!(a.set_slice(0..2, &[9]).unwrap_err().is_index_out_of_range());
    assert_eq!(a.to_vec(), [1, 2, 3], "a refused write changes nothing");
    let empty = RawArray::<u8>::zeroed(0).unwrap();
    assert!(empty.is_empty());
    assert_eq!(empty.get_slice(..).unwrap(), Vec::<u8>::new());
}

/// Odd-sized elements: writes into part of a word keep its other bytes,
/// even when neighbouring elements are written by other processes.
fn set_odd(a: RawArray<[u8; 3]>, parity: usize) {
    for round in 0..200u8 {
        for i in (parity..a.len()).step_by(2) {
            a.set(i, [round, i as u8, parity as u8]).unwrap();
        }
    }
}

#[test]
fn concurrent_writers_of_neighbouring_small_elements_lose_nothing() {
    let a = RawArray::<[u8; 3]>::zeroed(40).unwrap();
    let children: Vec<Process> = (0..2)
        .map(|parity| {
            let p = Process::new(set_odd, (a.clone(), parity));
            p.start().unwrap();
            p
        })
        .collect();
    for p in &children {
        assert!(p.join_timeout(BOUND).unwrap());
        assert_eq!(p.exitcode(), Some(0));
    }
    for (i, element) in a.to_vec().into_iter().enumerate() {
        assert_eq!(element, [199, i as u8, (i % 2) as u8], "element {i}");
    }
}
