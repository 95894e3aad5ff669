//! `Dict`: the proxy of a dict held by a manager.

use std::collections::HashMap;
use std::fmt;
use std::hash::Hash;
use std::marker::PhantomData;
use std::sync::Arc;

use pool_core::Error;
use serde::{Deserialize, Serialize};

use super::super::server::Server;
use super::super::{Reply, Request};
use crate::task::Wire;

use super::{Remote, call, decode, done, encode, len, unexpected, value};

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
    pub(crate) fn new(server: &Arc<Server>, id: u64) -> Dict<K, V> {
        Dict {
            remote: Remote::new(server, id),
            _types: PhantomData,
        }
    }

    fn call(&self, request: Request) -> Result<Reply, Error> {
        call(&self.remote.address, &request)
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
        let request = Request::DictSet(self.remote.id, encode(&key)?, encode(&value)?);
        done(self.call(request)?)
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
        value(self.call(Request::DictGet(self.remote.id, encode(key)?))?)
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
        value(self.call(Request::DictRemove(self.remote.id, encode(key)?))?)
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
        len(self.call(Request::DictLen(self.remote.id))?)
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
        match self.call(Request::DictItems(self.remote.id))? {
            Reply::Items(items) => items
                .iter()
                .map(|(k, v)| Ok((decode(k)?, decode(v)?)))
                .collect(),
            other => Err(unexpected(&other)),
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
        done(self.call(Request::DictClear(self.remote.id))?)
    }
}

proxy_common!(Dict<K, V>, "Dict");
