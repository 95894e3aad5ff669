//! The error values and flags that both backends' synchronisation
//! primitives, queues and threads/processes share, so that switching from
//! `poolrt::thread` to `poolrt::process` changes the import and nothing
//! else.
//!
//! | type | returned by |
//! |---|---|
//! | [`ReleaseError`] | `Lock::release`, `RLock::release`, `BoundedSemaphore::release` |
//! | [`BrokenBarrierError`] | `Barrier::wait`, `Barrier::wait_timeout` |
//! | [`PutError`] | `Queue::put`, `put_nowait`, `put_timeout` |
//! | [`GetError`] | `Queue::get`, `get_nowait`, `get_timeout`, and `SimpleQueue`'s |
//! | [`Daemon`] | `ThreadBuilder::daemon`, `ProcessBuilder::daemon` |
//! | [`Outcome`] | what a `Target`'s `run` returns |

mod barrier;
mod lifecycle;
mod queue;
mod release;

pub use barrier::BrokenBarrierError;
pub use lifecycle::{Daemon, Outcome};
pub use queue::{GetError, PutError};
pub use release::ReleaseError;
