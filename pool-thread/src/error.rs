//! Errors of the synchronisation primitives: [`ReleaseError`] and
//! [`BrokenBarrierError`], pool-core's, shared with the process backend.

pub use pool_core::{BrokenBarrierError, ReleaseError};
