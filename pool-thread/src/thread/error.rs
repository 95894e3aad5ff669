//! The old names of [`Thread`](crate::Thread)'s errors, kept for one
//! release: `start` and `join` now return [`pool_core::Error`], as
//! `Process`'s do.

/// Old name: `Thread::start` returns [`pool_core::Error`] (kind
/// `InvalidState` or `Spawn`).
#[deprecated(note = "Thread::start returns pool_core::Error, as Process::start does")]
pub type StartError = pool_core::Error;

/// Old name: `Thread::join` returns [`pool_core::Error`] (kind `Panicked`,
/// `Failed` or `InvalidState`).
#[deprecated(note = "Thread::join returns pool_core::Error, as Process::join does")]
pub type JoinError = pool_core::Error;

/// Old name of [`Target`](crate::Target), the counterpart of overriding
/// `Thread.run`. Implement `Target` instead; `Run` only serves as a bound.
#[deprecated(note = "renamed Target, as in the process backend")]
pub trait Run: crate::Target {}

#[allow(deprecated)]
impl<T: crate::Target> Run for T {}
