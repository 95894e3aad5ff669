//! Objects shared between a parent and the children of its
//! [`Process`](crate::Process)es: Python's `multiprocessing.Lock`,
//! `RLock`, `Semaphore`, `BoundedSemaphore`, `Event`, `Condition`,
//! `Barrier`, `Queue`, `SimpleQueue`, `JoinableQueue`, `Value`, `Array`
//! and `Pipe`, any descriptor (`Fd`), and the
//! `Manager` with its `dict` and `list` proxies (`manager/`).
//!
//! Each lives in memory (a memfd segment) or a socket that every process
//! holding it maps or reads; a child gets it as an argument of its
//! `Process`, which hands over the descriptor (`inherit.rs`). Waiting is
//! done on futexes in the shared memory (`futex.rs`), so a blocked
//! process sleeps in the kernel and every wait has a timeout variant.
//!
//! Unlike Python, a process that dies while it holds an object's lock
//! (killed in the middle of a `put`, or while holding a `Lock`) does not
//! block the others: the locks are robust (`sync/README.md`). The next
//! `Lock`, `RLock`, `Value` or `Array` user takes the lock over and is
//! told the owner died (`previous_owner_died()`); a queue whose holder
//! died mid-operation reports itself broken, a `Barrier` breaks, and a
//! `Condition` skips dead waiters.

/// Serde for a shared object that is one segment (a `segment:
/// Arc<Segment>` field): it travels as its descriptor's index; `$what`
/// names it in messages.
macro_rules! segment_serde {
    ($ty:ident, $what:literal) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                crate::shared::serialize_fd(&*self.segment, $what, s)
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$ty, D::Error> {
                let segment = crate::shared::deserialize_segment(d, $what)?;
                Ok($ty {
                    segment: std::sync::Arc::new(segment),
                })
            }
        }
    };
}

mod manager;
mod memory;
mod queue;
mod socket;
pub(crate) mod sync;
mod value;

use std::os::fd::AsFd;

use serde::de::Error as _;
use serde::ser::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::sys::segment::Segment;

pub use manager::{Dict, List, Manager, managers};
pub use memory::{Item, ShareableList, SharedMemory, SharedMemoryManager};
pub use queue::Immediate;
pub use queue::{GetError, JoinableQueue, PutError, Queue, SimpleQueue};
pub use socket::{Connection, Fd, Pipe, connection};
pub use sync::SharedLock;
pub use sync::{
    Barrier, BoundedSemaphore, Condition, ConditionGuard, Event, Lock, LockGuard, RLock, Semaphore,
};
pub use value::{Array, ArrayGuard, Element, Value, ValueGuard};
pub use value::{RawArray, RawValue};

/// Serializes a shared object as the index of its descriptor.
fn serialize_fd<S: Serializer>(fd: &impl AsFd, what: &str, s: S) -> Result<S::Ok, S::Error> {
    crate::wire::inherit::export(fd.as_fd(), what)
        .map_err(S::Error::custom)?
        .serialize(s)
}

/// Maps the segment of a shared object decoded in a child.
fn deserialize_segment<'de, D: Deserializer<'de>>(d: D, what: &str) -> Result<Segment, D::Error> {
    let index = u32::deserialize(d)?;
    let fd = crate::wire::inherit::import(index, what).map_err(D::Error::custom)?;
    Segment::adopt(fd).map_err(|e| D::Error::custom(format!("cannot map the {what}: {e}")))
}

/// The error for a shared segment that could not be created.
fn create_error(what: &str, e: std::io::Error) -> pool_core::Error {
    pool_core::Error::new(pool_core::ErrorKind::SharedMemory, e)
        .with_detail(format!("needed by a {what}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_segment_that_cannot_be_created_is_a_shared_memory_error() {
        let os = std::io::Error::from_raw_os_error(24); // EMFILE
        let error = super::create_error("Lock", os);
        assert!(error.is_shared_memory(), "{error:?}");
        assert_eq!(
            error.to_string(),
            "could not create shared memory: needed by a Lock"
        );
        let cause = std::error::Error::source(&error).expect("the OS error");
        assert_eq!(
            cause
                .downcast_ref::<std::io::Error>()
                .unwrap()
                .raw_os_error(),
            Some(24)
        );
    }
}
