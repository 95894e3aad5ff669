//! `SharedMemory`: Python's `multiprocessing.shared_memory.SharedMemory`,
//! a block of memory that any process opens by its name.

use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};

use pool_core::{Error, ErrorKind};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::sys::shm::{self, NamedMapping};
use crate::sys::shm_tracker;

/// The longest name a segment may have (Linux's `NAME_MAX`).
const NAME_MAX: usize = 255;

/// A named block of shared memory: Python's
/// `multiprocessing.shared_memory.SharedMemory`.
///
/// Any process of the same user opens it by [`name`](SharedMemory::name),
/// whether it is a child of the creator or an unrelated program (a
/// CPython one included: the names are the same files in `/dev/shm`).
/// Sent to a [`Process`](crate::Process), a pool task, a queue or a pipe,
/// it travels as its name and is opened again on arrival, as Python
/// pickles it.
///
/// # Reading and writing
///
/// Python hands out `buf`, a `memoryview` of the bytes. A Rust `&[u8]` of
/// memory that another process may write at any moment would be unsound
/// (the compiler may assume it does not change), so the safe access is by
/// copy: [`read_at`](SharedMemory::read_at) and
/// [`write_at`](SharedMemory::write_at). They copy through aligned 64-bit
/// atomics, so they are sound whatever other processes and threads do at
/// the same time, and still run at memory speed. Bytes that another
/// process writes during a read come out as a mix of old and new bytes,
/// as they would in Python: order writers and readers with a
/// [`Lock`](crate::Lock), an [`Event`](crate::Event) or a message, whose
/// acquire and release also order the copies. Writers to disjoint ranges
/// never disturb each other, even within one 8-byte word. For zero-copy
/// access, [`as_ptr`](SharedMemory::as_ptr) gives the raw address, and the
/// `unsafe` code using it takes the aliasing rules on itself.
///
/// # Lifetime
///
/// [`close`](SharedMemory::close) (or drop) unmaps this process's view;
/// [`unlink`](SharedMemory::unlink) removes the name, after which nobody
/// can open it, while existing views keep working until closed. A block
/// this program [`create`](SharedMemory::create)d and did not unlink is
/// unlinked when the program ends, even if it is SIGKILLed, by a tracker
/// process, as Python 3.13's `track=True` does (see the `shared::memory`
/// module docs); [`create_untracked`](SharedMemory::create_untracked) is
/// `track=False`.
///
/// A block is a file that any process of the user may also resize or
/// remove by hand: one that shrinks it under the others' views makes
/// their next access past the new end fault with `SIGBUS`, as in Python.
/// poolrt never resizes a block.
///
/// # Examples
///
/// ```
/// use poolrt::process::{Process, SharedMemory};
///
/// fn shout(shm: SharedMemory) {
///     let mut word = [0u8; 5];
///     shm.read_at(0, &mut word).unwrap();
///     word.make_ascii_uppercase();
///     shm.write_at(0, &word).unwrap();
/// }
///
/// let shm = SharedMemory::create(None, 5).unwrap();
/// shm.write_at(0, b"hello").unwrap();
/// let child = Process::new(shout, (shm.clone_handle().unwrap(),));
/// child.start().unwrap();
/// child.join().unwrap();
/// assert_eq!(shm.to_vec(), b"HELLO");
/// shm.unlink().unwrap();
/// ```
pub struct SharedMemory {
    name: String,
    mapping: NamedMapping,
}

/// Whether the tracker unlinks a created block when the program ends.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Track {
    Yes,
    No,
}

impl SharedMemory {
    /// Creates a block of `size` bytes, zero-filled, named `name`, or a
    /// fresh random name like Python's `psm_1a2b3c4d` if `None`. The block
    /// is unlinked when this program ends unless it was unlinked before
    /// (Python 3.13's default `track=True`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidConfig`] for a size of 0 (Python's
    /// `ValueError`) or a name that is empty, longer than 255 bytes, or
    /// holds a `/`, a NUL or a line break; [`ErrorKind::SharedMemory`] if
    /// the name exists already (Python's `FileExistsError`: the source is
    /// an [`io::Error`] of kind `AlreadyExists`) or the block could not be
    /// created or tracked.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::SharedMemory;
    ///
    /// let a = SharedMemory::create(None, 100).unwrap();
    /// assert!(a.name().starts_with("psm_"));
    /// assert_eq!(a.size(), 100);
    /// let taken = SharedMemory::create(Some(a.name()), 100).unwrap_err();
    /// assert!(taken.is_shared_memory());
    /// a.unlink().unwrap();
    /// ```
    #[doc(alias = "SharedMemory")]
    pub fn create(name: Option<&str>, size: usize) -> Result<SharedMemory, Error> {
        SharedMemory::create_with(name, size, Track::Yes)
    }

    /// Like [`create`](SharedMemory::create), but the block is not
    /// unlinked when the program ends: it lasts until someone calls
    /// [`unlink`](SharedMemory::unlink) (Python 3.13's `track=False`).
    ///
    /// # Errors
    ///
    /// As [`create`](SharedMemory::create).
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::SharedMemory;
    ///
    /// let shm = SharedMemory::create_untracked(None, 16).unwrap();
    /// // ... hand its name to a program that outlives this one ...
    /// shm.unlink().unwrap();
    /// ```
    #[doc(alias = "track")]
    pub fn create_untracked(name: Option<&str>, size: usize) -> Result<SharedMemory, Error> {
        SharedMemory::create_with(name, size, Track::No)
    }

    fn create_with(name: Option<&str>, size: usize, track: Track) -> Result<SharedMemory, Error> {
        if let Some(name) = name {
            check_name(name)?;
        }
        if size == 0 {
            return Err(
                Error::from_kind(ErrorKind::InvalidConfig).with_detail(format!(
                    "shared memory {} of size 0: the size must be positive",
                    shown(name)
                )),
            );
        }
        if track == Track::Yes {
            // Before the block exists, so that it is tracked as soon as
            // possible after.
            shm_tracker::ensure_started().map_err(|e| {
                Error::new(ErrorKind::SharedMemory, e)
                    .with_detail("cannot start the shared-memory tracker")
            })?;
        }
        let (name, mapping) = match name {
            Some(name) => (name.to_owned(), shm::create(name, size)),
            None => loop {
                let name = random_name();
                match shm::create(&name, size) {
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                    created => break (name, created),
                }
            },
        };
        let mapping = mapping.map_err(|e| create_error(&name, size, e))?;
        if track == Track::Yes
            && let Err(e) = shm_tracker::register(&name, mapping.inode())
        {
            let _ = shm::unlink(&name);
            return Err(Error::new(ErrorKind::SharedMemory, e)
                .with_detail(format!("cannot track shared memory '{name}'")));
        }
        Ok(SharedMemory { name, mapping })
    }

    /// Opens the existing block `name`, at the size it has (Python's
    /// `SharedMemory(name)`). Opening does not track it: only its creator
    /// unlinks it at exit.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Io`] if there is no block of that name (Python's
    /// `FileNotFoundError`: the source is an [`io::Error`] of kind
    /// `NotFound`), it is empty, or it cannot be mapped;
    /// [`ErrorKind::InvalidConfig`] for a name no block can have.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::SharedMemory;
    ///
    /// let a = SharedMemory::create(None, 8).unwrap();
    /// let b = SharedMemory::open(a.name()).unwrap();
    /// a.write_at(0, &7u64.to_ne_bytes()).unwrap();
    /// let mut out = [0; 8];
    /// b.read_at(0, &mut out).unwrap();
    /// assert_eq!(u64::from_ne_bytes(out), 7);
    /// a.unlink().unwrap();
    /// assert!(SharedMemory::open(a.name()).unwrap_err().is_io());
    /// ```
    pub fn open(name: &str) -> Result<SharedMemory, Error> {
        check_name(name)?;
        let mapping = shm::open(name).map_err(|e| {
            let detail = if e.kind() == io::ErrorKind::NotFound {
                format!("no shared memory named '{name}'")
            } else {
                format!("cannot open shared memory '{name}'")
            };
            Error::new(ErrorKind::Io, e).with_detail(detail)
        })?;
        Ok(SharedMemory {
            name: name.to_owned(),
            mapping,
        })
    }

    /// Another view of the same block in this process (opened again by
    /// name, so the block must not have been unlinked).
    ///
    /// # Errors
    ///
    /// As [`open`](SharedMemory::open).
    ///
    /// # Examples
    ///
    /// ```
    /// let a = poolrt::process::SharedMemory::create(None, 4).unwrap();
    /// let b = a.clone_handle().unwrap();
    /// b.write_at(0, b"ok").unwrap();
    /// assert_eq!(&a.to_vec()[..2], b"ok");
    /// a.unlink().unwrap();
    /// ```
    pub fn clone_handle(&self) -> Result<SharedMemory, Error> {
        SharedMemory::open(&self.name)
    }

    /// The block's name, without the leading `/` (Python's `name`).
    ///
    /// # Examples
    ///
    /// ```
    /// let shm = poolrt::process::SharedMemory::create(Some("poolrt-doc-name"), 1).unwrap();
    /// assert_eq!(shm.name(), "poolrt-doc-name");
    /// shm.unlink().unwrap();
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The block's size in bytes, as its file had when this view mapped
    /// it (Python's `size`).
    ///
    /// # Examples
    ///
    /// ```
    /// let shm = poolrt::process::SharedMemory::create(None, 10).unwrap();
    /// assert_eq!(shm.size(), 10);
    /// shm.unlink().unwrap();
    /// ```
    pub fn size(&self) -> usize {
        self.mapping.len()
    }

    /// Copies the bytes at `offset..offset + out.len()` into `out`
    /// (Python's `bytes(shm.buf[offset:offset + n])`). Sound under
    /// concurrent writers; see [Reading and writing](#reading-and-writing).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::IndexOutOfRange`] if the range does not fit in the
    /// block; nothing is read then.
    ///
    /// # Examples
    ///
    /// ```
    /// let shm = poolrt::process::SharedMemory::create(None, 4).unwrap();
    /// let mut out = [9u8; 4];
    /// shm.read_at(0, &mut out).unwrap();
    /// assert_eq!(out, [0; 4]);
    /// assert!(shm.read_at(1, &mut out).unwrap_err().is_index_out_of_range());
    /// shm.unlink().unwrap();
    /// ```
    pub fn read_at(&self, offset: usize, out: &mut [u8]) -> Result<(), Error> {
        self.check_range(offset, out.len())?;
        self.mapping.read(offset, out);
        Ok(())
    }

    /// Copies `bytes` into the block at `offset` (Python's
    /// `shm.buf[offset:offset + n] = bytes`). Sound under concurrent
    /// readers and writers; see [Reading and writing](#reading-and-writing).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::IndexOutOfRange`] if the range does not fit in the
    /// block; nothing is written then.
    ///
    /// # Examples
    ///
    /// ```
    /// let shm = poolrt::process::SharedMemory::create(None, 4).unwrap();
    /// shm.write_at(1, b"abc").unwrap();
    /// assert_eq!(shm.to_vec(), b"\0abc");
    /// assert!(shm.write_at(2, b"abc").unwrap_err().is_index_out_of_range());
    /// shm.unlink().unwrap();
    /// ```
    pub fn write_at(&self, offset: usize, bytes: &[u8]) -> Result<(), Error> {
        self.check_range(offset, bytes.len())?;
        self.mapping.write(offset, bytes);
        Ok(())
    }

    /// Sets `len` bytes from `offset` to `byte`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::IndexOutOfRange`] if the range does not fit.
    ///
    /// # Examples
    ///
    /// ```
    /// let shm = poolrt::process::SharedMemory::create(None, 4).unwrap();
    /// shm.fill(1, 2, b'x').unwrap();
    /// assert_eq!(shm.to_vec(), b"\0xx\0");
    /// shm.unlink().unwrap();
    /// ```
    pub fn fill(&self, offset: usize, len: usize, byte: u8) -> Result<(), Error> {
        self.check_range(offset, len)?;
        self.mapping.fill(offset, len, byte);
        Ok(())
    }

    /// A copy of the whole block (Python's `bytes(shm.buf)`).
    ///
    /// # Examples
    ///
    /// ```
    /// let shm = poolrt::process::SharedMemory::create(None, 3).unwrap();
    /// assert_eq!(shm.to_vec(), [0, 0, 0]);
    /// shm.unlink().unwrap();
    /// ```
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = vec![0; self.size()];
        self.mapping.read(0, &mut out);
        out
    }

    /// The address of the block's first byte in this process, valid for
    /// [`size`](SharedMemory::size) bytes while `self` lives. Getting it
    /// is safe; using it is `unsafe` code whose author must make sure no
    /// Rust reference into the block is alive while another process or
    /// thread may write it.
    ///
    /// # Examples
    ///
    /// ```
    /// let shm = poolrt::process::SharedMemory::create(None, 4096).unwrap();
    /// assert_eq!(shm.as_ptr() as usize % 4096, 0, "page-aligned");
    /// shm.unlink().unwrap();
    /// ```
    #[doc(alias = "buf")]
    pub fn as_ptr(&self) -> *mut u8 {
        self.mapping.as_ptr()
    }

    /// Unmaps this process's view (Python's `close`); the block lives on
    /// for its other users. Dropping does the same.
    ///
    /// # Examples
    ///
    /// ```
    /// let a = poolrt::process::SharedMemory::create(None, 4).unwrap();
    /// let name = a.name().to_owned();
    /// a.close();
    /// let b = poolrt::process::SharedMemory::open(&name).unwrap();
    /// b.unlink().unwrap();
    /// ```
    pub fn close(self) {}

    /// Removes the block's name (Python's `unlink`): nobody can open it
    /// any more, and its memory goes back once every view is closed.
    /// Views already open keep working. Call it once, from any process.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Io`] if the name no longer exists (unlinked already:
    /// Python's `FileNotFoundError`) or cannot be removed.
    ///
    /// # Examples
    ///
    /// ```
    /// let shm = poolrt::process::SharedMemory::create(None, 4).unwrap();
    /// shm.unlink().unwrap();
    /// shm.write_at(0, b"ok").unwrap(); // still mapped
    /// assert!(shm.unlink().unwrap_err().is_io());
    /// ```
    pub fn unlink(&self) -> Result<(), Error> {
        unlink(&self.name)
    }

    /// The inode of the block's file, which tells it from a later block
    /// of the same name.
    pub(super) fn inode(&self) -> u64 {
        self.mapping.inode()
    }

    fn check_range(&self, offset: usize, len: usize) -> Result<(), Error> {
        match offset.checked_add(len) {
            Some(end) if end <= self.size() => Ok(()),
            _ => Err(
                Error::from_kind(ErrorKind::IndexOutOfRange).with_detail(format!(
                    "bytes {offset}..{} of shared memory '{}' of {} bytes",
                    offset.saturating_add(len),
                    self.name,
                    self.size()
                )),
            ),
        }
    }
}

/// Removes the name `name`, and stops tracking it.
pub(super) fn unlink(name: &str) -> Result<(), Error> {
    shm::unlink(name).map_err(|e| {
        Error::new(ErrorKind::Io, e).with_detail(format!("cannot unlink shared memory '{name}'"))
    })?;
    // Only after the unlink, as Python does; a name this process did not
    // create is not tracked, and is ignored.
    let _ = shm_tracker::unregister(name);
    Ok(())
}

/// The inode the name `name` stands for now, if it exists.
pub(super) fn inode_of(name: &str) -> Option<u64> {
    shm::inode_of(name).ok()
}

/// The name for messages: quoted, or "with a random name".
fn shown(name: Option<&str>) -> String {
    name.map_or_else(|| "with a random name".to_owned(), |n| format!("'{n}'"))
}

/// Refuses names no segment can have, or the tracker could not carry.
fn check_name(name: &str) -> Result<(), Error> {
    let why = if name.is_empty() {
        "it is empty"
    } else if name.len() > NAME_MAX {
        "it is longer than 255 bytes"
    } else if name.contains('/') {
        "it holds a '/'"
    } else if name.contains(['\0', '\n', '\r']) {
        "it holds a NUL or a line break"
    } else if name == "." || name == ".." {
        "it is a directory's name"
    } else {
        return Ok(());
    };
    Err(Error::from_kind(ErrorKind::InvalidConfig)
        .with_detail(format!("invalid shared memory name {name:?}: {why}")))
}

/// A fresh name like Python's: `psm_` and 8 random hex digits.
fn random_name() -> String {
    static DRAWS: AtomicU64 = AtomicU64::new(0);
    // Relaxed: only the counter's own uniqueness matters.
    let draw = DRAWS.fetch_add(1, Ordering::Relaxed);
    let bits = RandomState::new().hash_one((draw, std::process::id()));
    format!("psm_{:08x}", bits as u32)
}

fn create_error(name: &str, size: usize, e: io::Error) -> Error {
    let detail = if e.kind() == io::ErrorKind::AlreadyExists {
        format!("the name '{name}' is taken")
    } else {
        format!("'{name}' of {size} bytes")
    };
    Error::new(ErrorKind::SharedMemory, e).with_detail(detail)
}

impl fmt::Debug for SharedMemory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedMemory")
            .field("name", &self.name)
            .field("size", &self.size())
            .finish()
    }
}

/// Travels as its name, as Python pickles it.
impl Serialize for SharedMemory {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.name.serialize(s)
    }
}

/// Opens the block by name on arrival.
impl<'de> Deserialize<'de> for SharedMemory {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<SharedMemory, D::Error> {
        let name = String::deserialize(d)?;
        SharedMemory::open(&name).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_names_look_like_python_s() {
        let name = random_name();
        assert_eq!(name.len(), 12, "{name}");
        assert!(name.starts_with("psm_"));
        assert!(name[4..].chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(random_name(), random_name());
    }

    #[test]
    fn bad_names_are_refused_before_any_system_call() {
        for name in ["", "a/b", "a\nb", ".", ".."] {
            let e = SharedMemory::open(name).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidConfig, "{name:?}: {e}");
        }
        let long = "x".repeat(256);
        assert!(SharedMemory::create(Some(&long), 1).is_err());
    }
}
