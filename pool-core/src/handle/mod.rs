//! Task handles: the [`TaskFuture`] a submit returns, and the [`Promise`] that
//! completes a future by hand. The state machine is described in this
//! folder's `README.md`.

mod core;
mod future;
mod promise;

pub(crate) use self::core::{Core, WaitOutcome};
pub(crate) use self::future::Task;
pub use self::future::TaskFuture;
pub use self::promise::{Help, Promise, promise, promise_with_help};

#[cfg(all(test, loom))]
mod loom_model;
