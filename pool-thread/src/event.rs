//! `Event`: Python's `threading.Event`, a flag threads can wait for.

use std::fmt;
use std::time::Duration;

use parking_lot::{Condvar, Mutex};
use pool_core::Error;

use crate::deadline::{Deadline, DeadlineWait};

/// A flag that starts false; [`wait`](Event::wait) blocks until some
/// thread [`set`](Event::set)s it. Setting wakes every waiter;
/// [`clear`](Event::clear) makes later waits block again.
///
/// # Examples
///
/// The seed program: ten threads wait for one signal.
///
/// ```
/// use std::sync::Arc;
/// use pool_thread::Event;
///
/// let event = Arc::new(Event::new().unwrap());
/// let threads: Vec<_> = (0..10)
///     .map(|_| {
///         let event = event.clone();
///         std::thread::spawn(move || event.wait())
///     })
///     .collect();
/// event.set();
/// for t in threads {
///     t.join().unwrap();
/// }
/// ```
#[doc(alias = "threading.Event")]
pub struct Event {
    flag: Mutex<bool>,
    changed: Condvar,
}

impl Event {
    /// An event whose flag is false.
    ///
    /// # Examples
    ///
    /// ```
    /// static READY: pool_thread::Event = pool_thread::Event::const_new();
    /// assert!(!READY.is_set());
    /// ```
    pub fn new() -> Result<Event, Error> {
        Ok(Event::const_new())
    }

    /// The same, infallible and `const` (for a `static`): a thread
    /// primitive needs no OS resource. `new` returns a `Result` because
    /// the process backend's does.
    ///
    /// # Examples
    ///
    /// ```
    /// static X: pool_thread::Event = pool_thread::Event::const_new();
    /// # let _ = &X;
    /// ```
    pub const fn const_new() -> Event {
        Event {
            flag: Mutex::new(false),
            changed: Condvar::new(),
        }
    }

    /// Sets the flag and wakes every waiting thread.
    ///
    /// # Examples
    ///
    /// ```
    /// let event = pool_thread::Event::new().unwrap();
    /// event.set();
    /// assert!(event.is_set());
    /// ```
    pub fn set(&self) {
        *self.flag.lock() = true;
        self.changed.notify_all();
    }

    /// Resets the flag to false.
    ///
    /// # Examples
    ///
    /// ```
    /// let event = pool_thread::Event::new().unwrap();
    /// event.set();
    /// event.clear();
    /// assert!(!event.is_set());
    /// ```
    pub fn clear(&self) {
        *self.flag.lock() = false;
    }

    /// True when the flag is set.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!pool_thread::Event::new().unwrap().is_set());
    /// ```
    #[doc(alias = "isSet")]
    pub fn is_set(&self) -> bool {
        *self.flag.lock()
    }

    /// Blocks until the flag is set (returns at once if it is).
    ///
    /// # Examples
    ///
    /// ```
    /// let event = pool_thread::Event::new().unwrap();
    /// event.set();
    /// event.wait();
    /// ```
    pub fn wait(&self) {
        self.wait_until(Deadline::Never);
    }

    /// Blocks until the flag is set or `timeout` has passed; returns the
    /// flag, so false means it timed out.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let event = pool_thread::Event::new().unwrap();
    /// assert!(!event.wait_timeout(Duration::from_millis(5)));
    /// event.set();
    /// assert!(event.wait_timeout(Duration::from_millis(5)));
    /// ```
    #[doc(alias = "wait(timeout)")]
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        self.wait_until(Deadline::after(timeout))
    }

    fn wait_until(&self, deadline: Deadline) -> bool {
        let mut flag = self.flag.lock();
        while !*flag {
            if !deadline.wait(&self.changed, &mut flag) {
                return false;
            }
        }
        true
    }
}

impl Default for Event {
    fn default() -> Event {
        Event::const_new()
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("set", &self.is_set())
            .finish()
    }
}
