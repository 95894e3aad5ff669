//! `ShareableList`: Python's `multiprocessing.shared_memory.ShareableList`,
//! in Python's own layout.
//!
//! The block holds, all integers native-endian `i64` as Python's
//! `struct` writes them:
//!
//! | bytes | what |
//! |-------|------|
//! | 8 | the number of items, `n` |
//! | 8 × (n + 1) | each item's offset from the start of the data area, and the data area's end |
//! | the data area | each item in its slot: 8 bytes for `int`, `float`, `bool`, `None`; for `str` and `bytes`, their length rounded up to the next multiple of 8 (one more 8 if already a multiple), NUL-padded |
//! | 8 × n | each item's `struct` format, NUL-padded: `q`, `d`, `xxxxxxx?`, `xxxxxx?x` (None), `<len>s` |
//! | n | each item's back-transform code: 0 number, 1 `str`, 2 `bytes`, 3 `None` |
//!
//! So a list made by CPython opens here, and the other way round.

use std::fmt;

use pool_core::{Error, ErrorKind};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Item, SharedMemory};

/// The size of a number's slot, and of a format.
const SLOT: usize = 8;

/// A fixed-length list of [`Item`]s in a named block of shared memory:
/// Python's `multiprocessing.shared_memory.ShareableList`, byte for byte
/// (a list made by CPython opens here, and the other way round).
///
/// Any process opens it by name; sent to a [`Process`](crate::Process),
/// a pool task, a queue or a pipe, it travels as its name. Its length is
/// fixed; each item may change, even its kind, as long as it fits its
/// slot: 8 bytes for a number, a bool or `None`, and for a `str` or
/// `bytes` the room it had at creation. As in Python, nothing locks the
/// items: a reader racing a writer may see a torn value, so order them
/// with a [`Lock`](crate::Lock) when several processes write.
///
/// As in Python, a `str` or `bytes` item loses its trailing NUL bytes.
///
/// # Examples
///
/// ```
/// use poolrt::process::{Item, Process, ShareableList};
///
/// fn double(list: ShareableList) {
///     for i in 0..list.len() as isize {
///         if let Item::Int(n) = list.get(i).unwrap() {
///             list.set(i, n * 2).unwrap();
///         }
///     }
/// }
///
/// let list = ShareableList::create(None, [1, 2, 3]).unwrap();
/// let child = Process::new(double, (list.clone_handle().unwrap(),));
/// child.start().unwrap();
/// child.join().unwrap();
/// assert_eq!(list.to_vec().unwrap(), [Item::Int(2), Item::Int(4), Item::Int(6)]);
/// list.shm().unlink().unwrap();
/// ```
pub struct ShareableList {
    shm: SharedMemory,
    /// The items' offsets in the data area, and its end (`len + 1`
    /// entries), as the block says; fixed at creation.
    offsets: Vec<usize>,
}

impl ShareableList {
    /// Creates a list of `items` in a new block named `name`, or a random
    /// name if `None` (Python's `ShareableList(sequence, name=name)`). The
    /// block is tracked as [`SharedMemory::create`]'s.
    ///
    /// # Errors
    ///
    /// As [`SharedMemory::create`]; [`ErrorKind::InvalidConfig`] for a
    /// `str` or `bytes` item of 10 MB or more (its format would not fit
    /// in 8 bytes, Python's limit too).
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::{Item, ShareableList};
    ///
    /// let items: [Item; 4] = [1.into(), "two".into(), 3.5.into(), None::<i64>.into()];
    /// let list = ShareableList::create(None, items).unwrap();
    /// assert_eq!(list.len(), 4);
    /// assert_eq!(list.format().unwrap(), "q8sdxxxxxx?x");
    /// list.shm().unlink().unwrap();
    /// ```
    #[doc(alias = "ShareableList")]
    pub fn create<I>(name: Option<&str>, items: I) -> Result<ShareableList, Error>
    where
        I: IntoIterator,
        I::Item: Into<Item>,
    {
        let items: Vec<Item> = items.into_iter().map(Into::into).collect();
        let mut offsets = Vec::with_capacity(items.len() + 1);
        offsets.push(0);
        for item in &items {
            let slot = match item.text_bytes() {
                // Python: `8 * (len // 8 + 1)`, by bytes here (Python
                // counts a str's characters, and truncates non-ASCII).
                Some(text) => SLOT * (text.len() / SLOT + 1),
                None => SLOT,
            };
            if item.format(slot).len() > SLOT {
                return Err(
                    Error::from_kind(ErrorKind::InvalidConfig).with_detail(format!(
                        "a ShareableList item of {slot} bytes: items must be under 10 MB"
                    )),
                );
            }
            offsets.push(offsets.last().unwrap() + slot);
        }
        let n = items.len();
        let size = header_size(n) + offsets[n] + SLOT * n + n;
        let list = ShareableList {
            shm: SharedMemory::create(name, size)?,
            offsets,
        };
        let mut header = Vec::with_capacity(header_size(n));
        header.extend_from_slice(&(n as i64).to_ne_bytes());
        for &offset in &list.offsets {
            header.extend_from_slice(&(offset as i64).to_ne_bytes());
        }
        list.shm.write_at(0, &header)?;
        for (index, item) in items.iter().enumerate() {
            list.store(index, item)?;
        }
        Ok(list)
    }

    /// Opens the list in the existing block `name` (Python's
    /// `ShareableList(name=name)`), made by this program, another, or
    /// CPython.
    ///
    /// # Errors
    ///
    /// As [`SharedMemory::open`]; [`ErrorKind::Deserialize`] if the block
    /// does not hold a list (its header does not fit its size).
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::{Item, ShareableList};
    ///
    /// let list = ShareableList::create(None, ["a", "b"]).unwrap();
    /// let same = ShareableList::open(list.name()).unwrap();
    /// same.set(1, "c").unwrap();
    /// assert_eq!(list.get(-1).unwrap(), Item::from("c"));
    /// list.shm().unlink().unwrap();
    /// ```
    pub fn open(name: &str) -> Result<ShareableList, Error> {
        ShareableList::adopt(SharedMemory::open(name)?)
    }

    /// Reads and checks the header of a list's block.
    fn adopt(shm: SharedMemory) -> Result<ShareableList, Error> {
        let not_a_list = |why: &str| {
            Error::from_kind(ErrorKind::Deserialize).with_detail(format!(
                "shared memory '{}' of {} bytes holds no ShareableList: {why}",
                shm.name(),
                shm.size()
            ))
        };
        let size = shm.size();
        let n = read_i64(&shm, 0)
            .ok()
            .and_then(|n| usize::try_from(n).ok())
            .filter(|&n| n <= size / (2 * SLOT))
            .ok_or_else(|| not_a_list("its length is out of range"))?;
        let mut raw = vec![0u8; SLOT * (n + 1)];
        shm.read_at(SLOT, &mut raw)
            .map_err(|_| not_a_list("its offsets do not fit"))?;
        let offsets: Vec<usize> = raw
            .chunks_exact(SLOT)
            .map(|b| i64::from_ne_bytes(b.try_into().unwrap()))
            .map(|o| usize::try_from(o).unwrap_or(usize::MAX))
            .collect();
        let ordered = offsets[0] == 0 && offsets.windows(2).all(|w| w[0] <= w[1]);
        let fits = offsets[n]
            .checked_add(header_size(n) + SLOT * n + n)
            .is_some_and(|end| end <= size);
        if !ordered || !fits {
            return Err(not_a_list("its offsets are out of order or too large"));
        }
        Ok(ShareableList { shm, offsets })
    }

    /// Another view of the same list (opened again by name).
    ///
    /// # Errors
    ///
    /// As [`open`](ShareableList::open).
    ///
    /// # Examples
    ///
    /// ```
    /// let list = poolrt::process::ShareableList::create(None, [1]).unwrap();
    /// assert_eq!(list.clone_handle().unwrap().len(), 1);
    /// list.shm().unlink().unwrap();
    /// ```
    pub fn clone_handle(&self) -> Result<ShareableList, Error> {
        ShareableList::open(self.name())
    }

    /// The number of items, fixed at creation (Python's `len`).
    ///
    /// # Examples
    ///
    /// ```
    /// let list = poolrt::process::ShareableList::create(None, [1, 2]).unwrap();
    /// assert_eq!(list.len(), 2);
    /// list.shm().unlink().unwrap();
    /// ```
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// True for a list of no items.
    ///
    /// # Examples
    ///
    /// ```
    /// let list = poolrt::process::ShareableList::create(None, Vec::<i64>::new()).unwrap();
    /// assert!(list.is_empty());
    /// list.shm().unlink().unwrap();
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The block the list lives in (Python's `shm`).
    ///
    /// # Examples
    ///
    /// ```
    /// let list = poolrt::process::ShareableList::create(None, [1]).unwrap();
    /// assert_eq!(list.shm().size(), 8 + 16 + 8 + 8 + 1);
    /// list.shm().unlink().unwrap();
    /// ```
    pub fn shm(&self) -> &SharedMemory {
        &self.shm
    }

    /// The block's name (Python's `shm.name`).
    ///
    /// # Examples
    ///
    /// ```
    /// let list = poolrt::process::ShareableList::create(Some("poolrt-doc-list"), [1]).unwrap();
    /// assert_eq!(list.name(), "poolrt-doc-list");
    /// list.shm().unlink().unwrap();
    /// ```
    pub fn name(&self) -> &str {
        self.shm.name()
    }

    /// The item at `index`; negative counts from the end, as in Python.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::IndexOutOfRange`] outside the list (Python's
    /// `IndexError`); [`ErrorKind::Deserialize`] if the slot holds no
    /// value a list can (another program wrote garbage).
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::{Item, ShareableList};
    ///
    /// let list = ShareableList::create(None, [10, 20, 30]).unwrap();
    /// assert_eq!(list.get(0).unwrap(), Item::Int(10));
    /// assert_eq!(list.get(-1).unwrap(), Item::Int(30));
    /// assert!(list.get(3).unwrap_err().is_index_out_of_range());
    /// list.shm().unlink().unwrap();
    /// ```
    #[doc(alias = "__getitem__")]
    pub fn get(&self, index: isize) -> Result<Item, Error> {
        let index = self.position(index, "index")?;
        let (format, code) = self.slot_format(index)?;
        let at = self.data_start() + self.offsets[index];
        let bad = |why: &str| {
            Error::from_kind(ErrorKind::Deserialize).with_detail(format!(
                "item {index} of ShareableList '{}': {why}",
                self.name()
            ))
        };
        let item = match format.as_str() {
            "q" => Item::Int(read_i64(&self.shm, at)?),
            "d" => Item::Float(f64::from_bits(read_i64(&self.shm, at)? as u64)),
            "xxxxxxx?" => {
                let mut byte = [0];
                self.shm.read_at(at + 7, &mut byte)?;
                Item::Bool(byte[0] != 0)
            }
            "xxxxxx?x" => Item::None,
            text => {
                let len: usize = text
                    .strip_suffix('s')
                    .and_then(|digits| digits.parse().ok())
                    .ok_or_else(|| bad(&format!("unknown format {text:?}")))?;
                let mut bytes = vec![0; len];
                self.shm
                    .read_at(at, &mut bytes)
                    .map_err(|_| bad("its text runs past its block"))?;
                let kept = bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
                bytes.truncate(kept);
                match code {
                    1 => Item::Str(String::from_utf8(bytes).map_err(|_| bad("invalid UTF-8"))?),
                    2 => Item::Bytes(bytes),
                    _ => return Err(bad(&format!("text with back-transform code {code}"))),
                }
            }
        };
        Ok(item)
    }

    /// Sets the item at `index` (negative counts from the end). The new
    /// value may be of another kind, as in Python, as long as it fits the
    /// slot: a `str` or `bytes` value may not be longer than the slot's
    /// room (in a number's slot, 8 bytes).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::IndexOutOfRange`] outside the list;
    /// [`ErrorKind::InvalidConfig`] for a `str` or `bytes` value longer
    /// than its slot (Python's `ValueError: bytes/str item exceeds
    /// available storage`). Nothing changes then.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::{Item, ShareableList};
    ///
    /// let list = ShareableList::create(None, ["abc"]).unwrap(); // room for 8 bytes
    /// list.set(0, "abcdefgh").unwrap();
    /// list.set(0, 42).unwrap();
    /// assert_eq!(list.get(0).unwrap(), Item::Int(42));
    /// assert!(list.set(0, "abcdefghi").is_err());
    /// list.shm().unlink().unwrap();
    /// ```
    #[doc(alias = "__setitem__")]
    pub fn set(&self, index: isize, value: impl Into<Item>) -> Result<(), Error> {
        let index = self.position(index, "assignment index")?;
        let value = value.into();
        if let Some(text) = value.text_bytes() {
            let room = self.offsets[index + 1] - self.offsets[index];
            if text.len() > room {
                return Err(Error::from_kind(ErrorKind::InvalidConfig).with_detail(format!(
                    "item {index} of ShareableList '{}': a value of {} bytes exceeds the slot's {room}",
                    self.name(),
                    text.len()
                )));
            }
        }
        self.store(index, &value)
    }

    /// Counts the items equal to `value` by Python's `==` ([`Item::python_eq`]).
    ///
    /// # Errors
    ///
    /// As [`get`](ShareableList::get), for an unreadable item.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::{Item, ShareableList};
    ///
    /// let items: [Item; 4] = [1.into(), true.into(), 1.0.into(), "1".into()];
    /// let list = ShareableList::create(None, items).unwrap();
    /// assert_eq!(list.count(1).unwrap(), 3); // as in Python: True == 1 == 1.0
    /// list.shm().unlink().unwrap();
    /// ```
    pub fn count(&self, value: impl Into<Item>) -> Result<usize, Error> {
        let value = value.into();
        let items = self.to_vec()?;
        Ok(items.iter().filter(|item| item.python_eq(&value)).count())
    }

    /// The position of the first item equal to `value` by Python's `==`,
    /// or `None` where Python raises `ValueError`.
    ///
    /// # Errors
    ///
    /// As [`get`](ShareableList::get), for an unreadable item.
    ///
    /// # Examples
    ///
    /// ```
    /// let list = poolrt::process::ShareableList::create(None, ["a", "b", "b"]).unwrap();
    /// assert_eq!(list.index("b").unwrap(), Some(1));
    /// assert_eq!(list.index("z").unwrap(), None);
    /// list.shm().unlink().unwrap();
    /// ```
    pub fn index(&self, value: impl Into<Item>) -> Result<Option<usize>, Error> {
        let value = value.into();
        for index in 0..self.len() {
            if self.get(index as isize)?.python_eq(&value) {
                return Ok(Some(index));
            }
        }
        Ok(None)
    }

    /// Every item, in order (Python's `list(sl)`).
    ///
    /// # Errors
    ///
    /// As [`get`](ShareableList::get), for an unreadable item.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::{Item, ShareableList};
    ///
    /// let list = ShareableList::create(None, [true, false]).unwrap();
    /// assert_eq!(list.to_vec().unwrap(), [Item::Bool(true), Item::Bool(false)]);
    /// list.shm().unlink().unwrap();
    /// ```
    pub fn to_vec(&self) -> Result<Vec<Item>, Error> {
        (0..self.len()).map(|i| self.get(i as isize)).collect()
    }

    /// The `struct` formats of all items, joined (Python's `format`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Deserialize`] if a format is not text.
    ///
    /// # Examples
    ///
    /// ```
    /// let list = poolrt::process::ShareableList::create(None, [1.5]).unwrap();
    /// assert_eq!(list.format().unwrap(), "d");
    /// list.shm().unlink().unwrap();
    /// ```
    pub fn format(&self) -> Result<String, Error> {
        (0..self.len())
            .map(|i| self.slot_format(i).map(|(format, _)| format))
            .collect()
    }

    /// The position `index` stands for, or Python's `IndexError`.
    fn position(&self, index: isize, what: &str) -> Result<usize, Error> {
        let len = self.len() as isize;
        let position = if index < 0 { index + len } else { index };
        if (0..len).contains(&position) {
            Ok(position as usize)
        } else {
            Err(Error::from_kind(ErrorKind::IndexOutOfRange)
                .with_detail(format!("{what} {index} of a ShareableList of {len}")))
        }
    }

    /// Writes an item's format, back-transform code and value, in that
    /// order (as Python does).
    fn store(&self, index: usize, item: &Item) -> Result<(), Error> {
        let room = self.offsets[index + 1] - self.offsets[index];
        let mut format = [0u8; SLOT];
        let current = self.slot_format(index).map(|(f, _)| f);
        let text = match (item.text_bytes(), current) {
            // A text slot keeps its format, as in Python.
            (Some(_), Ok(current)) if current.ends_with('s') => current,
            _ => item.format(room),
        };
        format[..text.len()].copy_from_slice(text.as_bytes());
        self.shm
            .write_at(self.formats_start() + SLOT * index, &format)?;
        self.shm
            .write_at(self.codes_start() + index, &[item.back_transform()])?;
        let at = self.data_start() + self.offsets[index];
        match item.text_bytes() {
            Some(bytes) => {
                self.shm.write_at(at, bytes)?;
                self.shm.fill(at + bytes.len(), room - bytes.len(), 0)
            }
            None => self.shm.write_at(at, &item.packed()),
        }
    }

    /// The format and back-transform code of item `index`.
    fn slot_format(&self, index: usize) -> Result<(String, u8), Error> {
        let mut raw = [0u8; SLOT];
        self.shm
            .read_at(self.formats_start() + SLOT * index, &mut raw)?;
        let mut code = [0u8];
        self.shm.read_at(self.codes_start() + index, &mut code)?;
        let end = raw.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
        let format = std::str::from_utf8(&raw[..end]).map_err(|_| {
            Error::from_kind(ErrorKind::Deserialize).with_detail(format!(
                "item {index} of ShareableList '{}': its format is not text",
                self.name()
            ))
        })?;
        Ok((format.to_owned(), code[0]))
    }

    fn data_start(&self) -> usize {
        header_size(self.len())
    }

    fn formats_start(&self) -> usize {
        self.data_start() + self.offsets[self.len()]
    }

    fn codes_start(&self) -> usize {
        self.formats_start() + SLOT * self.len()
    }
}

/// The length and the offsets: what precedes the data area.
fn header_size(n: usize) -> usize {
    SLOT * (n + 2)
}

fn read_i64(shm: &SharedMemory, at: usize) -> Result<i64, Error> {
    let mut bytes = [0u8; SLOT];
    shm.read_at(at, &mut bytes)?;
    Ok(i64::from_ne_bytes(bytes))
}

impl fmt::Debug for ShareableList {
    /// Python's `repr`: `ShareableList([1, 'a'], name='psm_…')`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let items = match self.to_vec() {
            Ok(items) => items.iter().map(Item::to_string).collect::<Vec<_>>(),
            Err(_) => vec!["<unreadable>".to_owned()],
        };
        write!(
            f,
            "ShareableList([{}], name='{}')",
            items.join(", "),
            self.name()
        )
    }
}

/// Travels as its name, as Python pickles it.
impl Serialize for ShareableList {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.shm.serialize(s)
    }
}

/// Opens the list by name on arrival.
impl<'de> Deserialize<'de> for ShareableList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ShareableList, D::Error> {
        let shm = SharedMemory::deserialize(d)?;
        ShareableList::adopt(shm).map_err(serde::de::Error::custom)
    }
}
