//! `AsyncResult`, the handle of `apply_async` / `map_async`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use pool_core::{Error, ErrorKind, Promise, TaskFuture, promise};

use super::callbacks::Callbacks;
use crate::link::StopFlag;
use crate::pool::links::LinkPool;

/// How long `get` busy-waits for a reply before it parks: a few round
/// trips of a short task; against a long task, a negligible cost.
pub(crate) const REPLY_SPIN: Duration = Duration::from_micros(50);

/// The handle `apply_async` and `map_async` return (Python's
/// `AsyncResult`).
///
/// When callbacks were given, the result counts as ready only once they
/// have run, as in Python: `get` returns after the callback saw the value.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use poolrt::process::Pool;
///
/// fn slow(ms: u64) -> u64 { std::thread::sleep(Duration::from_millis(ms)); ms }
///
/// let pool = Pool::new(1).unwrap();
/// let result = pool.apply_async(slow, 300).unwrap();
/// assert!(result.get_timeout(Duration::from_millis(10)).unwrap_err().is_timeout());
/// assert!(result.successful().unwrap_err().to_string().contains("not ready"));
/// assert_eq!(result.get().unwrap(), 300, "a timed-out get only stopped waiting");
/// assert!(result.successful().unwrap());
/// ```
pub struct AsyncResult<R> {
    future: Arc<TaskFuture<R>>,
    /// Done once the callbacks have run (absent without callbacks).
    delivered: Option<TaskFuture<()>>,
    /// Read by the link running the task (`stop`).
    stop: Arc<StopFlag>,
}

impl<R: Send + Sync + 'static> AsyncResult<R> {
    /// Wraps `future`; with callbacks, arranges for the result handler to
    /// run them when it completes.
    pub(crate) fn new(
        links: &LinkPool,
        future: TaskFuture<R>,
        callbacks: Callbacks<R>,
        stop: Arc<StopFlag>,
    ) -> AsyncResult<R> {
        let future = Arc::new(future);
        if callbacks.is_empty() {
            return AsyncResult {
                future,
                delivered: None,
                stop,
            };
        }
        let (gate, delivered) = promise::<()>();
        let sender = links.delivery_sender();
        let for_handler = future.clone();
        future.add_done_callback(move |_| {
            // On the thread that completed the task: hand the callbacks to
            // the result handler, which runs them in completion order.
            let delivery = Box::new(move || run_callbacks(&for_handler, callbacks, gate));
            if let Err(undelivered) = sender.send(delivery) {
                (undelivered.into_inner())();
            }
        });
        AsyncResult {
            future,
            delivered: Some(delivered),
            stop,
        }
    }
}

fn run_callbacks<R: Send + Sync + 'static>(
    future: &TaskFuture<R>,
    callbacks: Callbacks<R>,
    gate: Promise<()>,
) {
    let Callbacks {
        on_result,
        on_error,
        ..
    } = callbacks;
    future.add_done_callback(move |outcome| match outcome {
        Ok(value) => {
            if let Some(f) = on_result {
                f(value);
            }
        }
        Err(error) => {
            if let Some(f) = on_error {
                f(error);
            }
        }
    });
    let _ = gate.set_result(());
}

impl<R> AsyncResult<R> {
    /// Blocks until the result is ready, then returns it (Python's `get()`).
    /// The value moves out on the first successful call.
    ///
    /// # Errors
    ///
    /// The task's failure: a panic in the worker (with message and
    /// location), a worker process that died (with pid and exit status), a
    /// value that could not be serialized.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::ErrorKind;
    /// use poolrt::process::Pool;
    ///
    /// fn parse(s: String) -> i64 { s.parse().unwrap() }
    ///
    /// let pool = Pool::new(1).unwrap();
    /// let ok = pool.apply_async(parse, "42".to_string()).unwrap();
    /// assert_eq!(ok.get().unwrap(), 42);
    /// assert_eq!(ok.get().unwrap_err().kind(), ErrorKind::Retrieved, "the value moved out");
    /// let bad = pool.apply_async(parse, "forty-two".to_string()).unwrap();
    /// assert!(bad.get().unwrap_err().is_panic());
    /// ```
    pub fn get(&self) -> Result<R, Error> {
        // A worker's reply to a short task arrives within microseconds:
        // catching it spinning saves the futex round trip of a park.
        self.future.spin_wait(REPLY_SPIN);
        if let Some(delivered) = &self.delivered {
            delivered.wait();
        }
        self.future.result()
    }

    /// Like [`get`](AsyncResult::get), but gives up after `timeout` with a
    /// timeout error (Python's `multiprocessing.TimeoutError`); the task
    /// goes on.
    ///
    /// # Errors
    ///
    /// As [`get`](AsyncResult::get), plus the timeout.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use std::net::TcpListener;
    /// use std::time::Duration;
    /// use poolrt::process::Pool;
    /// # use std::io::Read;
    /// # use std::net::TcpStream;
    /// # /// Connects to the parent and returns the byte it sends.
    /// # fn gated(port: u16) -> u8 {
    /// #     let mut byte = [0];
    /// #     TcpStream::connect(("127.0.0.1", port)).unwrap().read_exact(&mut byte).unwrap();
    /// #     byte[0]
    /// # }
    ///
    /// // `gated(port)` (hidden) returns the byte the parent sends it.
    /// let pool = Pool::new(1).unwrap();
    /// let gate = TcpListener::bind("127.0.0.1:0").unwrap();
    /// let result = pool.apply_async(gated, gate.local_addr().unwrap().port()).unwrap();
    /// assert!(result.get_timeout(Duration::from_millis(10)).unwrap_err().is_timeout());
    /// gate.accept().unwrap().0.write_all(&[7]).unwrap();
    /// assert_eq!(result.get_timeout(Duration::from_secs(60)).unwrap(), 7, "the task went on");
    /// ```
    pub fn get_timeout(&self, timeout: Duration) -> Result<R, Error> {
        // A timeout too large for a deadline (`Duration::MAX`) waits forever.
        let deadline = Instant::now().checked_add(timeout);
        if let Some(delivered) = &self.delivered
            && !delivered.wait_timeout(timeout)
        {
            return Err(Error::timeout(1, 1));
        }
        match deadline {
            Some(deadline) => self
                .future
                .result_timeout(deadline.saturating_duration_since(Instant::now())),
            None => self.future.result(),
        }
    }

    /// Blocks until the result is ready (Python's `wait()`).
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::Pool;
    ///
    /// let pool = Pool::new(1).unwrap();
    /// let result = pool.apply_async(|x: u32| x + 1, 1).unwrap();
    /// result.wait();
    /// assert!(result.ready());
    /// assert_eq!(result.get().unwrap(), 2);
    /// ```
    pub fn wait(&self) {
        match &self.delivered {
            Some(delivered) => delivered.wait(),
            None => self.future.wait(),
        }
    }

    /// Blocks until the result is ready or `timeout` passes; true if ready.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use std::net::TcpListener;
    /// use std::time::Duration;
    /// use poolrt::process::Pool;
    /// # use std::io::Read;
    /// # use std::net::TcpStream;
    /// # /// Connects to the parent and returns the byte it sends.
    /// # fn gated(port: u16) -> u8 {
    /// #     let mut byte = [0];
    /// #     TcpStream::connect(("127.0.0.1", port)).unwrap().read_exact(&mut byte).unwrap();
    /// #     byte[0]
    /// # }
    ///
    /// // `gated(port)` (hidden) returns the byte the parent sends it.
    /// let pool = Pool::new(1).unwrap();
    /// let gate = TcpListener::bind("127.0.0.1:0").unwrap();
    /// let result = pool.apply_async(gated, gate.local_addr().unwrap().port()).unwrap();
    /// assert!(!result.wait_timeout(Duration::from_millis(10)));
    /// gate.accept().unwrap().0.write_all(&[7]).unwrap();
    /// assert!(result.wait_timeout(Duration::from_secs(60)));
    /// assert_eq!(result.get().unwrap(), 7);
    /// ```
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        match &self.delivered {
            Some(delivered) => delivered.wait_timeout(timeout),
            None => self.future.wait_timeout(timeout),
        }
    }

    /// Stops the task: a running one has its worker process stopped
    /// (`SIGTERM`, a short grace, `SIGKILL`) and replaced, by the link
    /// that sent it the task; a queued one is not started. The task then
    /// fails with [`ErrorKind::Stopped`] (a task that had already
    /// finished keeps its outcome), and is never retried. For a
    /// `map_async` result, every chunk of the map is stopped. Returns at once; [`wait`](AsyncResult::wait)
    /// for the outcome.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use poolrt::process::Pool;
    ///
    /// fn spin(_: ()) -> u8 { loop { std::hint::spin_loop() } }
    ///
    /// let pool = Pool::new(1).unwrap();
    /// let runaway = pool.apply_async(spin, ()).unwrap();
    /// runaway.stop();
    /// assert!(runaway.get_timeout(Duration::from_secs(30)).unwrap_err().is_stopped());
    /// assert_eq!(pool.apply(|x: u8| x + 1, 1).unwrap(), 2, "the pool carries on");
    /// ```
    pub fn stop(&self) {
        self.stop.request();
    }

    /// True once the result is ready (Python's `ready()`).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use std::net::TcpListener;
    /// use poolrt::process::Pool;
    /// # use std::io::Read;
    /// # use std::net::TcpStream;
    /// # /// Connects to the parent and returns the byte it sends.
    /// # fn gated(port: u16) -> u8 {
    /// #     let mut byte = [0];
    /// #     TcpStream::connect(("127.0.0.1", port)).unwrap().read_exact(&mut byte).unwrap();
    /// #     byte[0]
    /// # }
    ///
    /// // `gated(port)` (hidden) returns the byte the parent sends it.
    /// let pool = Pool::new(1).unwrap();
    /// let gate = TcpListener::bind("127.0.0.1:0").unwrap();
    /// let result = pool.apply_async(gated, gate.local_addr().unwrap().port()).unwrap();
    /// assert!(!result.ready());
    /// gate.accept().unwrap().0.write_all(&[7]).unwrap();
    /// result.wait();
    /// assert!(result.ready());
    /// ```
    pub fn ready(&self) -> bool {
        match &self.delivered {
            Some(delivered) => delivered.done(),
            None => self.future.done(),
        }
    }

    /// Whether the result is ready, as [`ready`](AsyncResult::ready) (the
    /// name Python uses).
    ///
    /// # Examples
    ///
    /// ```
    /// let pool = poolrt::process::Pool::new(1).unwrap();
    /// let result = pool.apply_async(|x: u8| x + 1, 1).unwrap();
    /// result.wait();
    /// assert!(result.is_ready());
    /// ```
    #[doc(alias = "ready")]
    pub fn is_ready(&self) -> bool {
        self.ready()
    }

    /// Whether the task succeeded (Python's `successful()`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotReady`] before the result is ready, as Python raises
    /// `ValueError`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use std::net::TcpListener;
    /// use poolrt::ErrorKind;
    /// use poolrt::process::Pool;
    /// # use std::io::Read;
    /// # use std::net::TcpStream;
    /// # /// Connects to the parent and returns the byte it sends.
    /// # fn gated(port: u16) -> u8 {
    /// #     let mut byte = [0];
    /// #     TcpStream::connect(("127.0.0.1", port)).unwrap().read_exact(&mut byte).unwrap();
    /// #     byte[0]
    /// # }
    ///
    /// // `gated(port)` (hidden) returns the byte the parent sends it.
    /// let pool = Pool::new(1).unwrap();
    /// let gate = TcpListener::bind("127.0.0.1:0").unwrap();
    /// let result = pool.apply_async(gated, gate.local_addr().unwrap().port()).unwrap();
    /// assert_eq!(result.successful().unwrap_err().kind(), ErrorKind::NotReady);
    /// gate.accept().unwrap().0.write_all(&[7]).unwrap();
    /// result.wait();
    /// assert!(result.successful().unwrap());
    ///
    /// let failed = pool.apply_async(|x: u8| 1 / x, 0).unwrap();
    /// failed.wait();
    /// assert!(!failed.successful().unwrap());
    /// ```
    pub fn successful(&self) -> Result<bool, Error> {
        if !self.ready() {
            return Err(Error::from_kind(ErrorKind::NotReady));
        }
        Ok(self.future.exception().is_none())
    }
}

impl<R> AsyncResult<R> {
    /// The poll of both `Future` impls: ready once the callbacks (if any)
    /// have run, then the task's outcome, moved out as by
    /// [`get`](AsyncResult::get).
    fn poll_result(&self, cx: &mut Context<'_>) -> Poll<Result<R, Error>> {
        if let Some(delivered) = &self.delivered
            && !delivered.done()
            && Pin::new(&mut &*delivered).poll(cx).is_pending()
        {
            return Poll::Pending;
        }
        Pin::new(&mut &*self.future).poll(cx)
    }
}

/// An `AsyncResult` can be awaited from any async runtime, like a
/// [`TaskFuture`]: the task's outcome, once its callbacks have run. The
/// polling thread never blocks on the worker.
///
/// # Examples
///
/// ```
/// use poolrt::process::Pool;
///
/// let pool = Pool::new(1).unwrap();
/// let result = pool.apply_async(|x: u32| x * 3, 5).unwrap();
/// // Any executor: here a minimal one; tokio's `.await` works the same.
/// assert_eq!(pool_test_support::block_on(result).unwrap(), 15);
/// ```
impl<R> Future for AsyncResult<R> {
    type Output = Result<R, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.poll_result(cx)
    }
}

/// Awaiting a borrowed `AsyncResult` moves the value out as
/// [`get`](AsyncResult::get) does and leaves the handle usable
/// ([`successful`](AsyncResult::successful), [`ready`](AsyncResult::ready)).
/// Only one task should await a given result at a time.
///
/// # Examples
///
/// ```
/// use poolrt::process::Pool;
///
/// let pool = Pool::new(1).unwrap();
/// let result = pool.apply_async(|x: u32| x + 1, 1).unwrap();
/// assert_eq!(pool_test_support::block_on(&result).unwrap(), 2);
/// assert!(result.successful().unwrap());
/// ```
impl<R> Future for &AsyncResult<R> {
    type Output = Result<R, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.poll_result(cx)
    }
}

impl<R> fmt::Debug for AsyncResult<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncResult")
            .field("ready", &self.ready())
            .finish()
    }
}
