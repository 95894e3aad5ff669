//! Named POSIX shared memory: the files of `/dev/shm` that unrelated
//! processes open by name (`shm_open`, `shm_unlink`), mapped whole.
//!
//! Other processes may write the memory at any moment, with any
//! instructions (a C `memcpy`, Python's `memoryview`), so this process
//! never holds a Rust reference to plain bytes of it. Every access this
//! module makes goes through aligned 64-bit atomics (`Relaxed`): a copy
//! is a sequence of word loads or stores, and a word only partly covered
//! by a copy is updated with a compare-and-swap that leaves its other
//! bytes as they are. Because every access of this process has the same
//! size and alignment, two threads copying overlapping ranges are no
//! data race either. What a reader gets while a writer is busy is a mix
//! of old and new bytes (each byte is one or the other); ordering a
//! writer before a reader is the job of a lock, event or message, whose
//! own acquire and release order the copies.
//!
//! The mapping's length is rounded up to a whole number of words. The
//! extra bytes lie in the page that holds the end of the file, so they
//! are mapped (they read as zeros and writes to them are dropped, never
//! a `SIGBUS`); no copy reaches them except as the untouched part of a
//! partly covered last word.

use std::io;
use std::os::fd::OwnedFd;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use rustix::fs::{Mode, fstat, ftruncate};
use rustix::mm::munmap;
use rustix::shm::{self, OFlags};

use super::segment::map_shared;

/// The bytes of one word.
const WORD: usize = size_of::<u64>();

/// A named segment mapped into this process.
pub(crate) struct NamedMapping {
    ptr: NonNull<u8>,
    /// The file's size when it was mapped.
    len: usize,
    /// `len` rounded up to whole words: the length of the mapping.
    mapped: usize,
    /// The file's inode, which tells this segment from a later one of the
    /// same name.
    inode: u64,
}

// SAFETY: the mapping is process memory like a heap allocation; it is only
// reached through atomics, which are sound from any thread.
unsafe impl Send for NamedMapping {}
// SAFETY: as above; `&NamedMapping` gives only atomic access.
unsafe impl Sync for NamedMapping {}

/// Creates the segment `name` (without its leading `/`) of `len` bytes,
/// readable and writable by this user only, and maps it. Fails with
/// `AlreadyExists` if the name is taken. A segment that could be created
/// but not sized or mapped is unlinked again.
pub(crate) fn create(name: &str, len: usize) -> io::Result<NamedMapping> {
    let path = path(name);
    let fd = shm::open(
        &path,
        OFlags::CREATE | OFlags::EXCL | OFlags::RDWR,
        Mode::RUSR | Mode::WUSR,
    )?;
    let sized = ftruncate(&fd, len as u64).map_err(io::Error::from);
    match sized.and_then(|()| NamedMapping::map(&fd)) {
        Ok(mapping) => Ok(mapping),
        Err(e) => {
            let _ = shm::unlink(&path);
            Err(e)
        }
    }
}

/// Opens and maps the existing segment `name`, at the size its file has.
pub(crate) fn open(name: &str) -> io::Result<NamedMapping> {
    let fd = shm::open(path(name), OFlags::RDWR, Mode::empty())?;
    NamedMapping::map(&fd)
}

/// Removes the name `name`; mappings of the segment keep working, and its
/// memory goes back when the last one is gone.
pub(crate) fn unlink(name: &str) -> io::Result<()> {
    Ok(shm::unlink(path(name))?)
}

/// The inode the name `name` stands for now.
pub(crate) fn inode_of(name: &str) -> io::Result<u64> {
    let fd = shm::open(path(name), OFlags::RDONLY, Mode::empty())?;
    Ok(fstat(&fd)?.st_ino)
}

/// `name` as `shm_open` wants it.
fn path(name: &str) -> String {
    format!("/{name}")
}

impl NamedMapping {
    fn map(fd: &OwnedFd) -> io::Result<NamedMapping> {
        let stat = fstat(fd)?;
        let len = usize::try_from(stat.st_size)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "a negative size"))?;
        if len == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the segment is empty (size 0)",
            ));
        }
        let mapped = len.div_ceil(WORD) * WORD;
        let ptr = map_shared(fd, mapped)?;
        // The descriptor is not needed once mapped, as in Python.
        Ok(NamedMapping {
            ptr,
            len,
            mapped,
            inode: stat.st_ino,
        })
    }

    /// The segment's size in bytes (its file's size when it was mapped).
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The inode of the segment's file.
    pub(crate) fn inode(&self) -> u64 {
        self.inode
    }

    /// The first byte of the mapping, for callers that take over the
    /// soundness of raw access themselves.
    pub(crate) fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    /// The mapping as words.
    fn words(&self) -> &[AtomicU64] {
        // SAFETY: the mapping is page-aligned and `mapped` bytes long, a
        // multiple of 8, so it holds `mapped / 8` aligned words; any bits
        // are a valid `AtomicU64`; this process touches the memory only
        // through these atomics (raw access through `as_ptr` is the
        // caller's own unsafe contract); the slice borrows `self`, which
        // keeps the mapping alive.
        unsafe {
            std::slice::from_raw_parts(self.ptr.as_ptr().cast::<AtomicU64>(), self.mapped / WORD)
        }
    }

    /// Copies `bytes` into the segment at `offset`. Panics if the range
    /// does not fit (callers check it and return an error first).
    pub(crate) fn write(&self, offset: usize, bytes: &[u8]) {
        assert!(
            offset <= self.len && bytes.len() <= self.len - offset,
            "write outside the segment"
        );
        let (head, middle, tail) = split(offset, bytes.len());
        let words = self.words();
        let (first, rest) = bytes.split_at(head.len);
        let (whole, last) = rest.split_at(middle.len * WORD);
        store_part(words, &head, first);
        store_words(&words[middle.word..middle.word + middle.len], whole);
        store_part(words, &tail, last);
    }

    /// Copies bytes of the segment at `offset` into `out`. Panics if the
    /// range does not fit (callers check it and return an error first).
    pub(crate) fn read(&self, offset: usize, out: &mut [u8]) {
        assert!(
            offset <= self.len && out.len() <= self.len - offset,
            "read outside the segment"
        );
        let (head, middle, tail) = split(offset, out.len());
        let words = self.words();
        let (first, rest) = out.split_at_mut(head.len);
        let (whole, last) = rest.split_at_mut(middle.len * WORD);
        load_part(words, &head, first);
        load_words(&words[middle.word..middle.word + middle.len], whole);
        load_part(words, &tail, last);
    }

    /// Sets `len` bytes at `offset` to `byte`.
    pub(crate) fn fill(&self, offset: usize, len: usize, byte: u8) {
        let chunk = [byte; 4096];
        let mut at = offset;
        let end = offset + len;
        while at < end {
            let n = (end - at).min(chunk.len());
            self.write(at, &chunk[..n]);
            at += n;
        }
    }
}

/// A run of a copy: `len` bytes from byte `within` of word `word` (for
/// the head and tail), or `len` whole words from word `word`.
struct Run {
    word: usize,
    within: usize,
    len: usize,
}

/// Splits the byte range `offset..offset + len` into a head inside one
/// word, whole words, and a tail inside one word. Head and tail may be
/// empty; their `word` is then not touched (it may lie past the end).
fn split(offset: usize, len: usize) -> (Run, Run, Run) {
    let end = offset + len;
    let within = offset % WORD;
    let head_len = if within == 0 {
        0
    } else {
        len.min(WORD - within)
    };
    let head = Run {
        word: offset / WORD,
        within,
        len: head_len,
    };
    let first_whole = offset + head_len;
    let whole = (end - first_whole) / WORD;
    let middle = Run {
        word: first_whole / WORD,
        within: 0,
        len: whole,
    };
    let tail_start = first_whole + whole * WORD;
    let tail = Run {
        word: tail_start / WORD,
        within: 0,
        len: end - tail_start,
    };
    (head, middle, tail)
}

/// Stores whole words, four at a time where it can.
fn store_words(words: &[AtomicU64], bytes: &[u8]) {
    let mut quads = bytes.chunks_exact(4 * WORD);
    let mut targets = words.chunks_exact(4);
    for (quad, target) in (&mut quads).zip(&mut targets) {
        for (word, chunk) in target.iter().zip(quad.chunks_exact(WORD)) {
            word.store(u64::from_ne_bytes(chunk.try_into().unwrap()), Relaxed);
        }
    }
    for (word, chunk) in targets
        .remainder()
        .iter()
        .zip(quads.remainder().chunks_exact(WORD))
    {
        word.store(u64::from_ne_bytes(chunk.try_into().unwrap()), Relaxed);
    }
}

/// Loads whole words, four at a time where it can.
fn load_words(words: &[AtomicU64], out: &mut [u8]) {
    let mut quads = out.chunks_exact_mut(4 * WORD);
    let mut sources = words.chunks_exact(4);
    for (quad, source) in (&mut quads).zip(&mut sources) {
        for (word, chunk) in source.iter().zip(quad.chunks_exact_mut(WORD)) {
            chunk.copy_from_slice(&word.load(Relaxed).to_ne_bytes());
        }
    }
    for (word, chunk) in sources
        .remainder()
        .iter()
        .zip(quads.into_remainder().chunks_exact_mut(WORD))
    {
        chunk.copy_from_slice(&word.load(Relaxed).to_ne_bytes());
    }
}

/// Stores `bytes`, the part `run` of one word, keeping the word's other
/// bytes, whoever writes them meanwhile.
fn store_part(words: &[AtomicU64], run: &Run, bytes: &[u8]) {
    if bytes.is_empty() {
        return;
    }
    let _ = words[run.word].fetch_update(Relaxed, Relaxed, |old| {
        let mut merged = old.to_ne_bytes();
        merged[run.within..run.within + bytes.len()].copy_from_slice(bytes);
        Some(u64::from_ne_bytes(merged))
    });
}

/// Loads `out`, the part `run` of one word.
fn load_part(words: &[AtomicU64], run: &Run, out: &mut [u8]) {
    if out.is_empty() {
        return;
    }
    let bytes = words[run.word].load(Relaxed).to_ne_bytes();
    out.copy_from_slice(&bytes[run.within..run.within + out.len()]);
}

impl Drop for NamedMapping {
    fn drop(&mut self) {
        // SAFETY: our own mapping, unmapped once; the words it lent borrow
        // `self`, so none outlives it.
        let _ = unsafe { munmap(self.ptr.as_ptr().cast(), self.mapped) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unique(what: &str) -> String {
        format!("poolrt-unit-{what}-{}", std::process::id())
    }

    #[test]
    fn copies_at_any_offset_and_length_round_trip() {
        let name = unique("copies");
        let a = create(&name, 61).unwrap();
        let b = open(&name).unwrap();
        unlink(&name).unwrap();
        assert_eq!(b.len(), 61);
        let data: Vec<u8> = (1..=61).collect();
        for offset in 0..20 {
            for len in [0, 1, 3, 8, 9, 17, 61 - offset] {
                a.fill(0, 61, 0);
                a.write(offset, &data[..len]);
                let mut out = vec![0xAA; 61];
                b.read(0, &mut out);
                assert!(out[..offset].iter().all(|&x| x == 0));
                assert_eq!(&out[offset..offset + len], &data[..len]);
                assert!(out[offset + len..].iter().all(|&x| x == 0));
            }
        }
    }

    #[test]
    fn empty_copies_at_the_very_end_touch_nothing() {
        let name = unique("end");
        let a = create(&name, 16).unwrap();
        unlink(&name).unwrap();
        a.write(16, &[]);
        a.read(16, &mut []);
        a.write(13, &[1, 2, 3]);
        let mut out = [0; 3];
        a.read(13, &mut out);
        assert_eq!(out, [1, 2, 3]);
    }

    #[test]
    fn a_partial_word_keeps_its_other_bytes() {
        let name = unique("partial");
        let a = create(&name, 16).unwrap();
        unlink(&name).unwrap();
        a.write(0, &[9; 16]);
        a.write(3, &[1, 2]);
        let mut out = [0; 16];
        a.read(0, &mut out);
        assert_eq!(out, [9, 9, 9, 1, 2, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9]);
    }
}
