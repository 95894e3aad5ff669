//! The `queue` family: [`Queue`] (FIFO), [`LifoQueue`], [`PriorityQueue`]
//! and [`SimpleQueue`], with Python's `queue` semantics, including
//! `task_done`/`join` and Python 3.13's `shutdown`.
//!
//! The three bounded queues share one engine (`engine.rs`) and differ only
//! in their buffer; `README.md` beside this file describes the locking
//! protocol.

mod engine;
mod error;
mod fifo;
mod heap;
mod lifo;
mod priority;
mod simple;

pub use self::engine::Immediate;
pub use self::error::{Empty, GetError, PutError, ShutDown, TaskDoneError};
pub use self::fifo::Queue;
pub use self::lifo::LifoQueue;
pub use self::priority::PriorityQueue;
pub use self::simple::SimpleQueue;
