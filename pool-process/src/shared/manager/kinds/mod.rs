//! The server side of the built-in types: each a [`Shared`](super::Shared)
//! object with its command and reply types, registered in every manager.

pub(super) mod dict;
pub(super) mod list;

use super::object::Registry;

/// The kinds every manager knows, by the names proxies ask for.
pub(super) fn builtins() -> Registry {
    let mut registry = Registry::default();
    registry.add("dict", dict::DictObject::new);
    registry.add("list", list::ListObject::new);
    registry
}
