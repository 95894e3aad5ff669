//! A memfd-backed memory region mapped by the parent and one child.
//!
//! The first page is a [`Header`] of atomics; the rest is the data area the
//! mailbox protocol (`mailbox.rs`) hands back and forth. The region can
//! grow: the sender of a large message enlarges the file and its own
//! mapping, records the new capacity in the header, and the receiver remaps
//! when it sees it. It never shrinks (the memfd is sealed against it),
//! but the pages of a large message go back to the kernel afterwards:
//! [`Region::release_above`] punches a hole in the data area.

use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, AtomicU64};

use rustix::fs::{FallocateFlags, fallocate, fstat, ftruncate};
use rustix::mm::{MremapFlags, mremap, munmap};

/// Bytes before the data area: one page for the header.
pub(crate) const HEADER_BYTES: usize = 4096;

/// Written first by the creator; checked by the child.
pub(crate) const MAGIC: u64 = u64::from_le_bytes(*b"POOLRT01");

/// Counters shared by the two processes. Each side writes only its own
/// slot of `seq`, `len` and `waiting`; index 0 is the parent, 1 the child.
#[repr(C, align(64))]
pub(crate) struct Header {
    pub(crate) magic: AtomicU64,
    /// Data-area size in bytes, set by whoever last grew the region.
    pub(crate) capacity: AtomicU64,
    _pad0: [u64; 6],
    /// Messages sent by each side (cache-line apart: each side spins on
    /// the other's).
    pub(crate) seq: [PaddedSeq; 2],
    /// Length of each side's last message.
    pub(crate) len: [AtomicU64; 2],
    _pad1: [u64; 6],
    /// Non-zero while a side is blocked on the socket waiting for a message.
    pub(crate) waiting: [AtomicU32; 2],
    /// Lent replies the parent has read (`lend.rs`); a futex word the
    /// lending child waits on.
    pub(crate) taken: AtomicU32,
}

/// A cache-line-sized sequence counter.
#[repr(C, align(64))]
pub(crate) struct PaddedSeq {
    pub(crate) value: AtomicU64,
}

// The layout both processes agree on, whatever the compiler: fixed
// offsets, one cache line per group, all within the header page.
const _: () = {
    use std::mem::offset_of;
    assert!(size_of::<PaddedSeq>() == 64 && align_of::<PaddedSeq>() == 64);
    assert!(offset_of!(Header, magic) == 0);
    assert!(offset_of!(Header, capacity) == 8);
    assert!(offset_of!(Header, seq) == 64);
    assert!(offset_of!(Header, len) == 192);
    assert!(offset_of!(Header, waiting) == 256);
    assert!(offset_of!(Header, taken) == 264);
    assert!(size_of::<Header>() == 320);
    assert!(size_of::<Header>() <= HEADER_BYTES);
};

/// The mapping of the region in this process.
pub(crate) struct Region {
    fd: OwnedFd,
    ptr: NonNull<u8>,
    mapped: usize,
}

// SAFETY: the mapping is process memory like any heap allocation; the raw
// pointer is only dereferenced through `Region`'s methods, whose callers
// follow the mailbox protocol.
unsafe impl Send for Region {}

impl Region {
    /// Creates a region with `capacity` bytes of data area (zeroed).
    pub(crate) fn create(capacity: usize) -> io::Result<Region> {
        // Sealed against shrinking only: `grow` must still work.
        let fd = super::segment::memfd("poolrt-link", HEADER_BYTES + capacity)?;
        let region = Region::map(fd)?;
        region
            .header()
            .magic
            .store(MAGIC, std::sync::atomic::Ordering::Relaxed);
        region
            .header()
            .capacity
            .store(capacity as u64, std::sync::atomic::Ordering::Release);
        Ok(region)
    }

    /// Maps a region created by the parent (the child's side).
    pub(crate) fn adopt(fd: OwnedFd) -> io::Result<Region> {
        let region = Region::map(fd)?;
        if region
            .header()
            .magic
            .load(std::sync::atomic::Ordering::Acquire)
            != MAGIC
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "not a poolrt region",
            ));
        }
        Ok(region)
    }

    fn map(fd: OwnedFd) -> io::Result<Region> {
        let len = fstat(&fd)?.st_size as usize;
        if len < HEADER_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "region too small",
            ));
        }
        let ptr = super::segment::map_shared(&fd, len)?;
        Ok(Region {
            fd,
            ptr,
            mapped: len,
        })
    }

    /// The file descriptor, to hand to the child.
    pub(crate) fn fd(&self) -> &OwnedFd {
        &self.fd
    }

    pub(crate) fn header(&self) -> &Header {
        // SAFETY: the mapping starts page-aligned with at least
        // HEADER_BYTES bytes, zero-initialised by the kernel (all-zero is a
        // valid `Header`: only atomics and padding), and lives as long as
        // `self`; remapping needs `&mut self`, so no `&Header` outlives it.
        unsafe { self.ptr.cast::<Header>().as_ref() }
    }

    /// Bytes of data area this process has mapped.
    pub(crate) fn capacity(&self) -> usize {
        self.mapped - HEADER_BYTES
    }

    /// Grows the file and this mapping so the data area holds `needed`
    /// bytes, and records the new capacity for the peer.
    pub(crate) fn grow(&mut self, needed: usize) -> io::Result<()> {
        let capacity = needed.next_power_of_two().max(self.capacity() * 2);
        ftruncate(&self.fd, (HEADER_BYTES + capacity) as u64)?;
        self.remap(HEADER_BYTES + capacity)?;
        self.header()
            .capacity
            .store(capacity as u64, std::sync::atomic::Ordering::Release);
        Ok(())
    }

    /// Gives the pages of the data area beyond its first `keep` bytes
    /// (rounded up to a page) back to the kernel, in both processes: a
    /// hole punched in the memfd (`FALLOC_FL_PUNCH_HOLE |
    /// FALLOC_FL_KEEP_SIZE`) frees its pages and unmaps them from every
    /// mapping, while the file keeps its size, so `F_SEAL_SHRINK` allows
    /// it and no mapping ever reaches past the end of the file. The hole
    /// reads as zeros and fills again on the next write. The caller must
    /// own the data area (mailbox protocol): takes `&mut self`, so no
    /// slice [`read`](Self::read) lent out of it is alive.
    pub(crate) fn release_above(&mut self, keep: usize) -> io::Result<()> {
        let start = HEADER_BYTES + keep.next_multiple_of(HEADER_BYTES);
        if start >= self.mapped {
            return Ok(());
        }
        fallocate(
            &self.fd,
            FallocateFlags::PUNCH_HOLE | FallocateFlags::KEEP_SIZE,
            start as u64,
            (self.mapped - start) as u64,
        )?;
        Ok(())
    }

    /// Follows a peer that grew the region.
    pub(crate) fn follow(&mut self) -> io::Result<()> {
        let capacity = self
            .header()
            .capacity
            .load(std::sync::atomic::Ordering::Acquire) as usize;
        if capacity > self.capacity() {
            self.remap(HEADER_BYTES + capacity)?;
        }
        Ok(())
    }

    fn remap(&mut self, len: usize) -> io::Result<()> {
        // SAFETY: `ptr`/`mapped` describe our own live mapping; no reference
        // into it exists (we hold `&mut self`); MAYMOVE lets the kernel pick
        // a new address, which we record.
        let ptr = unsafe {
            mremap(
                self.ptr.as_ptr().cast(),
                self.mapped,
                len,
                MremapFlags::MAYMOVE,
            )?
        };
        self.ptr = NonNull::new(ptr.cast::<u8>()).expect("mremap never returns null on success");
        self.mapped = len;
        Ok(())
    }

    /// Copies `parts` one after another into the data area from offset 0.
    /// The caller must own the data area (mailbox protocol) and have made
    /// room for them. Takes `&mut self`, so no slice [`read`](Self::read)
    /// lent out of the data area is alive while it changes.
    pub(crate) fn write(&mut self, parts: &[&[u8]]) {
        let mut offset = 0;
        for part in parts {
            assert!(
                offset + part.len() <= self.capacity(),
                "message exceeds region"
            );
            let destination = self.ptr.as_ptr().wrapping_add(HEADER_BYTES + offset);
            // SAFETY: the destination lies inside our mapping (checked
            // above) and does not overlap `part` (a Rust object, not the
            // mapping); the protocol gives this process sole access to the
            // data area until it publishes the message.
            unsafe { std::ptr::copy_nonoverlapping(part.as_ptr(), destination, part.len()) };
            offset += part.len();
        }
    }

    /// The first `len` bytes of the data area. The caller must own the data
    /// area (it received the last message and has not answered yet).
    pub(crate) fn read(&self, len: usize) -> &[u8] {
        assert!(len <= self.capacity(), "message exceeds region");
        let data = self.ptr.as_ptr().wrapping_add(HEADER_BYTES);
        // SAFETY: inside our mapping (checked above); the peer published
        // this message and, by the protocol, writes nothing until we
        // answer, which needs `&mut` access to the mailbox and so ends this
        // borrow first.
        unsafe { std::slice::from_raw_parts(data, len) }
    }
}

#[cfg(test)]
impl Region {
    /// Resident pages of `len` bytes of the data area from `from`, as
    /// `mincore` sees them in this mapping.
    pub(crate) fn resident_pages(&self, from: usize, len: usize) -> usize {
        assert!(from + len <= self.capacity());
        let mut pages = vec![0u8; len.div_ceil(4096)];
        let start = self.ptr.as_ptr().wrapping_add(HEADER_BYTES + from);
        // SAFETY: the range lies inside our live mapping (checked above)
        // and `pages` has one byte per page of it.
        let rc = unsafe { libc::mincore(start.cast(), len, pages.as_mut_ptr()) };
        assert_eq!(rc, 0);
        pages.iter().filter(|&&p| p & 1 != 0).count()
    }
}

impl Drop for Region {
    fn drop(&mut self) {
        // SAFETY: our own mapping, unmapped once; no reference into it
        // survives `self`.
        let _ = unsafe { munmap(self.ptr.as_ptr().cast(), self.mapped) };
    }
}

impl AsFd for Region {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_grows_but_never_shrinks() {
        let mut region = Region::create(4096).unwrap();
        let error = ftruncate(region.fd(), HEADER_BYTES as u64).unwrap_err();
        assert_eq!(error, rustix::io::Errno::PERM);
        region.grow(3 * 4096).unwrap();
        assert_eq!(region.capacity(), 4 * 4096);
        let error = ftruncate(region.fd(), HEADER_BYTES as u64).unwrap_err();
        assert_eq!(error, rustix::io::Errno::PERM);
        region.write(&[b"hello", b" world"]);
        assert_eq!(region.read(11), b"hello world");
        let mut peer = Region::adopt(region.fd().try_clone().unwrap()).unwrap();
        peer.follow().unwrap();
        assert_eq!(peer.capacity(), 4 * 4096);
        assert_eq!(peer.read(11), b"hello world");
    }

    fn resident(region: &Region, from: usize, len: usize) -> usize {
        region.resident_pages(from, len)
    }

    #[test]
    fn released_pages_go_back_but_the_size_stays() {
        let mut region = Region::create(4096).unwrap();
        let mut peer = Region::adopt(region.fd().try_clone().unwrap()).unwrap();
        let big = vec![7u8; 1 << 20];
        region.grow(big.len()).unwrap();
        region.write(&[&big]);
        peer.follow().unwrap();
        assert_eq!(peer.read(big.len()), &big[..]);
        assert_eq!(resident(&peer, 0, 1 << 20), 256);
        peer.release_above(8192).unwrap();
        // Both mappings lose the pages; the file keeps its size.
        assert_eq!(resident(&peer, 8192, (1 << 20) - 8192), 0);
        assert_eq!(resident(&region, 8192, (1 << 20) - 8192), 0);
        assert_eq!(
            fstat(region.fd()).unwrap().st_size as usize,
            HEADER_BYTES + (1 << 20)
        );
        assert_eq!(region.read(8192), &big[..8192]);
        assert!(region.read(1 << 20)[8192..].iter().all(|&b| b == 0));
        // Still sealed against shrinking, and writable again.
        assert_eq!(
            ftruncate(region.fd(), HEADER_BYTES as u64).unwrap_err(),
            rustix::io::Errno::PERM
        );
        region.write(&[&big]);
        assert_eq!(peer.read(big.len()), &big[..]);
    }
}
