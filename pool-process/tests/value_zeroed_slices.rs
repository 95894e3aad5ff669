//! `Array::zeroed(len)` (Python's `Array(typecode, len)`) and slice
//! reads and writes (`a[start:stop]`, `a[start:stop] = values`), under
//! one holding of the lock, across processes. As CPython: a slice write
//! needs exactly as many values as the slice has elements (`ValueError`
//! there); unlike CPython, which clamps a slice past the end, a range
//! outside the array is an `IndexOutOfRange` error (see the api-map).

mod support;

use pool_process::{Array, Process};
use support::BOUND;

fn write_row(a: Array<f64>, row: usize, width: usize) {
    let values: Vec<f64> = (0..width).map(|c| (row * 10 + c) as f64).collect();
    a.set_slice(row * width..(row + 1) * width, &values)
        .unwrap();
}

#[test]
fn children_write_rows_of_a_zeroed_array_as_slices() {
    let (rows, width) = (3, 4);
    let a = Array::<f64>::zeroed(rows * width).unwrap();
    assert_eq!(a.to_vec(), vec![0.0; rows * width], "zeroed, as Python's");
    let children: Vec<Process> = (0..rows)
        .map(|row| {
            let p = Process::new(write_row, (a.clone(), row, width));
            p.start().unwrap();
            p
        })
        .collect();
    for p in &children {
        assert!(p.join_timeout(BOUND).unwrap());
        assert_eq!(p.exitcode(), Some(0));
    }
    for row in 0..rows {
        let expected: Vec<f64> = (0..width).map(|c| (row * 10 + c) as f64).collect();
        assert_eq!(
            a.get_slice(row * width..(row + 1) * width).unwrap(),
            expected
        );
    }
}

#[test]
fn slices_take_every_range_form() {
    let a = Array::new(0u8..10).unwrap();
    assert_eq!(a.get_slice(..).unwrap(), (0..10).collect::<Vec<u8>>());
    assert_eq!(a.get_slice(..3).unwrap(), [0, 1, 2]);
    assert_eq!(a.get_slice(8..).unwrap(), [8, 9]);
    assert_eq!(a.get_slice(2..=3).unwrap(), [2, 3]);
    assert_eq!(a.get_slice(5..5).unwrap(), Vec::<u8>::new());
    a.set_slice(..2, &[20, 21]).unwrap();
    a.set_slice(9.., &[29]).unwrap();
    assert_eq!(a.get(0).unwrap(), 20);
    assert_eq!(a.get(9).unwrap(), 29);
    let g = a.get_lock();
    g.set_slice(3..5, &[33, 34]).unwrap();
    assert_eq!(g.get_slice(2..6).unwrap(), [2, 33, 34, 5]);
}

#[test]
fn bad_slices_are_index_errors_and_change_nothing() {
    let a = Array::new([1i32, 2, 3]).unwrap();
    for error in [
        a.get_slice(0..4).unwrap_err(),
        a.get_slice(3..4).unwrap_err(),
        #[allow(clippy::reversed_empty_ranges)]
        a.get_slice(2..1).unwrap_err(),
        a.set_slice(0..3, &[1, 2]).unwrap_err(),
        a.set_slice(0..1, &[1, 2]).unwrap_err(),
        a.set_slice(2..5, &[1, 2, 3]).unwrap_err(),
    ] {
        assert!(error.is_index_out_of_range(), "{error:?}");
    }
    let e = a.set_slice(0..3, &[1, 2]).unwrap_err();
    assert!(e.to_string().contains("2 values for range 0..3"), "{e}");
    assert_eq!(a.to_vec(), [1, 2, 3]);
    assert!(a.get_lock().get_slice(..9).is_err());
}

#[test]
fn a_huge_zeroed_array_is_a_clear_error() {
    let e = Array::<u64>::zeroed(usize::MAX / 4).unwrap_err();
    assert!(e.to_string().contains("too many"), "{e}");
    let e = Array::<u8>::zeroed(1 << 50).unwrap_err();
    assert!(e.is_shared_memory(), "{e:?}");
}

#[test]
fn long_slices_at_any_offset_copy_exactly() {
    // Long copies go by whole words, in chunks; the ends by parts of
    // words. Check every start and end shape against a plain Vec.
    let len = 2000;
    let a = Array::<u8>::zeroed(len).unwrap();
    let mut model = vec![0u8; len];
    for (n, (start, end)) in [
        (0, len),
        (3, 1500),
        (8, 1032),
        (13, 14),
        (1, 1999),
        (517, 1600),
    ]
    .into_iter()
    .enumerate()
    {
        let values: Vec<u8> = (start..end).map(|i| (i * 7 + n) as u8).collect();
        a.set_slice(start..end, &values).unwrap();
        model[start..end].copy_from_slice(&values);
        assert_eq!(a.to_vec(), model, "after writing {start}..{end}");
        assert_eq!(a.get_slice(start..end).unwrap(), values);
        assert_eq!(a.get_slice(start / 2..end).unwrap(), model[start / 2..end]);
    }
}
