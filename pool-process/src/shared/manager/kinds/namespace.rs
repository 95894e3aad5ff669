//! `Namespace` and `Value` held by a manager, and their proxies.

use std::collections::BTreeMap;
use std::marker::PhantomData;

use pool_core::{Error, ErrorKind};
use serde::{Deserialize, Serialize};

use super::super::object::{Caller, Handled, Shared};
use super::super::proxy::{Remote, decode, encode};
use crate::task::Wire;

type Bytes = Vec<u8>;

#[derive(Serialize, Deserialize)]
pub(crate) enum NamespaceCommand {
    Get(String),
    Set(String, Bytes),
    Delete(String),
    Names,
}

#[derive(Serialize, Deserialize)]
pub(crate) enum NamespaceReply {
    Value(Option<Bytes>),
    Names(Vec<String>),
}

#[derive(Default)]
pub(crate) struct NamespaceObject(BTreeMap<String, Bytes>);

impl NamespaceObject {
    pub(crate) fn new(_: ()) -> NamespaceObject {
        NamespaceObject::default()
    }
}

impl Shared for NamespaceObject {
    type Command = NamespaceCommand;
    type Reply = NamespaceReply;

    fn handle(&mut self, command: NamespaceCommand, _: Caller) -> Handled<NamespaceReply> {
        Handled::Done(match command {
            NamespaceCommand::Get(name) => NamespaceReply::Value(self.0.get(&name).cloned()),
            NamespaceCommand::Set(name, value) => NamespaceReply::Value(self.0.insert(name, value)),
            NamespaceCommand::Delete(name) => NamespaceReply::Value(self.0.remove(&name)),
            NamespaceCommand::Names => NamespaceReply::Names(self.0.keys().cloned().collect()),
        })
    }
}

/// The proxy of a namespace held by a [`Manager`](crate::Manager)
/// (Python's `manager.Namespace()`): named fields of any serde type, read
/// and written through the proxy (Python's `ns.x` and `ns.x = v`).
///
/// # Examples
///
/// ```
/// let ns = pool_process::Manager::new().unwrap().namespace().unwrap();
/// ns.set("x", &1.5f64).unwrap();
/// ns.set("name", &"ada").unwrap();
/// assert_eq!(ns.get::<f64>("x").unwrap(), 1.5);
/// assert_eq!(ns.names().unwrap(), ["name", "x"]);
/// ```
#[derive(Serialize, Deserialize)]
pub struct Namespace {
    pub(crate) remote: Remote,
    #[serde(skip)]
    pub(crate) _types: PhantomData<()>,
}

proxy_common!(Namespace, "Namespace");

impl Namespace {
    fn value(&self, command: &NamespaceCommand) -> Result<Option<Bytes>, Error> {
        match self.remote.call(command, None)? {
            NamespaceReply::Value(bytes) => Ok(bytes),
            NamespaceReply::Names(_) => Err(unexpected()),
        }
    }

    /// The field `name` (Python's `ns.name`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidState`] if there is no such field (Python's
    /// `AttributeError`), [`ErrorKind::Deserialize`] if it is not a `T`;
    /// the manager is gone.
    ///
    /// # Examples
    ///
    /// See [`Namespace`].
    pub fn get<T: Wire>(&self, name: &str) -> Result<T, Error> {
        match self.value(&NamespaceCommand::Get(name.to_owned()))? {
            Some(bytes) => decode(&bytes),
            None => Err(Error::from_kind(ErrorKind::InvalidState)
                .with_detail(format!("the namespace has no field {name:?}"))),
        }
    }

    /// Sets the field `name` (Python's `ns.name = value`).
    ///
    /// # Errors
    ///
    /// `value` could not be serialized; the manager is gone.
    ///
    /// # Examples
    ///
    /// See [`Namespace`].
    pub fn set<T: Serialize + ?Sized>(&self, name: &str, value: &T) -> Result<(), Error> {
        self.value(&NamespaceCommand::Set(name.to_owned(), encode(value)?))
            .map(drop)
    }

    /// Removes the field `name` (Python's `del ns.name`); whether it was
    /// there.
    ///
    /// # Errors
    ///
    /// The manager is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// let ns = pool_process::Manager::new().unwrap().namespace().unwrap();
    /// ns.set("x", &1).unwrap();
    /// assert!(ns.delete("x").unwrap());
    /// assert!(!ns.delete("x").unwrap());
    /// ```
    pub fn delete(&self, name: &str) -> Result<bool, Error> {
        Ok(self
            .value(&NamespaceCommand::Delete(name.to_owned()))?
            .is_some())
    }

    /// The fields' names, sorted (Python's `vars(ns)`).
    ///
    /// # Errors
    ///
    /// The manager is gone.
    ///
    /// # Examples
    ///
    /// See [`Namespace`].
    pub fn names(&self) -> Result<Vec<String>, Error> {
        match self.remote.call(&NamespaceCommand::Names, None)? {
            NamespaceReply::Names(names) => Ok(names),
            NamespaceReply::Value(_) => Err(unexpected()),
        }
    }
}

#[derive(Serialize, Deserialize)]
pub(crate) enum ValueCommand {
    Get,
    Set(Bytes),
}

pub(crate) struct ValueObject(Bytes);

impl ValueObject {
    pub(crate) fn new(initial: Bytes) -> ValueObject {
        ValueObject(initial)
    }
}

impl Shared for ValueObject {
    type Command = ValueCommand;
    type Reply = Bytes;

    fn handle(&mut self, command: ValueCommand, _: Caller) -> Handled<Bytes> {
        match command {
            ValueCommand::Get => Handled::Done(self.0.clone()),
            ValueCommand::Set(value) => Handled::Done(std::mem::replace(&mut self.0, value)),
        }
    }
}

/// The proxy of a value held by a [`Manager`](crate::Manager) (Python's
/// `manager.Value(typecode, value)`, whose `ValueProxy` has `get()`,
/// `set()` and `.value`); any serde type. For an array, use a
/// [`List`](crate::List) (Python's `manager.Array` is a list-like proxy
/// too).
///
/// # Examples
///
/// ```
/// let v = pool_process::Manager::new().unwrap().value(10i64).unwrap();
/// v.set(11).unwrap();
/// assert_eq!(v.get().unwrap(), 11);
/// ```
#[derive(Serialize, Deserialize)]
#[serde(bound = "")]
pub struct ValueProxy<T> {
    pub(crate) remote: Remote,
    #[serde(skip)]
    pub(crate) _types: PhantomData<fn() -> T>,
}

proxy_common!(ValueProxy<T>, "ValueProxy");

impl<T: Wire> ValueProxy<T> {
    /// The value.
    ///
    /// # Errors
    ///
    /// The stored value is not a `T`; the manager is gone.
    ///
    /// # Examples
    ///
    /// See [`ValueProxy`].
    pub fn get(&self) -> Result<T, Error> {
        decode(&self.remote.call::<_, Bytes>(&ValueCommand::Get, None)?)
    }

    /// Sets the value; returns the one it replaced.
    ///
    /// # Errors
    ///
    /// As for [`get`](Self::get), or `value` could not be serialized.
    ///
    /// # Examples
    ///
    /// See [`ValueProxy`].
    pub fn set(&self, value: T) -> Result<T, Error> {
        decode(
            &self
                .remote
                .call::<_, Bytes>(&ValueCommand::Set(encode(&value)?), None)?,
        )
    }
}

fn unexpected() -> Error {
    Error::from_kind(ErrorKind::Deserialize)
        .with_detail("an unexpected reply from the manager's namespace")
}
