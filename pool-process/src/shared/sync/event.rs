//! `Event`: Python's `multiprocessing.Event`, a flag word and a
//! change counter in a shared segment.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::Ordering::SeqCst;
use std::time::{Duration, Instant};

use pool_core::{Deadline, Error};

use super::word::{ALL, SeqWord};
use crate::shared::create_error;
use crate::sys::segment::Segment;

/// A flag processes wait for: Python's `multiprocessing.Event`.
///
/// # Examples
///
/// ```
/// use pool_process::{Event, Process};
///
/// fn ready(go: Event) {
///     go.set();
/// }
///
/// let go = Event::new().unwrap();
/// let p = Process::new(ready, (go.clone(),));
/// p.start().unwrap();
/// assert!(go.wait_timeout(std::time::Duration::from_secs(30)));
/// p.join().unwrap();
/// ```
#[derive(Clone)]
pub struct Event {
    segment: Arc<Segment>,
}

/// Event layout: the flag, then the signal word waiters sleep on.
const FLAG: usize = 0;
const CHANGED: usize = 4;

impl Event {
    /// A new event, not set.
    ///
    /// # Errors
    ///
    /// The shared memory could not be created.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!pool_process::Event::new().unwrap().is_set());
    /// ```
    pub fn new() -> Result<Event, Error> {
        let segment = Segment::create("poolrt-event", 64).map_err(|e| create_error("Event", e))?;
        Ok(Event {
            segment: Arc::new(segment),
        })
    }

    fn signal(&self) -> SeqWord<'_> {
        SeqWord(self.segment.u32_at(CHANGED))
    }

    /// Sets the flag and wakes every waiter.
    ///
    /// # Examples
    ///
    /// ```
    /// let e = pool_process::Event::new().unwrap();
    /// e.set();
    /// assert!(e.is_set());
    /// ```
    pub fn set(&self) {
        self.segment.u32_at(FLAG).store(1, SeqCst);
        self.signal().bump();
        self.signal().wake(ALL);
    }

    /// Clears the flag.
    ///
    /// # Examples
    ///
    /// ```
    /// let e = pool_process::Event::new().unwrap();
    /// e.set();
    /// e.clear();
    /// assert!(!e.is_set());
    /// ```
    pub fn clear(&self) {
        self.segment.u32_at(FLAG).store(0, SeqCst);
    }

    /// Whether the flag is set.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!pool_process::Event::new().unwrap().is_set());
    /// ```
    pub fn is_set(&self) -> bool {
        self.segment.u32_at(FLAG).load(SeqCst) == 1
    }

    /// Waits until the flag is set.
    ///
    /// # Examples
    ///
    /// ```
    /// let e = pool_process::Event::new().unwrap();
    /// e.set();
    /// e.wait(); // returns at once
    /// ```
    pub fn wait(&self) {
        self.wait_until(None);
    }

    /// Waits at most `timeout`; returns whether the flag is set (Python's
    /// `wait(timeout)`).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let e = pool_process::Event::new().unwrap();
    /// assert!(!e.wait_timeout(Duration::from_millis(10)));
    /// ```
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        self.wait_until(Deadline::after(timeout).instant())
    }

    fn wait_until(&self, deadline: Option<Instant>) -> bool {
        loop {
            // Read the signal before the flag: a `set` after the flag was
            // read bumps the signal, and the sleep returns at once.
            let seen = self.signal().seen();
            if self.is_set() {
                return true;
            }
            if !self.signal().wait(seen, deadline) {
                return self.is_set();
            }
        }
    }
}

shared_handle!(Event, "Event");
