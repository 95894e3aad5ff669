//! The server side of the built-in types: each a [`Shared`](super::Shared)
//! object with its command and reply types, registered in every manager.

pub(super) mod barrier;
pub(super) mod condition;
pub(super) mod dict;
pub(super) mod list;
pub(super) mod namespace;
pub(super) mod queue;
pub(super) mod sync;

use super::object::Registry;

/// The kinds every manager knows, by the names proxies ask for.
pub(super) fn builtins() -> Registry {
    let mut registry = Registry::default();
    registry.add("dict", dict::DictObject::new);
    registry.add("list", list::ListObject::new);
    registry.add("namespace", namespace::NamespaceObject::new);
    registry.add("value", namespace::ValueObject::new);
    registry.add("queue", queue::QueueObject::new);
    registry.add("lock", sync::LockObject::lock);
    registry.add("rlock", sync::LockObject::rlock);
    registry.add("semaphore", sync::SemaphoreObject::new);
    registry.add("bounded_semaphore", sync::SemaphoreObject::bounded);
    registry.add("event", sync::EventObject::new);
    registry.add("barrier", barrier::BarrierObject::new);
    registry.add("condition", condition::ConditionObject::new);
    registry
}
