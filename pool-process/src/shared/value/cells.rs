//! The shared memory behind `Value`, `Array`, `RawValue` and `RawArray`:
//! a [`CellsHeader`] (the mutex word, the element count, the element
//! size, checked when a child maps it, the mutex's owner stamp), then the
//! elements from byte 64.
//!
//! Every element access is a copy through the segment's 64-bit words,
//! each loaded or stored atomically (a word only partly covered is merged
//! in with a compare-exchange), so no access is a data race even without
//! a lock (`RawValue`, `RawArray`), and no Rust reference to the elements'
//! bytes ever exists. What a lock adds is that a multi-word element, or a
//! read-modify-write, is not torn.

use std::marker::PhantomData;
use std::mem::offset_of;
use std::ops::{Bound, Range, RangeBounds};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicU32, AtomicU64};

use pool_core::{Error, ErrorKind};

use super::Element;
use crate::shared::create_error;
use crate::shared::sync::word::{RawMutex, Taken};
use crate::sys::segment::{Segment, shared_layout};

shared_layout! {
    /// The words before the elements.
    struct CellsHeader {
        /// The [`RawMutex`] word guarding the elements (unused when the
        /// object has another lock, or none).
        lock: AtomicU32,
        /// The number of elements.
        len: AtomicU64,
        /// Bytes per element.
        size: AtomicU64,
        /// The [`RawMutex`]'s companion: the holder's stamp.
        owner: AtomicU64,
    }
}

/// Where the elements start.
const DATA: usize = 64;
/// Bytes per word of the copies.
const WORD: usize = 8;
/// Words per bounds-checked view in long copies.
const CHUNK: usize = 64;

const _: () = assert!(offset_of!(CellsHeader, lock) == 0);
const _: () = assert!(offset_of!(CellsHeader, len) == 8);
const _: () = assert!(offset_of!(CellsHeader, size) == 16);
const _: () = assert!(offset_of!(CellsHeader, owner) == 24);
const _: () = assert!(size_of::<CellsHeader>() == 32);
const _: () = assert!(size_of::<CellsHeader>() <= DATA);

/// The bytes `len` elements of `T` need, in whole words (at least one).
fn data_bytes<T>(len: usize) -> Option<usize> {
    let bytes = len.checked_mul(size_of::<T>())?.max(1);
    bytes.checked_next_multiple_of(WORD)
}

/// The shared cells of a value (one element) or an array (many).
pub(super) struct Cells<T> {
    segment: Segment,
    len: usize,
    _t: PhantomData<T>,
}

impl<T> Cells<T> {
    /// The number of elements.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// The memory, to send to another process.
    pub(super) fn segment(&self) -> &Segment {
        &self.segment
    }
}

impl<T: Element> Cells<T> {
    /// `len` zeroed elements; `what` names the object in errors.
    pub(super) fn zeroed(len: usize, what: &str) -> Result<Cells<T>, Error> {
        let data = data_bytes::<T>(len).ok_or_else(|| {
            Error::from_kind(ErrorKind::InvalidConfig).with_detail(format!(
                "{len} elements of {} bytes are too many for a {what}",
                size_of::<T>()
            ))
        })?;
        let segment = Segment::create("poolrt-shared-value", DATA + data)
            .map_err(|e| create_error(what, e))?;
        let header = segment.header::<CellsHeader>();
        header.len.store(len as u64, Relaxed);
        header.size.store(size_of::<T>() as u64, Relaxed);
        Ok(Cells {
            segment,
            len,
            _t: PhantomData,
        })
    }

    /// Cells holding `values`.
    pub(super) fn create(values: &[T], what: &str) -> Result<Cells<T>, Error> {
        let cells = Cells::zeroed(values.len(), what)?;
        cells.store_slice(0, values);
        Ok(cells)
    }

    /// The cells of a segment another process created.
    pub(super) fn adopt(segment: Segment) -> Result<Cells<T>, String> {
        if segment.len() < DATA {
            return Err("the inherited memory is not a Value or Array".to_owned());
        }
        let header = segment.header::<CellsHeader>();
        let len = usize::try_from(header.len.load(Relaxed)).unwrap_or(usize::MAX);
        let size = usize::try_from(header.size.load(Relaxed)).unwrap_or(usize::MAX);
        let fits = data_bytes::<T>(len).is_some_and(|data| data <= segment.len() - DATA);
        if size != size_of::<T>() || !fits {
            return Err(format!(
                "the inherited memory does not hold {len} values of {} bytes",
                size_of::<T>()
            ));
        }
        Ok(Cells {
            segment,
            len,
            _t: PhantomData,
        })
    }

    pub(super) fn mutex(&self) -> RawMutex<'_> {
        let header = self.segment.header::<CellsHeader>();
        RawMutex::new(&header.lock, &header.owner)
    }

    /// Takes the own lock, from a dead holder if need be.
    pub(super) fn lock(&self) -> Taken {
        self.mutex().lock(None).unwrap_or(Taken::Clean)
    }

    /// The word of the data area at byte `at` (a multiple of [`WORD`]).
    fn word(&self, at: usize) -> &AtomicU64 {
        self.segment.view_at(DATA + at)
    }

    /// Copies the data bytes from `at` into `out`, word by word.
    fn read_bytes(&self, at: usize, out: &mut [u8]) {
        let mut done = 0;
        while done < out.len() {
            let pos = at + done;
            if pos.is_multiple_of(WORD) && out.len() - done >= CHUNK * WORD {
                let words: &[AtomicU64; CHUNK] = self.segment.view_at(DATA + pos);
                let bytes = out[done..done + CHUNK * WORD].chunks_exact_mut(WORD);
                for (word, bytes) in words.iter().zip(bytes) {
                    bytes.copy_from_slice(&word.load(Relaxed).to_ne_bytes());
                }
                done += CHUNK * WORD;
                continue;
            }
            let skip = pos % WORD;
            let take = (WORD - skip).min(out.len() - done);
            let word = self.word(pos - skip).load(Relaxed).to_ne_bytes();
            out[done..done + take].copy_from_slice(&word[skip..skip + take]);
            done += take;
        }
    }

    /// Copies `bytes` into the data bytes from `at`, word by word; a word
    /// only partly covered keeps its other bytes.
    fn write_bytes(&self, at: usize, bytes: &[u8]) {
        let mut done = 0;
        while done < bytes.len() {
            let pos = at + done;
            if pos.is_multiple_of(WORD) && bytes.len() - done >= CHUNK * WORD {
                let words: &[AtomicU64; CHUNK] = self.segment.view_at(DATA + pos);
                let parts = bytes[done..done + CHUNK * WORD].chunks_exact(WORD);
                for (word, part) in words.iter().zip(parts) {
                    word.store(
                        u64::from_ne_bytes(part.try_into().expect("a word")),
                        Relaxed,
                    );
                }
                done += CHUNK * WORD;
                continue;
            }
            let skip = pos % WORD;
            let take = (WORD - skip).min(bytes.len() - done);
            let word = self.word(pos - skip);
            let part = &bytes[done..done + take];
            if take == WORD {
                word.store(
                    u64::from_ne_bytes(part.try_into().expect("a word")),
                    Relaxed,
                );
            } else {
                let _ = word.fetch_update(Relaxed, Relaxed, |old| {
                    let mut merged = old.to_ne_bytes();
                    merged[skip..skip + take].copy_from_slice(part);
                    Some(u64::from_ne_bytes(merged))
                });
            }
            done += take;
        }
    }

    /// Element `i` (in range).
    pub(super) fn load(&self, i: usize) -> T {
        let mut value = T::zeroed();
        self.read_bytes(i * size_of::<T>(), bytemuck::bytes_of_mut(&mut value));
        value
    }

    /// Sets element `i` (in range).
    pub(super) fn store(&self, i: usize, value: T) {
        self.write_bytes(i * size_of::<T>(), bytemuck::bytes_of(&value));
    }

    /// The elements of `range` (in range).
    pub(super) fn load_slice(&self, range: Range<usize>) -> Vec<T> {
        let mut values = vec![T::zeroed(); range.len()];
        self.read_bytes(
            range.start * size_of::<T>(),
            bytemuck::cast_slice_mut(&mut values),
        );
        values
    }

    /// Sets the elements from `start` to `values` (in range).
    pub(super) fn store_slice(&self, start: usize, values: &[T]) {
        self.write_bytes(start * size_of::<T>(), bytemuck::cast_slice(values));
    }

    /// Element `index`, or Python's `IndexError`.
    pub(super) fn checked_index(&self, index: usize, what: &str) -> Result<usize, Error> {
        if index < self.len {
            Ok(index)
        } else {
            Err(Error::from_kind(ErrorKind::IndexOutOfRange)
                .with_detail(format!("index {index} of an {what} of {}", self.len)))
        }
    }

    /// `range` if it lies inside the cells (Python clamps slices; see
    /// the api-map), and `count` values fill it when given.
    pub(super) fn checked_range(
        &self,
        range: impl RangeBounds<usize>,
        count: Option<usize>,
        what: &str,
    ) -> Result<Range<usize>, Error> {
        let start = match range.start_bound() {
            Bound::Included(&s) => Some(s),
            Bound::Excluded(&s) => s.checked_add(1),
            Bound::Unbounded => Some(0),
        };
        let end = match range.end_bound() {
            Bound::Included(&e) => e.checked_add(1),
            Bound::Excluded(&e) => Some(e),
            Bound::Unbounded => Some(self.len),
        };
        let (Some(start), Some(end)) = (start, end) else {
            return Err(Error::from_kind(ErrorKind::IndexOutOfRange)
                .with_detail(format!("a range past usize::MAX in an {what}")));
        };
        if start > end || end > self.len {
            return Err(Error::from_kind(ErrorKind::IndexOutOfRange)
                .with_detail(format!("range {start}..{end} of an {what} of {}", self.len)));
        }
        if let Some(count) = count
            && count != end - start
        {
            return Err(
                Error::from_kind(ErrorKind::IndexOutOfRange).with_detail(format!(
                    "{count} values for range {start}..{end} ({} elements) of an {what}",
                    end - start
                )),
            );
        }
        Ok(start..end)
    }
}
