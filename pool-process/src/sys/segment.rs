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

use rustix::fs::{MemfdFlags, SealFlags, fcntl_add_seals, fstat, ftruncate, memfd_create};
use rustix::mm::{MapFlags, ProtFlags, mmap, munmap};

/// Types a segment may lend as a typed view: `#[repr(C)]` layouts made of
/// atomics only. Declare one with [`shared_layout!`], which checks every
/// field and implements this trait.
///
/// # Safety
///
/// Every bit pattern (all zeros, or whatever another process wrote) must
/// be a valid value, the layout must not depend on the compiler (`repr(C)`
/// or a primitive), and every change must go through atomic operations
/// on `&Self`, so concurrent access from several processes is no data race.
pub(crate) unsafe trait SharedLayout: Sync {}

// SAFETY: any 32 bits are a valid `AtomicU32`; it is mutated atomically.
unsafe impl SharedLayout for AtomicU32 {}
// SAFETY: any 64 bits are a valid `AtomicU64`; it is mutated atomically.
unsafe impl SharedLayout for AtomicU64 {}
// SAFETY: an array has its element's layout repeated, with no padding.
unsafe impl<T: SharedLayout, const N: usize> SharedLayout for [T; N] {}

/// Declares a `#[repr(C)]` struct of atomics that a [`Segment`] can lend
/// with [`Segment::header`]; each field's type must be a `SharedLayout`
/// (checked at compile time).
macro_rules! shared_layout {
    ($(#[$meta:meta])* $vis:vis struct $name:ident {
        $($(#[$fmeta:meta])* $fvis:vis $field:ident : $ty:ty),* $(,)?
    }) => {
        $(#[$meta])*
        #[repr(C)]
        $vis struct $name {
            $($(#[$fmeta])* $fvis $field: $ty),*
        }

        const _: () = {
            const fn shared<T: $crate::sys::segment::SharedLayout + ?Sized>() {}
            $(shared::<$ty>();)*
        };

        #[allow(unsafe_code)] // the one unsafe impl, checked field by field above
        // SAFETY: `repr(C)` and every field is a `SharedLayout` (checked
        // above), so any bit pattern is valid and every change is atomic;
        // padding bytes between fields may hold anything.
        unsafe impl $crate::sys::segment::SharedLayout for $name {}
    };
}
pub(crate) use shared_layout;

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
        Segment::map(memfd(name, len)?)
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

    /// The segment's first bytes as a `T` (a [`SharedLayout`], such as a
    /// struct declared with [`shared_layout!`]).
    /// Panics if `T` does not fit or needs more than page alignment.
    pub(crate) fn header<T: SharedLayout>(&self) -> &T {
        self.view_at(0)
    }

    /// The bytes at `offset` as a `T`. Panics if `T` does not fit there or
    /// `offset` is not aligned for it.
    pub(crate) fn view_at<T: SharedLayout>(&self, offset: usize) -> &T {
        const {
            assert!(
                align_of::<T>() <= 4096,
                "a shared layout needs at most page alignment"
            )
        };
        assert!(
            offset.is_multiple_of(align_of::<T>())
                && offset <= self.len
                && size_of::<T>() <= self.len - offset,
            "a view outside the segment"
        );
        let view = self.ptr.as_ptr().wrapping_add(offset).cast::<T>();
        // SAFETY: in bounds and aligned (the mapping is page-aligned and
        // `offset` a multiple of `T`'s alignment, both checked above); any
        // bit pattern is a valid `T` and it changes only atomically (the
        // `SharedLayout` contract); the mapping lives as long as `self`.
        unsafe { &*view }
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

/// A new zero-filled memfd of `len` bytes, sealed against shrinking: no
/// process holding it can cut the file under another's mapping, which
/// would make that process's next access a `SIGBUS`. It can still grow.
pub(super) fn memfd(name: &str, len: usize) -> io::Result<OwnedFd> {
    let fd = memfd_create(name, MemfdFlags::CLOEXEC | MemfdFlags::ALLOW_SEALING)?;
    ftruncate(&fd, len as u64)?;
    fcntl_add_seals(&fd, SealFlags::SHRINK)?;
    Ok(fd)
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
        a.view_at::<AtomicU32>(0).store(7, SeqCst);
        assert_eq!(b.view_at::<AtomicU32>(0).load(SeqCst), 7);
        a.view_at::<AtomicU64>(8).store(u64::MAX, SeqCst);
        assert_eq!(b.view_at::<AtomicU64>(8).load(SeqCst), u64::MAX);
        a.write(4000, b"hello");
        let mut out = [0u8; 5];
        b.read(4000, &mut out);
        assert_eq!(&out, b"hello");
    }

    shared_layout! {
        struct TestHeader {
            lock: AtomicU32,
            count: AtomicU64,
            slots: [AtomicU32; 3],
        }
    }

    #[test]
    fn a_typed_header_is_shared_between_mappings() {
        let a = Segment::create("poolrt-test", 64).unwrap();
        let b = Segment::adopt(a.as_fd().try_clone_to_owned().unwrap()).unwrap();
        a.header::<TestHeader>().count.store(5, SeqCst);
        a.header::<TestHeader>().slots[2].store(9, SeqCst);
        assert_eq!(b.header::<TestHeader>().count.load(SeqCst), 5);
        assert_eq!(b.view_at::<AtomicU64>(8).load(SeqCst), 5);
        assert_eq!(b.header::<TestHeader>().slots[2].load(SeqCst), 9);
        assert_eq!(b.header::<TestHeader>().lock.load(SeqCst), 0);
    }

    #[test]
    #[should_panic(expected = "outside the segment")]
    fn a_view_that_does_not_fit_is_refused() {
        Segment::create("poolrt-test", 16)
            .unwrap()
            .header::<TestHeader>();
    }

    #[test]
    fn a_segment_cannot_shrink_but_its_memfd_can_grow() {
        let segment = Segment::create("poolrt-test", 4096).unwrap();
        let error = ftruncate(segment.as_fd(), 0).unwrap_err();
        assert_eq!(error, rustix::io::Errno::PERM);
        let error = ftruncate(segment.as_fd(), 4095).unwrap_err();
        assert_eq!(error, rustix::io::Errno::PERM);
        ftruncate(segment.as_fd(), 8192).unwrap();
        assert_eq!(fstat(segment.as_fd()).unwrap().st_size, 8192);
    }

    #[test]
    #[should_panic(expected = "outside the segment")]
    fn out_of_bounds_writes_are_refused() {
        Segment::create("poolrt-test", 64)
            .unwrap()
            .write(60, b"hello");
    }
}
