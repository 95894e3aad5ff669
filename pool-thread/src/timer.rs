//! `Timer`: Python's `threading.Timer`, a thread that runs a function
//! after a delay unless cancelled.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::event::Event;
use pool_core::Error;

use crate::thread::{Thread, ThreadBuilder};

/// Runs a function once, `interval` after [`start`](Timer::start), in a
/// thread of its own, unless [`cancel`](Timer::cancel)led first.
///
/// As in Python, the timer is a [`Thread`] (named `Thread-N`, daemon flag
/// inherited; see [`thread`](Timer::thread)), and `cancel` only works while
/// it is still waiting: once the function has begun, it runs to the end.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use poolrt::thread::{Event, Timer};
///
/// let fired = Arc::new(Event::const_new());
/// let timer = Timer::new(Duration::from_millis(10), {
///     let fired = fired.clone();
///     move || fired.set()
/// });
/// timer.start().unwrap();
/// assert!(fired.wait_timeout(Duration::from_secs(10)));
/// timer.join().unwrap();
/// ```
#[doc(alias = "threading.Timer")]
pub struct Timer {
    thread: Thread,
    finished: Arc<Event>,
}

impl Timer {
    /// A timer that will call `function` `interval` after it is started.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let timer = poolrt::thread::Timer::new(Duration::from_secs(1), || {});
    /// assert!(!timer.is_alive());
    /// ```
    pub fn new(interval: Duration, function: impl FnOnce() + Send + 'static) -> Timer {
        Timer::with_builder(ThreadBuilder::new(), interval, function)
    }

    /// Like [`new`](Timer::new), with the timer thread's name, daemon flag
    /// or stack size taken from `builder`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use poolrt::thread::{Daemon, Thread, Timer};
    ///
    /// let builder = Thread::builder().name("alarm").daemon(Daemon::Yes);
    /// let timer = Timer::with_builder(builder, Duration::from_secs(60), || {});
    /// assert_eq!(timer.thread().name(), "alarm");
    /// ```
    pub fn with_builder(
        builder: ThreadBuilder,
        interval: Duration,
        function: impl FnOnce() + Send + 'static,
    ) -> Timer {
        let finished = Arc::new(Event::const_new());
        let thread = builder.target({
            let finished = finished.clone();
            move || {
                finished.wait_timeout(interval);
                if !finished.is_set() {
                    function();
                }
                finished.set();
            }
        });
        Timer { thread, finished }
    }

    /// Starts the countdown.
    ///
    /// # Errors
    ///
    /// As [`Thread::start`]: a timer can be started only once.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let timer = poolrt::thread::Timer::new(Duration::ZERO, || {});
    /// timer.start().unwrap();
    /// assert_eq!(timer.start().unwrap_err().kind(), poolrt::ErrorKind::InvalidState);
    /// ```
    pub fn start(&self) -> Result<(), Error> {
        self.thread.start()
    }

    /// Stops the timer if it is still waiting; the function will not run.
    /// Does nothing once the function has started.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
    /// use std::time::Duration;
    /// use poolrt::thread::Timer;
    ///
    /// let ran = Arc::new(AtomicBool::new(false));
    /// let timer = Timer::new(Duration::from_secs(60), {
    ///     let ran = ran.clone();
    ///     move || ran.store(true, SeqCst)
    /// });
    /// timer.start().unwrap();
    /// timer.cancel();
    /// timer.join().unwrap(); // returns at once, not after 60 s
    /// assert!(!ran.load(SeqCst));
    /// ```
    pub fn cancel(&self) {
        self.finished.set();
    }

    /// Waits for the timer thread to end (after the function ran, or after
    /// a cancel).
    ///
    /// # Errors
    ///
    /// As [`Thread::join`]; a panic of the function is reported here.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let timer = poolrt::thread::Timer::new(Duration::ZERO, || panic!("late"));
    /// timer.start().unwrap();
    /// assert!(timer.join().unwrap_err().is_panic());
    /// ```
    pub fn join(&self) -> Result<(), Error> {
        self.thread.join()
    }

    /// Waits at most `timeout`; returns whether the timer thread ended.
    ///
    /// # Errors
    ///
    /// As [`Thread::join`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let timer = poolrt::thread::Timer::new(Duration::from_secs(60), || {});
    /// timer.start().unwrap();
    /// assert!(!timer.join_timeout(Duration::from_millis(5)).unwrap());
    /// timer.cancel();
    /// ```
    #[doc(alias = "join(timeout)")]
    pub fn join_timeout(&self, timeout: Duration) -> Result<bool, Error> {
        self.thread.join_timeout(timeout)
    }

    /// True while the timer thread runs: waiting, or running the function.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let timer = poolrt::thread::Timer::new(Duration::from_secs(60), || {});
    /// timer.start().unwrap();
    /// assert!(timer.is_alive());
    /// timer.cancel();
    /// timer.join().unwrap();
    /// assert!(!timer.is_alive());
    /// ```
    pub fn is_alive(&self) -> bool {
        self.thread.is_alive()
    }

    /// The timer's thread, for its name, ident or daemon flag.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let timer = poolrt::thread::Timer::new(Duration::ZERO, || {});
    /// assert!(timer.thread().name().starts_with("Thread-"));
    /// ```
    pub fn thread(&self) -> &Thread {
        &self.thread
    }
}

impl fmt::Debug for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timer")
            .field("thread", &self.thread)
            .field("cancelled_or_done", &self.finished.is_set())
            .finish()
    }
}
