//! Why a put or a get on a shared queue failed: [`PutError`] and
//! [`GetError`], pool-core's, the same types as the thread backend's
//! queues return. A process queue adds one way to fail:
//! `PutError::Failed` (the item could not be serialized, or does not fit
//! the queue's buffer) and `GetError::Failed` (it could not be
//! deserialized).
//!
//! # Examples
//!
//! ```
//! use poolrt::process::{GetError, Queue};
//!
//! let q = Queue::new(1).unwrap();
//! q.put(1u32).unwrap();
//! let refused = q.put_nowait(2).unwrap_err();
//! assert!(refused.is_full());
//! assert_eq!(refused.into_inner(), 2);
//! assert_eq!(q.get_nowait().unwrap(), 1);
//! assert!(matches!(q.get_nowait(), Err(GetError::Empty)));
//! ```

pub use pool_core::{GetError, PutError};
