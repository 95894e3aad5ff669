//! A fixed-size memfd mapping shared by every process that holds its
//! descriptor: the memory behind [`Lock`](crate::Lock),
//! [`Queue`](crate::Queue), [`Value`](crate::Value) and
//! [`Array`](crate::Array).
//!
//! The segment hands out its words as atomics and copies bytes in and
//! out; it never lends a reference to plain bytes, so another process
//! writing the memory can never break a Rust aliasing rule of this one.
//! Which bytes a process may touch when is the business of the objects
//! built on it (they guard their data with a futex lock in the segment).

use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, AtomicU64};

use rustix::fs::{MemfdFlags, fstat, ftruncate, memfd_create};
use rustix::mm::{MapFlags, ProtFlags, mmap, munmap};

/// A shared mapping of one memfd, of a size fixed at creation.
pub(crate) struct Segment {
    fd: OwnedFd,
    ptr: NonNull<u8>,
    len: usize,
}

// SAFETY: the mapping is process memory like a heap allocation; it is only
// reached through atomics and bounds-checked byte copies, which are sound
// from any thread.
unsafe impl Send for Segment {}
// SAFETY: as above; `&Segment` gives only atomic access and copies.
unsafe impl Sync for Segment {}

impl Segment {
    /// A new zero-filled segment of `len` bytes, named `name` in
    /// `/proc/<pid>/fd`.
    pub(crate) fn create(name: &str, len: usize) -> io::Result<Segment> {
        let fd = memfd_create(name, MemfdFlags::CLOEXEC)?;
        ftruncate(&fd, len as u64)?;
        Segment::map(fd)
    }

    /// Maps a segment another process created (its descriptor was
    /// inherited), at the size its file has.
    pub(crate) fn adopt(fd: OwnedFd) -> io::Result<Segment> {
        Segment::map(fd)
    }

    fn map(fd: OwnedFd) -> io::Result<Segment> {
        let len = fstat(&fd)?.st_size as usize;
        if len == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "an empty shared segment",
            ));
        }
        let ptr = map_shared(&fd, len)?;
        Ok(Segment { fd, ptr, len })
    }

    /// The segment's size in bytes.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The 32-bit word at `offset` (a multiple of 4).
    pub(crate) fn u32_at(&self, offset: usize) -> &AtomicU32 {
        assert!(
            offset.is_multiple_of(4) && offset + 4 <= self.len,
            "word outside the segment"
        );
        let word = self.ptr.as_ptr().wrapping_add(offset).cast::<AtomicU32>();
        // SAFETY: in bounds and aligned (the mapping is page-aligned and
        // `offset` a multiple of 4, both checked above); any bit pattern
        // is a valid `AtomicU32`, and the mapping lives as long as `self`.
        unsafe { &*word }
    }

    /// The 64-bit word at `offset` (a multiple of 8).
    pub(crate) fn u64_at(&self, offset: usize) -> &AtomicU64 {
        assert!(
            offset.is_multiple_of(8) && offset + 8 <= self.len,
            "word outside the segment"
        );
        let word = self.ptr.as_ptr().wrapping_add(offset).cast::<AtomicU64>();
        // SAFETY: as for `u32_at`, with 8-byte alignment.
        unsafe { &*word }
    }

    /// Copies `bytes` into the segment at `offset`.
    pub(crate) fn write(&self, offset: usize, bytes: &[u8]) {
        assert!(
            offset <= self.len && bytes.len() <= self.len - offset,
            "write outside the segment"
        );
        let destination = self.ptr.as_ptr().wrapping_add(offset);
        // SAFETY: the destination lies inside the mapping (checked above)
        // and cannot overlap `bytes`, a Rust object outside it. No Rust
        // reference to these bytes exists: the segment lends none.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), destination, bytes.len()) };
    }

    /// Copies bytes from the segment at `offset` into `out`.
    pub(crate) fn read(&self, offset: usize, out: &mut [u8]) {
        assert!(
            offset <= self.len && out.len() <= self.len - offset,
            "read outside the segment"
        );
        let source = self.ptr.as_ptr().wrapping_add(offset);
        // SAFETY: the source lies inside the mapping (checked above) and
        // cannot overlap `out`, a Rust object outside it.
        unsafe { std::ptr::copy_nonoverlapping(source, out.as_mut_ptr(), out.len()) };
    }
}

/// Maps `len` bytes of `fd` shared and writable, at an address the kernel
/// picks (for segments and for the mailbox's region).
pub(super) fn map_shared(fd: &OwnedFd, len: usize) -> io::Result<NonNull<u8>> {
    // SAFETY: a fresh shared mapping of `len` bytes of the file at an
    // address the kernel picks; it aliases no Rust object.
    let ptr = unsafe {
        mmap(
            std::ptr::null_mut(),
            len,
            ProtFlags::READ | ProtFlags::WRITE,
            MapFlags::SHARED,
            fd,
            0,
        )?
    };
    Ok(NonNull::new(ptr.cast::<u8>()).expect("mmap never returns null on success"))
}

impl AsFd for Segment {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl Drop for Segment {
    fn drop(&mut self) {
        // SAFETY: our own mapping, unmapped once; the atomics it lent
        // borrow `self`, so none outlives it.
        let _ = unsafe { munmap(self.ptr.as_ptr().cast(), self.len) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::Ordering::SeqCst;

    #[test]
    fn two_mappings_of_one_segment_see_each_other() {
        let a = Segment::create("poolrt-test", 4096).unwrap();
        let b = Segment::adopt(a.as_fd().try_clone_to_owned().unwrap()).unwrap();
        assert_eq!(b.len(), 4096);
        a.u32_at(0).store(7, SeqCst);
        assert_eq!(b.u32_at(0).load(SeqCst), 7);
        a.u64_at(8).store(u64::MAX, SeqCst);
        assert_eq!(b.u64_at(8).load(SeqCst), u64::MAX);
        a.write(4000, b"hello");
        let mut out = [0u8; 5];
        b.read(4000, &mut out);
        assert_eq!(&out, b"hello");
    }

    #[test]
    #[should_panic(expected = "outside the segment")]
    fn out_of_bounds_writes_are_refused() {
        Segment::create("poolrt-test", 64)
            .unwrap()
            .write(60, b"hello");
    }
}
