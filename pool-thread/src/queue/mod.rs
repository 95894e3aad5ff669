//! The `queue` family: [`Queue`] (FIFO), [`LifoQueue`], [`PriorityQueue`]
//! and [`SimpleQueue`], with Python's `queue` semantics, including
//! `task_done`/`join` and Python 3.13's `shutdown`.
//!
//! The three bounded queues are one type, [`OrderedQueue`], with an order
//! each (`order.rs`); they share one engine (`engine.rs`), and
//! `README.md` beside this file describes its locking protocol.

mod engine;
mod error;
mod heap;
mod order;
mod ordered;
mod simple;

pub use self::engine::Immediate;
#[allow(deprecated)]
pub use self::error::{Empty, ShutDown};
pub use self::error::{GetError, PutError, TaskDoneError};
pub use self::order::{Fifo, Lifo, Order, Priority};
pub use self::ordered::{LifoQueue, OrderedQueue, PriorityQueue, Queue};
pub use self::simple::SimpleQueue;
