//! `Event`: Python's `multiprocessing.Event`, a flag word and a
//! generation counter in a shared segment.
//!
//! Each `set` bumps the generation. A waiter reads the generation before
//! the flag and, once woken, returns true if the generation moved, even if
//! the flag has been cleared again since: a `set()` followed at once by
//! `clear()` still wakes every process that was waiting at the `set()`
//! (CPython's gh-57711 fix).

use std::fmt;
use std::mem::offset_of;
use std::sync::Arc;
use std::sync::atomic::AtomicU32;
use std::sync::atomic::Ordering::SeqCst;
use std::time::{Duration, Instant};

use pool_core::{Deadline, Error};

use super::word::{ALL, SeqWord};
use crate::shared::create_error;
use crate::sys::segment::{Segment, shared_layout};

/// A flag processes wait for: Python's `multiprocessing.Event`.
///
/// # Examples
///
/// ```
/// use poolrt::process::{Event, Process};
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

shared_layout! {
    /// An event's shared segment.
    struct EventLayout {
        /// 1 while the event is set.
        flag: AtomicU32,
        /// The generation: bumped by each `set`; waiters sleep on it.
        changed: AtomicU32,
    }
}

const _: () = assert!(offset_of!(EventLayout, flag) == 0);
const _: () = assert!(offset_of!(EventLayout, changed) == 4);
const _: () = assert!(size_of::<EventLayout>() == 8);

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
    /// assert!(!poolrt::process::Event::new().unwrap().is_set());
    /// ```
    pub fn new() -> Result<Event, Error> {
        let segment = Segment::create("poolrt-event", 64).map_err(|e| create_error("Event", e))?;
        Ok(Event {
            segment: Arc::new(segment),
        })
    }

    fn shared(&self) -> &EventLayout {
        self.segment.header()
    }

    fn changed(&self) -> SeqWord<'_> {
        SeqWord(&self.shared().changed)
    }

    /// Sets the flag and wakes every waiter.
    ///
    /// # Examples
    ///
    /// ```
    /// let e = poolrt::process::Event::new().unwrap();
    /// e.set();
    /// assert!(e.is_set());
    /// ```
    pub fn set(&self) {
        self.shared().flag.store(1, SeqCst);
        self.changed().bump();
        self.changed().wake(ALL);
    }

    /// Clears the flag.
    ///
    /// # Examples
    ///
    /// ```
    /// let e = poolrt::process::Event::new().unwrap();
    /// e.set();
    /// e.clear();
    /// assert!(!e.is_set());
    /// ```
    pub fn clear(&self) {
        self.shared().flag.store(0, SeqCst);
    }

    /// Whether the flag is set.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!poolrt::process::Event::new().unwrap().is_set());
    /// ```
    pub fn is_set(&self) -> bool {
        self.shared().flag.load(SeqCst) == 1
    }

    /// Waits until the flag is set, or was set since the wait began (a
    /// `set` then `clear` wakes every waiter of that moment).
    ///
    /// # Examples
    ///
    /// ```
    /// let e = poolrt::process::Event::new().unwrap();
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
    /// let e = poolrt::process::Event::new().unwrap();
    /// assert!(!e.wait_timeout(Duration::from_millis(10)));
    /// ```
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        self.wait_until(Deadline::after(timeout).instant())
    }

    fn wait_until(&self, deadline: Option<Instant>) -> bool {
        // Read the generation before the flag: a `set` after the flag was
        // read bumps it, and the sleep returns at once.
        let seen = self.changed().seen();
        if self.is_set() {
            return true;
        }
        loop {
            let in_time = self.changed().wait(seen, deadline);
            // A new generation: a `set` happened while this waited, even
            // if a `clear` followed it.
            if self.changed().seen() != seen || self.is_set() {
                return true;
            }
            if !in_time {
                return false;
            }
        }
    }
}

shared_handle!(Event, "Event");
