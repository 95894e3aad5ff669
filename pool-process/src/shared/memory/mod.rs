//! Shared memory by name: Python's `multiprocessing.shared_memory`
//! ([`SharedMemory`], [`ShareableList`]) and `SharedMemoryManager`.
//!
//! | file | what |
//! |------|------|
//! | `segment.rs` | [`SharedMemory`]: create, open, copy in and out, close, unlink |
//! | `item.rs` | [`Item`]: the values a list holds, Python's equality and `struct` formats |
//! | `list.rs` | [`ShareableList`], in CPython's own layout |
//! | `manager.rs` | [`SharedMemoryManager`]: an owner that unlinks what it made |
//!
//! Unlike the other shared objects, which are anonymous memfds a child
//! inherits, these blocks are files in `/dev/shm` that any process of
//! the user opens by name (`sys/shm.rs`), so they outlive their creator
//! unless something unlinks them. That something is the shared-memory
//! tracker (`sys/shm_tracker.rs`, with its lifecycle): a process the
//! first tracked `create` starts, holding the read end of a pipe whose
//! write end only the creator has. When the creator ends, however it
//! ends (SIGKILL included), the kernel closes the pipe and the tracker
//! unlinks every block still announced. This is Python's resource
//! tracker, with two differences: each process that creates blocks has
//! its own tracker (Python shares the parent's with its children, so a
//! block a child made outlives the child), and the tracker unlinks a name
//! only if it still names the block announced.

mod item;
mod list;
mod manager;
mod segment;

pub use item::Item;
pub use list::ShareableList;
pub use manager::SharedMemoryManager;
pub use segment::SharedMemory;
