//! A queue's end of use, as Python's: `close` (per process) and the
//! feeder-thread calls that have nothing to wait for here, and
//! `shutdown` (across processes, as `thread::Queue`'s).

use std::sync::atomic::Ordering::Relaxed;

use pool_core::{Error, ErrorKind};

use super::{Immediate, Queue};
use crate::task::Wire;

impl<T: Wire> Queue<T> {
    /// Ends this process's use of the queue: Python's `close()`. Later
    /// puts and gets through any clone of this handle fail with
    /// [`ErrorKind::Closed`] (Python's `ValueError`); `qsize`, `empty`,
    /// `full` and a `JoinableQueue`'s `task_done` and `join` still work.
    /// Other processes, and the handles they were given, are not
    /// affected, nor are the items already put: a put has reached shared
    /// memory by the time it returns. Closing twice does nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::ErrorKind;
    ///
    /// let q = poolrt::process::Queue::new(0).unwrap();
    /// q.put(1u8).unwrap();
    /// q.close();
    /// let error = q.put(2).unwrap_err();
    /// assert_eq!(error.error().unwrap().kind(), ErrorKind::Closed);
    /// assert_eq!(q.qsize(), 1);
    /// q.join_thread().unwrap();
    /// ```
    pub fn close(&self) {
        self.ring.closed.store(true, Relaxed);
    }

    /// Python's `join_thread()`: waits until this process's puts are
    /// flushed. A poolrt put writes the item into shared memory before it
    /// returns, with no feeder thread in between, so they already are:
    /// this returns at once, and never blocks.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidState`] if the queue was not
    /// [`close`](Queue::close)d first (Python's `AssertionError`).
    ///
    /// # Examples
    ///
    /// ```
    /// let q = poolrt::process::Queue::new(0).unwrap();
    /// q.put("last words".to_owned()).unwrap();
    /// assert!(q.join_thread().is_err(), "not closed yet");
    /// q.close();
    /// q.join_thread().unwrap();
    /// ```
    pub fn join_thread(&self) -> Result<(), Error> {
        if self.ring.closed.load(Relaxed) {
            Ok(())
        } else {
            Err(Error::from_kind(ErrorKind::InvalidState)
                .with_detail("join_thread() before close() on this queue"))
        }
    }

    /// Python's `cancel_join_thread()`, which lets a process exit without
    /// flushing its buffered puts. poolrt buffers none (see
    /// [`join_thread`](Queue::join_thread)), so this does nothing: an
    /// exiting process never waits on a queue, and never loses what it
    /// put.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = poolrt::process::Queue::new(0).unwrap();
    /// q.put(1u8).unwrap();
    /// q.cancel_join_thread();
    /// assert_eq!(q.get().unwrap(), 1, "nothing was lost");
    /// ```
    pub fn cancel_join_thread(&self) {}

    /// Shuts the queue down for every process that holds it: Python
    /// 3.13's `shutdown(immediate)`, as the thread backend's. Puts then
    /// fail with [`PutError::ShutDown`](crate::PutError::ShutDown); gets return what is left, then
    /// fail with [`GetError::ShutDown`](crate::GetError::ShutDown). With [`Immediate::Yes`] the items
    /// left are dropped at once, each counted as done (so a
    /// [`JoinableQueue::join`](crate::JoinableQueue::join) returns once nothing else is unfinished).
    /// Every put and get blocked on the queue, in any process, wakes up
    /// to see it. Shutting down twice is harmless, and a later
    /// `Immediate::Yes` still drops what is left.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Broken`] if the queue is broken (see the type's docs).
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::{Immediate, Queue};
    ///
    /// let q = Queue::new(0).unwrap();
    /// q.put(1u8).unwrap();
    /// q.shutdown(Immediate::No).unwrap();
    /// assert!(q.put(2).unwrap_err().is_shutdown());
    /// assert_eq!(q.get().unwrap(), 1);
    /// assert!(q.get().unwrap_err().is_shutdown());
    /// ```
    pub fn shutdown(&self, immediate: Immediate) -> Result<(), Error> {
        self.ring.shutdown(immediate == Immediate::Yes)
    }

    /// True once [`shutdown`](Queue::shutdown) was called, by any process.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = poolrt::process::Queue::<u8>::new(0).unwrap();
    /// assert!(!q.is_shutdown());
    /// q.shutdown(poolrt::process::Immediate::Yes).unwrap();
    /// assert!(q.is_shutdown());
    /// ```
    pub fn is_shutdown(&self) -> bool {
        self.ring.is_shutdown()
    }
}

/// The error of a put or get after [`Queue::close`].
pub(super) fn closed(operation: &str) -> Error {
    Error::from_kind(ErrorKind::Closed).with_detail(format!(
        "cannot {operation}: this process closed the queue (Queue::close)"
    ))
}
