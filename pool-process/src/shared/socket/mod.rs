//! The shared objects that are sockets or descriptors rather than shared
//! memory: Python's `Pipe` and its `Connection` ends, and any descriptor
//! (`Fd`) handed to a child.

mod fd;
mod pipe;

pub use fd::Fd;
pub use pipe::{Connection, Pipe};
