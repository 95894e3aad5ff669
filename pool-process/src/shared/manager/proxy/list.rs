//! `List`: the proxy of a list held by a manager.

use std::marker::PhantomData;

use pool_core::{Error, ErrorKind};
use serde::{Deserialize, Serialize};

use super::super::kinds::list::{ListCommand as C, ListReply as R};
use crate::task::Wire;

use super::{Remote, decode, encode};

/// A proxy for a list held by a [`Manager`](crate::Manager): Python's
/// `manager.list()`. Indexes may be negative, counting from the end, as in
/// Python. See [`Dict`](crate::Dict) for how proxies travel and fail.
///
/// # Examples
///
/// ```
/// let manager = poolrt::process::Manager::new().unwrap();
/// let l = manager.list([1, 2, 3]).unwrap();
/// l.append(4).unwrap();
/// assert_eq!(l.get(-1).unwrap(), 4);
/// assert_eq!(l.to_vec().unwrap(), [1, 2, 3, 4]);
/// ```
#[derive(Serialize, Deserialize)]
#[serde(bound = "")]
pub struct List<T> {
    remote: Remote,
    #[serde(skip)]
    _types: PhantomData<fn() -> T>,
}

impl<T: Wire> List<T> {
    pub(crate) fn new(remote: Remote) -> List<T> {
        List {
            remote,
            _types: PhantomData,
        }
    }

    /// Sends `command`; Python's `IndexError` and `ValueError` become
    /// errors of their kinds.
    fn call(&self, command: &C) -> Result<R, Error> {
        match self.remote.call(command, None)? {
            R::OutOfRange(why) => {
                Err(Error::from_kind(ErrorKind::IndexOutOfRange).with_detail(why))
            }
            R::NotFound(why) => Err(Error::from_kind(ErrorKind::InvalidState).with_detail(why)),
            reply => Ok(reply),
        }
    }

    fn done(&self, command: &C) -> Result<(), Error> {
        match self.call(command)? {
            R::Done => Ok(()),
            _ => Err(unexpected()),
        }
    }

    fn value(&self, command: &C) -> Result<T, Error> {
        match self.call(command)? {
            R::Value(bytes) => decode(&bytes),
            _ => Err(unexpected()),
        }
    }

    fn number(&self, command: &C) -> Result<usize, Error> {
        match self.call(command)? {
            R::Len(n) => Ok(n as usize),
            _ => Err(unexpected()),
        }
    }

    fn items(&self, command: &C) -> Result<Vec<T>, Error> {
        match self.call(command)? {
            R::Items(items) => items.iter().map(|b| decode(b)).collect(),
            _ => Err(unexpected()),
        }
    }

    /// Adds `item` at the end (Python's `append`).
    ///
    /// # Errors
    ///
    /// `item` could not be serialized, or the manager is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// let l = poolrt::process::Manager::new().unwrap().list::<u8>([]).unwrap();
    /// l.append(7).unwrap();
    /// assert_eq!(l.to_vec().unwrap(), [7]);
    /// ```
    pub fn append(&self, item: T) -> Result<(), Error> {
        self.done(&C::Append(encode(&item)?))
    }

    /// Adds every item at the end, in one request (Python's `extend`).
    ///
    /// # Errors
    ///
    /// As for [`append`](List::append).
    ///
    /// # Examples
    ///
    /// ```
    /// let l = poolrt::process::Manager::new().unwrap().list([0u8]).unwrap();
    /// l.extend(1..4).unwrap();
    /// assert_eq!(l.to_vec().unwrap(), [0, 1, 2, 3]);
    /// ```
    pub fn extend(&self, items: impl IntoIterator<Item = T>) -> Result<(), Error> {
        let items = items
            .into_iter()
            .map(|item| encode(&item))
            .collect::<Result<Vec<_>, _>>()?;
        self.done(&C::Extend(items))
    }

    /// Item `index` (Python's `l[index]`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::IndexOutOfRange`](pool_core::ErrorKind::IndexOutOfRange) for an index out of range (Python's
    /// `IndexError`), or the manager is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// let l = poolrt::process::Manager::new().unwrap().list(['a', 'b']).unwrap();
    /// assert_eq!(l.get(0).unwrap(), 'a');
    /// assert_eq!(l.get(-1).unwrap(), 'b');
    /// assert!(l.get(2).is_err());
    /// ```
    pub fn get(&self, index: i64) -> Result<T, Error> {
        self.value(&C::Get(index))
    }

    /// Sets item `index` (Python's `l[index] = item`).
    ///
    /// # Errors
    ///
    /// As for [`get`](List::get).
    ///
    /// # Examples
    ///
    /// ```
    /// let l = poolrt::process::Manager::new().unwrap().list([0u8; 3]).unwrap();
    /// l.set(-1, 9).unwrap();
    /// assert_eq!(l.to_vec().unwrap(), [0, 0, 9]);
    /// ```
    pub fn set(&self, index: i64, item: T) -> Result<(), Error> {
        self.done(&C::Set(index, encode(&item)?))
    }

    /// Inserts `item` before `index` (Python's `insert`, which clamps
    /// the index into the list).
    ///
    /// # Errors
    ///
    /// As for [`append`](List::append).
    ///
    /// # Examples
    ///
    /// ```
    /// let l = poolrt::process::Manager::new().unwrap().list([1u8, 3]).unwrap();
    /// l.insert(1, 2).unwrap();
    /// l.insert(100, 4).unwrap();
    /// assert_eq!(l.to_vec().unwrap(), [1, 2, 3, 4]);
    /// ```
    pub fn insert(&self, index: i64, item: T) -> Result<(), Error> {
        self.done(&C::Insert(index, encode(&item)?))
    }

    /// Removes and returns the last item (Python's `pop()`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::IndexOutOfRange`](pool_core::ErrorKind::IndexOutOfRange) for an empty list, or the manager is
    /// gone.
    ///
    /// # Examples
    ///
    /// ```
    /// let l = poolrt::process::Manager::new().unwrap().list([1u8]).unwrap();
    /// assert_eq!(l.pop().unwrap(), 1);
    /// assert!(l.pop().is_err());
    /// ```
    pub fn pop(&self) -> Result<T, Error> {
        self.pop_at(-1)
    }

    /// Removes and returns item `index` (Python's `pop(index)`).
    ///
    /// # Errors
    ///
    /// As for [`get`](List::get).
    ///
    /// # Examples
    ///
    /// ```
    /// let l = poolrt::process::Manager::new().unwrap().list([1u8, 2, 3]).unwrap();
    /// assert_eq!(l.pop_at(0).unwrap(), 1);
    /// assert_eq!(l.to_vec().unwrap(), [2, 3]);
    /// ```
    pub fn pop_at(&self, index: i64) -> Result<T, Error> {
        self.value(&C::Pop(index))
    }

    /// The number of items (Python's `len(l)`).
    ///
    /// # Errors
    ///
    /// The manager is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// let l = poolrt::process::Manager::new().unwrap().list(0u8..5).unwrap();
    /// assert_eq!(l.len().unwrap(), 5);
    /// ```
    pub fn len(&self) -> Result<usize, Error> {
        self.number(&C::Len)
    }

    /// Whether the list is empty.
    ///
    /// # Errors
    ///
    /// The manager is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// let l = poolrt::process::Manager::new().unwrap().list::<u8>([]).unwrap();
    /// assert!(l.is_empty().unwrap());
    /// ```
    pub fn is_empty(&self) -> Result<bool, Error> {
        Ok(self.len()? == 0)
    }

    /// A copy of every item (Python's `l[:]`).
    ///
    /// # Errors
    ///
    /// The manager is gone, or an item is not a `T`.
    ///
    /// # Examples
    ///
    /// ```
    /// let l = poolrt::process::Manager::new().unwrap().list(["x".to_owned()]).unwrap();
    /// assert_eq!(l.to_vec().unwrap(), ["x"]);
    /// ```
    pub fn to_vec(&self) -> Result<Vec<T>, Error> {
        self.items(&C::Items)
    }

    /// Reverses the list in place (Python's `reverse`).
    ///
    /// # Errors
    ///
    /// The manager is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// let l = poolrt::process::Manager::new().unwrap().list([1u8, 2]).unwrap();
    /// l.reverse().unwrap();
    /// assert_eq!(l.to_vec().unwrap(), [2, 1]);
    /// ```
    pub fn reverse(&self) -> Result<(), Error> {
        self.done(&C::Reverse)
    }

    /// Removes every item.
    ///
    /// # Errors
    ///
    /// The manager is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// let l = poolrt::process::Manager::new().unwrap().list([1u8]).unwrap();
    /// l.clear().unwrap();
    /// assert!(l.is_empty().unwrap());
    /// ```
    pub fn clear(&self) -> Result<(), Error> {
        self.done(&C::Clear)
    }

    /// A copy of `l[start:stop]` (Python's slice; `None` for an open end,
    /// negative bounds from the end, clamped into the list).
    ///
    /// # Errors
    ///
    /// The manager is gone, or an item is not a `T`.
    ///
    /// # Examples
    ///
    /// ```
    /// let l = pool_process::Manager::new().unwrap().list(0..6).unwrap();
    /// assert_eq!(l.slice(Some(1), Some(-2)).unwrap(), [1, 2, 3]);
    /// assert_eq!(l.slice(Some(4), None).unwrap(), [4, 5]);
    /// ```
    pub fn slice(&self, start: Option<i64>, stop: Option<i64>) -> Result<Vec<T>, Error> {
        self.items(&C::Slice(start, stop))
    }

    /// Replaces `l[start:stop]` by `items` (Python's
    /// `l[start:stop] = items`).
    ///
    /// # Errors
    ///
    /// An item could not be serialized, or the manager is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// let l = pool_process::Manager::new().unwrap().list(0..4).unwrap();
    /// l.set_slice(Some(1), Some(3), [9, 9, 9]).unwrap();
    /// assert_eq!(l.to_vec().unwrap(), [0, 9, 9, 9, 3]);
    /// ```
    pub fn set_slice(
        &self,
        start: Option<i64>,
        stop: Option<i64>,
        items: impl IntoIterator<Item = T>,
    ) -> Result<(), Error> {
        let items = items
            .into_iter()
            .map(|item| encode(&item))
            .collect::<Result<Vec<_>, _>>()?;
        self.done(&C::SetSlice(start, stop, items))
    }

    /// Removes `l[start:stop]` (Python's `del l[start:stop]`).
    ///
    /// # Errors
    ///
    /// The manager is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// let l = pool_process::Manager::new().unwrap().list(0..5).unwrap();
    /// l.del_slice(None, Some(2)).unwrap();
    /// assert_eq!(l.to_vec().unwrap(), [2, 3, 4]);
    /// ```
    pub fn del_slice(&self, start: Option<i64>, stop: Option<i64>) -> Result<(), Error> {
        self.done(&C::DelSlice(start, stop))
    }

    /// How many items equal `item` (Python's `count`; equal means the
    /// same serialized bytes).
    ///
    /// # Errors
    ///
    /// `item` could not be serialized, or the manager is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// let l = pool_process::Manager::new().unwrap().list([1, 2, 1]).unwrap();
    /// assert_eq!(l.count(&1).unwrap(), 2);
    /// ```
    pub fn count(&self, item: &T) -> Result<usize, Error> {
        self.number(&C::Count(encode(item)?))
    }

    /// The index of the first item equal to `item` within
    /// `l[start:stop]` (Python's `index(x, start, stop)`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidState`] when no item is equal (Python's
    /// `ValueError`); otherwise as [`count`](Self::count).
    ///
    /// # Examples
    ///
    /// ```
    /// let l = pool_process::Manager::new().unwrap().list([5, 6, 5]).unwrap();
    /// assert_eq!(l.index(&5, Some(1), None).unwrap(), 2);
    /// assert!(l.index(&7, None, None).is_err());
    /// ```
    pub fn index(&self, item: &T, start: Option<i64>, stop: Option<i64>) -> Result<usize, Error> {
        self.number(&C::Index(encode(item)?, start, stop))
    }

    /// Removes the first item equal to `item` (Python's `remove(x)`).
    ///
    /// # Errors
    ///
    /// As for [`index`](Self::index).
    ///
    /// # Examples
    ///
    /// ```
    /// let l = pool_process::Manager::new().unwrap().list([1, 2, 1]).unwrap();
    /// l.remove(&1).unwrap();
    /// assert_eq!(l.to_vec().unwrap(), [2, 1]);
    /// ```
    pub fn remove(&self, item: &T) -> Result<(), Error> {
        self.done(&C::Remove(encode(item)?))
    }

    /// Repeats the items `times` times in place (Python's `l *= times`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::IndexOutOfRange`] if the result would hold over 2^26
    /// items; the manager is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// let l = pool_process::Manager::new().unwrap().list([1, 2]).unwrap();
    /// l.repeat(2).unwrap();
    /// assert_eq!(l.to_vec().unwrap(), [1, 2, 1, 2]);
    /// ```
    #[doc(alias = "__imul__")]
    pub fn repeat(&self, times: u64) -> Result<(), Error> {
        self.done(&C::Repeat(times))
    }

    /// Sorts the list by `compare` (Python's `sort(key=...)`): the items
    /// are sorted here and written back if no other process changed the
    /// list meanwhile, else it tries again.
    ///
    /// # Errors
    ///
    /// As for [`to_vec`](Self::to_vec).
    ///
    /// # Examples
    ///
    /// ```
    /// let l = pool_process::Manager::new().unwrap().list([3, 1, 2]).unwrap();
    /// l.sort_by(|a, b| a.cmp(b)).unwrap();
    /// assert_eq!(l.to_vec().unwrap(), [1, 2, 3]);
    /// ```
    pub fn sort_by(
        &self,
        mut compare: impl FnMut(&T, &T) -> std::cmp::Ordering,
    ) -> Result<(), Error> {
        loop {
            let R::Versioned(version, bytes) = self.call(&C::Versioned)? else {
                return Err(unexpected());
            };
            let mut items = bytes
                .into_iter()
                .map(|b| Ok((decode::<T>(&b)?, b)))
                .collect::<Result<Vec<_>, Error>>()?;
            items.sort_by(|a, b| compare(&a.0, &b.0));
            let sorted = items.into_iter().map(|(_, b)| b).collect();
            if let R::Replaced(true) = self.call(&C::ReplaceIf(version, sorted))? {
                return Ok(());
            }
        }
    }

    /// [`sort_by`](Self::sort_by) in the items' own order (Python's
    /// `sort()`).
    ///
    /// # Errors
    ///
    /// As for [`to_vec`](Self::to_vec).
    ///
    /// # Examples
    ///
    /// ```
    /// let l = pool_process::Manager::new().unwrap().list(["b", "a"].map(String::from)).unwrap();
    /// l.sort().unwrap();
    /// assert_eq!(l.to_vec().unwrap(), ["a", "b"]);
    /// ```
    pub fn sort(&self) -> Result<(), Error>
    where
        T: Ord,
    {
        self.sort_by(T::cmp)
    }
}

fn unexpected() -> Error {
    Error::from_kind(ErrorKind::Deserialize)
        .with_detail("an unexpected reply from the manager's list")
}

proxy_common!(List<T>, "List");
