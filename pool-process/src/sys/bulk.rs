//! Large vectors of plain numbers, the bulk of big transfers: viewed as
//! the same type once their `TypeId`s agree, and filled from the shared
//! region with one copy into memory that asks for huge pages.
//!
//! A fresh allocation of many megabytes (past glibc's mmap threshold,
//! 32 MiB at most) is new memory every time, faulted in page by page on
//! first write: 4 KiB at a time, that is one fault per 4 KiB copied.
//! Transparent huge pages (`MADV_HUGEPAGE`, which the kernel honours in
//! its default `madvise` mode) cut that to one fault per 2 MiB.

use std::any::TypeId;

use bytemuck::Pod;
use rustix::mm::{Advice, madvise};

use super::lend::Lent;

/// Vectors of at least this many bytes ask for huge pages.
pub(crate) const HUGE_FROM: usize = 4 << 20;

/// The size of a transparent huge page on x86-64 and (4 KiB-page) arm64.
const HUGE_PAGE: usize = 2 << 20;

/// `items` as a slice of `U`, when `T` is `U`.
pub(crate) fn same_slice<T: 'static, U: 'static>(items: &[T]) -> Option<&[U]> {
    if TypeId::of::<T>() != TypeId::of::<U>() {
        return None;
    }
    // SAFETY: `T` and `U` are the same type (equal `TypeId`s), so the
    // pointer, length and lifetime describe a valid `[U]`.
    Some(unsafe { std::slice::from_raw_parts(items.as_ptr().cast::<U>(), items.len()) })
}

/// Where the bytes of a bulk value come from: the shared region, or a
/// worker's memory (a [`Lent`] reply).
pub(crate) trait Source {
    fn len(&self) -> usize;

    /// Copies all [`len`](Source::len) bytes to `dst`.
    ///
    /// # Safety
    ///
    /// `dst` must be valid for writes of `len()` bytes and overlap no
    /// source byte.
    unsafe fn copy_to(&self, dst: *mut u8) -> Result<(), String>;
}

impl Source for [u8] {
    fn len(&self) -> usize {
        <[u8]>::len(self)
    }

    unsafe fn copy_to(&self, dst: *mut u8) -> Result<(), String> {
        // SAFETY: the caller's contract: `dst` has room for our bytes and
        // overlaps none of them; a byte copy needs no alignment.
        unsafe { std::ptr::copy_nonoverlapping(self.as_ptr(), dst, self.len()) };
        Ok(())
    }
}

impl Source for Lent {
    fn len(&self) -> usize {
        self.len
    }

    unsafe fn copy_to(&self, dst: *mut u8) -> Result<(), String> {
        // SAFETY: the caller's contract is `Lent::copy_to`'s.
        unsafe { Lent::copy_to(self, dst) }.map_err(|error| self.failed(&error))
    }
}

/// A vector of the `T`s whose bytes (in this machine's order) `source`
/// holds, copied once; `None` when it does not hold whole `T`s, `Some(Err)`
/// when they could not be read.
pub(crate) fn vec_from_source<T: Pod>(
    source: &(impl Source + ?Sized),
) -> Option<Result<Vec<T>, String>> {
    let size = size_of::<T>();
    let len = source.len();
    if size == 0 || !len.is_multiple_of(size) {
        return None;
    }
    let count = len / size;
    let mut items: Vec<T> = Vec::with_capacity(count);
    advise_huge(items.as_mut_ptr().cast(), len);
    // SAFETY: the vector's buffer has room for `count` `T`s, that is `len`
    // bytes, and is a fresh allocation, so it overlaps no source byte.
    if let Err(error) = unsafe { source.copy_to(items.as_mut_ptr().cast::<u8>()) } {
        return Some(Err(error));
    }
    // SAFETY: the first `count` elements were just written, and any bytes
    // are a valid `T` (`Pod`).
    unsafe { items.set_len(count) };
    Some(Ok(items))
}

/// An empty vector with room for `count` `T`s, in huge pages when that is
/// at least [`HUGE_FROM`] bytes (a large result being assembled).
pub(crate) fn with_capacity<T>(count: usize) -> Vec<T> {
    let mut items: Vec<T> = Vec::with_capacity(count);
    advise_huge(
        items.as_mut_ptr().cast(),
        count.saturating_mul(size_of::<T>()),
    );
    items
}

/// Asks for huge pages for the whole 2 MiB pages inside `len` bytes from
/// `start`, when `len` is at least [`HUGE_FROM`]. Best effort: only a hint.
fn advise_huge(start: *mut u8, len: usize) {
    if len < HUGE_FROM {
        return;
    }
    let first = (start as usize).next_multiple_of(HUGE_PAGE);
    let end = (start as usize + len) / HUGE_PAGE * HUGE_PAGE;
    if end <= first {
        return;
    }
    // SAFETY: the range lies inside an allocation of ours (the caller's
    // `len` bytes from `start`), and the advice changes how its pages are
    // backed, never their contents or its mapping.
    let _ = unsafe {
        madvise(
            start.wrapping_add(first - start as usize).cast(),
            end - first,
            Advice::LinuxHugepage,
        )
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_type_views_and_another_does_not() {
        let items = [1u64, 2, 3];
        assert_eq!(same_slice::<u64, u64>(&items), Some(&items[..]));
        assert_eq!(same_slice::<u64, i64>(&items), None);
        assert_eq!(same_slice::<u64, u8>(&items), None);
    }

    #[test]
    fn bytes_become_numbers_with_one_copy() {
        let values = [1.5f64, -2.0, f64::MAX];
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_ne_bytes()).collect();
        // Unaligned, as a body behind a one-byte tag is.
        let mut shifted = vec![9u8];
        shifted.extend_from_slice(&bytes);
        assert_eq!(
            vec_from_source::<f64>(&shifted[1..]).unwrap().unwrap(),
            values
        );
        assert_eq!(vec_from_source::<u32>(&[1u8, 2, 3][..]), None);
        assert_eq!(
            vec_from_source::<u16>(&[][..]).unwrap().unwrap(),
            Vec::<u16>::new()
        );
        assert_eq!(vec_from_source::<()>(&[][..]), None);
    }

    #[test]
    fn a_huge_capacity_is_usable() {
        let mut items = with_capacity::<u64>(HUGE_FROM / 8 + 3);
        assert!(items.capacity() >= HUGE_FROM / 8 + 3);
        items.extend(0..HUGE_FROM as u64 / 8 + 3);
        assert_eq!(items[HUGE_FROM / 8 + 2], HUGE_FROM as u64 / 8 + 2);
        assert!(with_capacity::<u8>(0).is_empty());
    }

    #[test]
    fn a_huge_vector_is_copied_whole() {
        // Past `HUGE_FROM`, so the advice is taken (and not at a 2 MiB
        // boundary, most likely).
        let bytes: Vec<u8> = (0..HUGE_FROM + 4099).map(|i| (i % 251) as u8).collect();
        let copied = vec_from_source::<u8>(&bytes[..]).unwrap().unwrap();
        assert_eq!(copied, bytes);
    }
}
