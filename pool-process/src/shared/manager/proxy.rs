//! The typed proxies `Dict` and `List`, and the per-process connections
//! they share.

use std::collections::HashMap;
use std::fmt;
use std::hash::Hash;
use std::marker::PhantomData;
use std::os::unix::net::UnixStream;
use std::sync::Arc;

use parking_lot::Mutex;
use pool_core::{Error, ErrorKind};
use serde::{Deserialize, Serialize};

use super::server::{Server, connect, read_frame, write_frame};
use super::{Reply, Request, closed};
use crate::task::Wire;

/// A connection to one manager, made on first use (and again after a
/// failure). One request at a time goes over it: its mutex is held for
/// the exchange.
type Connection = Arc<Mutex<Option<UnixStream>>>;

/// This process's connection to each manager, by address.
static CONNECTIONS: Mutex<Vec<(String, Connection)>> = Mutex::new(Vec::new());

fn connection(address: &str) -> Connection {
    let mut all = CONNECTIONS.lock();
    if let Some((_, conn)) = all.iter().find(|(a, _)| a == address) {
        return conn.clone();
    }
    let conn = Arc::new(Mutex::new(None));
    all.push((address.to_owned(), conn.clone()));
    conn
}

/// Drops this process's connection to the manager at `address` (called
/// when that manager, which lives in this process, shuts down).
pub(super) fn forget(address: &str) {
    CONNECTIONS.lock().retain(|(a, _)| a != address);
}

/// Sends `request` to the manager at `address` and returns its reply; a
/// refusal becomes an [`ErrorKind::InvalidState`] error with its reason.
fn call(address: &str, request: &Request) -> Result<Reply, Error> {
    let conn = connection(address);
    let mut conn = conn.lock();
    if conn.is_none() {
        *conn = Some(connect(address).map_err(|e| closed(address, e))?);
    }
    let stream = conn.as_mut().expect("connected above");
    let reply = write_frame(stream, request).and_then(|()| read_frame::<Reply>(stream));
    match reply {
        Ok(Some(Reply::Refused(why))) => {
            Err(Error::from_kind(ErrorKind::InvalidState).with_detail(why))
        }
        Ok(Some(reply)) => Ok(reply),
        Ok(None) => {
            *conn = None;
            Err(closed(address, "it closed the connection"))
        }
        Err(e) => {
            *conn = None;
            Err(closed(address, e))
        }
    }
}

/// Creates a container; returns its id.
pub(super) fn create(address: &str, request: Request) -> Result<u64, Error> {
    match call(address, &request)? {
        Reply::Id(id) => Ok(id),
        other => Err(unexpected(&other)),
    }
}

fn unexpected(reply: &Reply) -> Error {
    Error::from_kind(ErrorKind::Deserialize)
        .with_detail(format!("an unexpected reply from the manager: {reply:?}"))
}

/// Encodes a key or value for the manager.
pub(super) fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, Error> {
    postcard::to_stdvec(value).map_err(|e| {
        Error::new(ErrorKind::Serialize, crate::shared::inherit::explain(e)).with_detail(format!(
            "a value for a manager ({})",
            std::any::type_name::<T>()
        ))
    })
}

fn decode<T: Wire>(bytes: &[u8]) -> Result<T, Error> {
    postcard::from_bytes(bytes).map_err(|e| {
        Error::new(ErrorKind::Deserialize, e).with_detail(format!(
            "a value from a manager ({})",
            std::any::type_name::<T>()
        ))
    })
}

fn value<T: Wire>(reply: Reply) -> Result<Option<T>, Error> {
    match reply {
        Reply::Value(bytes) => bytes.map(|b| decode(&b)).transpose(),
        other => Err(unexpected(&other)),
    }
}

fn done(reply: Reply) -> Result<(), Error> {
    match reply {
        Reply::Done => Ok(()),
        other => Err(unexpected(&other)),
    }
}

fn len(reply: Reply) -> Result<usize, Error> {
    match reply {
        Reply::Len(n) => Ok(n as usize),
        other => Err(unexpected(&other)),
    }
}

/// A proxy for a dict held by a [`Manager`](super::Manager): Python's
/// `manager.dict()`. It keeps insertion order, as Python's dicts do.
///
/// A proxy is a plain serde value (a socket name and an id): pass it to a
/// [`Process`](crate::Process), through a pool, a queue or a pipe. Every
/// call is one request to the manager, and fails with
/// [`ErrorKind::Closed`] once the manager is gone. In the manager's own
/// process a proxy keeps the manager running, so `manager.dict()` on a
/// temporary manager works.
///
/// # Examples
///
/// ```
/// let manager = pool_process::Manager::new().unwrap();
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
    pub(super) fn new(server: &Arc<Server>, id: u64) -> Dict<K, V> {
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
    /// let d = pool_process::Manager::new().unwrap().dict().unwrap();
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
    /// let d = pool_process::Manager::new().unwrap().dict::<u8, u8>().unwrap();
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
    /// let d = pool_process::Manager::new().unwrap().dict().unwrap();
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
    /// let d = pool_process::Manager::new().unwrap().dict().unwrap();
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
    /// let d = pool_process::Manager::new().unwrap().dict::<u8, u8>().unwrap();
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
    /// let d = pool_process::Manager::new().unwrap().dict::<u8, u8>().unwrap();
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
    /// let d = pool_process::Manager::new().unwrap().dict().unwrap();
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
    /// let d = pool_process::Manager::new().unwrap().dict().unwrap();
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
    /// let d = pool_process::Manager::new().unwrap().dict().unwrap();
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
    /// let d = pool_process::Manager::new().unwrap().dict().unwrap();
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
    /// let d = pool_process::Manager::new().unwrap().dict().unwrap();
    /// d.insert(1u8, 1u8).unwrap();
    /// d.clear().unwrap();
    /// assert!(d.is_empty().unwrap());
    /// ```
    pub fn clear(&self) -> Result<(), Error> {
        done(self.call(Request::DictClear(self.remote.id))?)
    }
}

/// A proxy for a list held by a [`Manager`](super::Manager): Python's
/// `manager.list()`. Indexes may be negative, counting from the end, as in
/// Python. See [`Dict`] for how proxies travel and fail.
///
/// # Examples
///
/// ```
/// let manager = pool_process::Manager::new().unwrap();
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
    pub(super) fn new(server: &Arc<Server>, id: u64) -> List<T> {
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
    /// let l = pool_process::Manager::new().unwrap().list::<u8>([]).unwrap();
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
    /// let l = pool_process::Manager::new().unwrap().list([0u8]).unwrap();
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
    /// [`ErrorKind::InvalidState`] for an index out of range (Python's
    /// `IndexError`), or the manager is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// let l = pool_process::Manager::new().unwrap().list(['a', 'b']).unwrap();
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
    /// let l = pool_process::Manager::new().unwrap().list([0u8; 3]).unwrap();
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
    /// let l = pool_process::Manager::new().unwrap().list([1u8, 3]).unwrap();
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
    /// [`ErrorKind::InvalidState`] for an empty list, or the manager is
    /// gone.
    ///
    /// # Examples
    ///
    /// ```
    /// let l = pool_process::Manager::new().unwrap().list([1u8]).unwrap();
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
    /// let l = pool_process::Manager::new().unwrap().list([1u8, 2, 3]).unwrap();
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
    /// let l = pool_process::Manager::new().unwrap().list(0u8..5).unwrap();
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
    /// let l = pool_process::Manager::new().unwrap().list::<u8>([]).unwrap();
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
    /// let l = pool_process::Manager::new().unwrap().list(["x".to_owned()]).unwrap();
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
    /// let l = pool_process::Manager::new().unwrap().list([1u8, 2]).unwrap();
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
    /// let l = pool_process::Manager::new().unwrap().list([1u8]).unwrap();
    /// l.clear().unwrap();
    /// assert!(l.is_empty().unwrap());
    /// ```
    pub fn clear(&self) -> Result<(), Error> {
        done(self.call(Request::ListClear(self.remote.id))?)
    }
}

/// What a proxy names: a container on one manager. In the manager's own
/// process it also holds the server, which stays up while a proxy lives
/// there.
#[derive(Clone, Serialize, Deserialize)]
struct Remote {
    address: String,
    id: u64,
    /// Held, never read: keeps the server running.
    #[serde(skip)]
    _server: Option<Arc<Server>>,
}

impl Remote {
    fn new(server: &Arc<Server>, id: u64) -> Remote {
        Remote {
            address: server.address().to_owned(),
            id,
            _server: Some(server.clone()),
        }
    }
}

macro_rules! proxy_common {
    ($ty:ident<$($p:ident),+>, $what:literal) => {
        impl<$($p),+> Clone for $ty<$($p),+> {
            fn clone(&self) -> Self {
                $ty {
                    remote: self.remote.clone(),
                    _types: PhantomData,
                }
            }
        }

        impl<$($p),+> fmt::Debug for $ty<$($p),+> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct($what)
                    .field("manager", &self.remote.address)
                    .field("id", &self.remote.id)
                    .finish()
            }
        }
    };
}

proxy_common!(Dict<K, V>, "Dict");
proxy_common!(List<T>, "List");
