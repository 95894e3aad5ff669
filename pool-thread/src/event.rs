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
/// use poolrt::thread::Event;
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
    state: Mutex<State>,
    changed: Condvar,
}

/// What the lock protects.
///
/// `set` raising the flag starts a new generation. A waiter remembers the
/// generation it started waiting in and returns true once the flag is set
/// *or* the generation has moved on, so a `clear` right after `set` cannot
/// strand a waiter that was asleep at the `set` (CPython's gh-57711).
struct State {
    flag: bool,
    /// Times the flag went from false to true (wrapping; only compared
    /// for equality).
    generation: u64,
    /// Threads blocked in a wait.
    waiters: usize,
}

impl Event {
    /// An event whose flag is false.
    ///
    /// # Examples
    ///
    /// ```
    /// static READY: poolrt::thread::Event = poolrt::thread::Event::const_new();
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
    /// static X: poolrt::thread::Event = poolrt::thread::Event::const_new();
    /// # let _ = &X;
    /// ```
    pub const fn const_new() -> Event {
        Event {
            state: Mutex::new(State {
                flag: false,
                generation: 0,
                waiters: 0,
            }),
            changed: Condvar::new(),
        }
    }

    /// Sets the flag and wakes every waiting thread. Each thread that was
    /// waiting returns true, even if another thread calls
    /// [`clear`](Event::clear) before it runs again.
    ///
    /// # Examples
    ///
    /// ```
    /// let event = poolrt::thread::Event::new().unwrap();
    /// event.set();
    /// assert!(event.is_set());
    /// ```
    pub fn set(&self) {
        let mut state = self.state.lock();
        if !state.flag {
            state.flag = true;
            state.generation = state.generation.wrapping_add(1);
        }
        drop(state);
        self.changed.notify_all();
    }

    /// Resets the flag to false.
    ///
    /// # Examples
    ///
    /// ```
    /// let event = poolrt::thread::Event::new().unwrap();
    /// event.set();
    /// event.clear();
    /// assert!(!event.is_set());
    /// ```
    pub fn clear(&self) {
        self.state.lock().flag = false;
    }

    /// True when the flag is set.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!poolrt::thread::Event::new().unwrap().is_set());
    /// ```
    #[doc(alias = "isSet")]
    pub fn is_set(&self) -> bool {
        self.state.lock().flag
    }

    /// How many threads are blocked in [`wait`](Event::wait) or
    /// [`wait_timeout`](Event::wait_timeout) right now: a snapshot, for
    /// diagnostics and tests. A thread counted here is asleep on the event
    /// (or about to re-check it after a wake-up), so a `set` now wakes it.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let event = Arc::new(poolrt::thread::Event::new().unwrap());
    /// let waiter = {
    ///     let event = event.clone();
    ///     std::thread::spawn(move || event.wait())
    /// };
    /// while event.waiters() == 0 {
    ///     std::thread::yield_now();
    /// }
    /// event.set();
    /// waiter.join().unwrap();
    /// assert_eq!(event.waiters(), 0);
    /// ```
    pub fn waiters(&self) -> usize {
        self.state.lock().waiters
    }

    /// Blocks until the flag is set (returns at once if it is).
    ///
    /// # Examples
    ///
    /// ```
    /// let event = poolrt::thread::Event::new().unwrap();
    /// event.set();
    /// event.wait();
    /// ```
    pub fn wait(&self) {
        self.wait_until(Deadline::Never);
    }

    /// Blocks until the flag is set or `timeout` has passed; returns true
    /// if it was set (even if cleared again at once), false if it timed
    /// out.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let event = poolrt::thread::Event::new().unwrap();
    /// assert!(!event.wait_timeout(Duration::from_millis(5)));
    /// event.set();
    /// assert!(event.wait_timeout(Duration::from_millis(5)));
    /// ```
    #[doc(alias = "wait(timeout)")]
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        self.wait_until(Deadline::after(timeout))
    }

    fn wait_until(&self, deadline: Deadline) -> bool {
        let mut state = self.state.lock();
        if state.flag {
            return true;
        }
        let started = state.generation;
        state.waiters += 1;
        let woken = loop {
            // A new generation means a `set` happened while this thread
            // waited, whatever the flag says now.
            if state.flag || state.generation != started {
                break true;
            }
            if !deadline.wait(&self.changed, &mut state) {
                break false;
            }
        };
        state.waiters -= 1;
        woken
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
