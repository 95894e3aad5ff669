//! `List`: the proxy of a list held by a manager.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use pool_core::Error;
use serde::{Deserialize, Serialize};

use super::super::server::Server;
use super::super::{Reply, Request};
use crate::task::Wire;

use super::{Remote, call, decode, done, encode, len, unexpected, value};

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
    pub(crate) fn new(server: &Arc<Server>, id: u64) -> List<T> {
        List {
            remote: Remote::new(server, id),
            _types: PhantomData,
        }
    }

    fn call(&self, request: Request) -> Result<Reply, Error> {
        call(&self.remote.address, &request)
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
        done(self.call(Request::ListAppend(self.remote.id, encode(&item)?))?)
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
        done(self.call(Request::ListExtend(self.remote.id, items))?)
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
        value(self.call(Request::ListGet(self.remote.id, index))?)?
            .ok_or_else(|| unexpected(&Reply::Value(None)))
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
        done(self.call(Request::ListSet(self.remote.id, index, encode(&item)?))?)
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
        done(self.call(Request::ListInsert(self.remote.id, index, encode(&item)?))?)
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
        value(self.call(Request::ListPop(self.remote.id, index))?)?
            .ok_or_else(|| unexpected(&Reply::Value(None)))
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
        len(self.call(Request::ListLen(self.remote.id))?)
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
        match self.call(Request::ListItems(self.remote.id))? {
            Reply::Values(items) => items.iter().map(|b| decode(b)).collect(),
            other => Err(unexpected(&other)),
        }
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
        done(self.call(Request::ListReverse(self.remote.id))?)
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
        done(self.call(Request::ListClear(self.remote.id))?)
    }
}

proxy_common!(List<T>, "List");
