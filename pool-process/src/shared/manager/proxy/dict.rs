//! `Dict`: the proxy of a dict held by a manager.

use std::collections::HashMap;
use std::hash::Hash;
use std::marker::PhantomData;

use pool_core::{Error, ErrorKind};
use serde::{Deserialize, Serialize};

use super::super::kinds::dict::{DictCommand as C, DictReply as R};
use crate::task::Wire;

use super::{Remote, decode, encode};

/// A proxy for a dict held by a [`Manager`](crate::Manager): Python's
/// `manager.dict()`. It keeps insertion order, as Python's dicts do.
///
/// A proxy is a plain serde value (a socket name and an id): pass it to a
/// [`Process`](crate::Process), through a pool, a queue or a pipe. Every
/// call is one request to the manager, and fails with
/// [`ErrorKind::Closed`](pool_core::ErrorKind::Closed) once the manager is gone. In the manager's own
/// process a proxy keeps the manager running, so `manager.dict()` on a
/// temporary manager works.
///
/// # Examples
///
/// ```
/// let manager = poolrt::process::Manager::new().unwrap();
/// let d = manager.dict().unwrap();
/// d.insert("a".to_owned(), 1).unwrap();
/// d.insert("b".to_owned(), 2).unwrap();
/// assert_eq!(d.items().unwrap(), [("a".to_owned(), 1), ("b".to_owned(), 2)]);
/// ```
#[derive(Serialize, Deserialize)]
#[serde(bound = "")]
pub struct Dict<K, V> {
    remote: Remote,
    #[serde(skip)]
    _types: PhantomData<fn() -> (K, V)>,
}

impl<K: Wire, V: Wire> Dict<K, V> {
    pub(crate) fn new(remote: Remote) -> Dict<K, V> {
        Dict {
            remote,
            _types: PhantomData,
        }
    }

    fn call(&self, command: &C) -> Result<R, Error> {
        self.remote.call(command, None)
    }

    fn value(&self, command: &C) -> Result<Option<V>, Error> {
        match self.call(command)? {
            R::Value(bytes) => bytes.map(|b| decode(&b)).transpose(),
            _ => Err(unexpected()),
        }
    }

    fn done(&self, command: &C) -> Result<(), Error> {
        match self.call(command)? {
            R::Done => Ok(()),
            _ => Err(unexpected()),
        }
    }

    /// Sets `key` to `value` (Python's `d[key] = value`).
    ///
    /// # Errors
    ///
    /// The key or value could not be serialized, or the manager is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// let d = poolrt::process::Manager::new().unwrap().dict().unwrap();
    /// d.insert(1u8, "one".to_owned()).unwrap();
    /// d.insert(1, "uno".to_owned()).unwrap();
    /// assert_eq!(d.get(&1).unwrap().as_deref(), Some("uno"));
    /// ```
    pub fn insert(&self, key: K, value: V) -> Result<(), Error> {
        self.done(&C::Set(encode(&key)?, encode(&value)?))
    }

    /// The value of `key`, if present (Python's `d.get(key)`).
    ///
    /// # Errors
    ///
    /// As for [`insert`](Dict::insert), or the stored value is not a `V`.
    ///
    /// # Examples
    ///
    /// ```
    /// let d = poolrt::process::Manager::new().unwrap().dict::<u8, u8>().unwrap();
    /// assert_eq!(d.get(&1).unwrap(), None);
    /// ```
    pub fn get(&self, key: &K) -> Result<Option<V>, Error> {
        self.value(&C::Get(encode(key)?))
    }

    /// Removes `key`, returning its value (Python's `d.pop(key, None)`).
    ///
    /// # Errors
    ///
    /// As for [`get`](Dict::get).
    ///
    /// # Examples
    ///
    /// ```
    /// let d = poolrt::process::Manager::new().unwrap().dict().unwrap();
    /// d.insert('k', 5i32).unwrap();
    /// assert_eq!(d.remove(&'k').unwrap(), Some(5));
    /// assert_eq!(d.remove(&'k').unwrap(), None);
    /// ```
    pub fn remove(&self, key: &K) -> Result<Option<V>, Error> {
        self.value(&C::Remove(encode(key)?))
    }

    /// Whether `key` is present (Python's `key in d`).
    ///
    /// # Errors
    ///
    /// As for [`get`](Dict::get).
    ///
    /// # Examples
    ///
    /// ```
    /// let d = poolrt::process::Manager::new().unwrap().dict().unwrap();
    /// d.insert(3u16, ()).unwrap();
    /// assert!(d.contains_key(&3).unwrap());
    /// assert!(!d.contains_key(&4).unwrap());
    /// ```
    pub fn contains_key(&self, key: &K) -> Result<bool, Error> {
        Ok(self.get(key)?.is_some())
    }

    /// The number of entries (Python's `len(d)`).
    ///
    /// # Errors
    ///
    /// The manager is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// let d = poolrt::process::Manager::new().unwrap().dict::<u8, u8>().unwrap();
    /// assert_eq!(d.len().unwrap(), 0);
    /// ```
    pub fn len(&self) -> Result<usize, Error> {
        match self.call(&C::Len)? {
            R::Len(n) => Ok(n as usize),
            _ => Err(unexpected()),
        }
    }

    /// Whether the dict is empty.
    ///
    /// # Errors
    ///
    /// The manager is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// let d = poolrt::process::Manager::new().unwrap().dict::<u8, u8>().unwrap();
    /// assert!(d.is_empty().unwrap());
    /// ```
    pub fn is_empty(&self) -> Result<bool, Error> {
        Ok(self.len()? == 0)
    }

    /// Every entry, in insertion order (Python's `list(d.items())`).
    ///
    /// # Errors
    ///
    /// The manager is gone, or an entry is not a `(K, V)`.
    ///
    /// # Examples
    ///
    /// ```
    /// let d = poolrt::process::Manager::new().unwrap().dict().unwrap();
    /// d.insert(2u8, 'b').unwrap();
    /// d.insert(1u8, 'a').unwrap();
    /// assert_eq!(d.items().unwrap(), [(2, 'b'), (1, 'a')]);
    /// ```
    pub fn items(&self) -> Result<Vec<(K, V)>, Error> {
        match self.call(&C::Items)? {
            R::Items(items) => items
                .iter()
                .map(|(k, v)| Ok((decode(k)?, decode(v)?)))
                .collect(),
            _ => Err(unexpected()),
        }
    }

    /// Every key, in insertion order.
    ///
    /// # Errors
    ///
    /// As for [`items`](Dict::items).
    ///
    /// # Examples
    ///
    /// ```
    /// let d = poolrt::process::Manager::new().unwrap().dict().unwrap();
    /// d.insert("x".to_owned(), 0u8).unwrap();
    /// assert_eq!(d.keys().unwrap(), ["x"]);
    /// ```
    pub fn keys(&self) -> Result<Vec<K>, Error> {
        Ok(self.items()?.into_iter().map(|(k, _)| k).collect())
    }

    /// Every value, in insertion order.
    ///
    /// # Errors
    ///
    /// As for [`items`](Dict::items).
    ///
    /// # Examples
    ///
    /// ```
    /// let d = poolrt::process::Manager::new().unwrap().dict().unwrap();
    /// d.insert(0u8, "v".to_owned()).unwrap();
    /// assert_eq!(d.values().unwrap(), ["v"]);
    /// ```
    pub fn values(&self) -> Result<Vec<V>, Error> {
        Ok(self.items()?.into_iter().map(|(_, v)| v).collect())
    }

    /// A copy as a `HashMap` (Python's `dict(d)`).
    ///
    /// # Errors
    ///
    /// As for [`items`](Dict::items).
    ///
    /// # Examples
    ///
    /// ```
    /// let d = poolrt::process::Manager::new().unwrap().dict().unwrap();
    /// d.insert(1u8, 10u8).unwrap();
    /// assert_eq!(d.to_hashmap().unwrap()[&1], 10);
    /// ```
    pub fn to_hashmap(&self) -> Result<HashMap<K, V>, Error>
    where
        K: Hash + Eq,
    {
        Ok(self.items()?.into_iter().collect())
    }

    /// Removes every entry.
    ///
    /// # Errors
    ///
    /// The manager is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// let d = poolrt::process::Manager::new().unwrap().dict().unwrap();
    /// d.insert(1u8, 1u8).unwrap();
    /// d.clear().unwrap();
    /// assert!(d.is_empty().unwrap());
    /// ```
    pub fn clear(&self) -> Result<(), Error> {
        self.done(&C::Clear)
    }

    /// The value of `key`, or `default` when absent (Python's
    /// `d.get(key, default)`).
    ///
    /// # Errors
    ///
    /// As for [`get`](Dict::get).
    ///
    /// # Examples
    ///
    /// ```
    /// let d = pool_process::Manager::new().unwrap().dict::<u8, u8>().unwrap();
    /// assert_eq!(d.get_or(&1, 7).unwrap(), 7);
    /// ```
    pub fn get_or(&self, key: &K, default: V) -> Result<V, Error> {
        Ok(self.get(key)?.unwrap_or(default))
    }

    /// The value of `key`, setting it to `default` first when absent, in
    /// one step on the manager (Python's `d.setdefault(key, default)`).
    ///
    /// # Errors
    ///
    /// As for [`get`](Dict::get).
    ///
    /// # Examples
    ///
    /// ```
    /// let d = pool_process::Manager::new().unwrap().dict::<u8, u8>().unwrap();
    /// assert_eq!(d.setdefault(1, 5).unwrap(), 5);
    /// assert_eq!(d.setdefault(1, 9).unwrap(), 5);
    /// ```
    pub fn setdefault(&self, key: K, default: V) -> Result<V, Error> {
        self.value(&C::SetDefault(encode(&key)?, encode(&default)?))?
            .ok_or_else(unexpected)
    }

    /// Sets every `(key, value)` of `items`, in one step on the manager
    /// (Python's `d.update(items)`).
    ///
    /// # Errors
    ///
    /// As for [`insert`](Dict::insert).
    ///
    /// # Examples
    ///
    /// ```
    /// let d = pool_process::Manager::new().unwrap().dict().unwrap();
    /// d.update([(1u8, 'a'), (2, 'b')]).unwrap();
    /// assert_eq!(d.len().unwrap(), 2);
    /// ```
    pub fn update(&self, items: impl IntoIterator<Item = (K, V)>) -> Result<(), Error> {
        let items = items
            .into_iter()
            .map(|(k, v)| Ok((encode(&k)?, encode(&v)?)))
            .collect::<Result<Vec<_>, Error>>()?;
        self.done(&C::Update(items))
    }

    /// Removes and returns the last inserted entry (Python's
    /// `d.popitem()`); `None` when the dict is empty (Python's
    /// `KeyError`).
    ///
    /// # Errors
    ///
    /// As for [`items`](Dict::items).
    ///
    /// # Examples
    ///
    /// ```
    /// let d = pool_process::Manager::new().unwrap().dict().unwrap();
    /// d.insert(1u8, 'a').unwrap();
    /// d.insert(2u8, 'b').unwrap();
    /// assert_eq!(d.popitem().unwrap(), Some((2, 'b')));
    /// ```
    pub fn popitem(&self) -> Result<Option<(K, V)>, Error> {
        match self.call(&C::PopItem)? {
            R::Item(item) => item
                .map(|(k, v)| Ok((decode(&k)?, decode(&v)?)))
                .transpose(),
            _ => Err(unexpected()),
        }
    }

    /// A copy of every entry, in insertion order (Python's `d.copy()`,
    /// which returns a plain dict too).
    ///
    /// # Errors
    ///
    /// As for [`items`](Dict::items).
    ///
    /// # Examples
    ///
    /// ```
    /// let d = pool_process::Manager::new().unwrap().dict().unwrap();
    /// d.insert(1u8, 'a').unwrap();
    /// assert_eq!(d.copy().unwrap()[&1], 'a');
    /// ```
    pub fn copy(&self) -> Result<indexmap::IndexMap<K, V>, Error>
    where
        K: Hash + Eq,
    {
        Ok(self.items()?.into_iter().collect())
    }
}

fn unexpected() -> Error {
    Error::from_kind(ErrorKind::Deserialize)
        .with_detail("an unexpected reply from the manager's dict")
}

proxy_common!(Dict<K, V>, "Dict");
