//! Bounded waits: [`BOUND`] and the helpers that fail after it.

use std::future::Future as StdFuture;
use std::pin::pin;
use std::sync::Arc;
use std::sync::mpsc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

/// Generous bound for anything that should happen "soon" on a loaded
/// 2-core machine. Never used to order events, only to fail instead of hang.
pub const BOUND: Duration = Duration::from_secs(20);

/// Signals that a task has started, so the test knows it is running: the
/// task sends on the sender; the returned function waits for that, and
/// panics after [`BOUND`].
pub fn started_signal() -> (mpsc::Sender<()>, impl FnOnce()) {
    let (tx, rx) = mpsc::channel();
    (tx, move || {
        rx.recv_timeout(BOUND).expect("task never started")
    })
}

/// Polls `cond` until it holds; panics after [`BOUND`]. For observing state
/// that has no event of its own (counters in a metrics snapshot).
pub fn eventually(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + BOUND;
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        thread::sleep(Duration::from_millis(1));
    }
}

struct ThreadWaker(Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// A minimal executor: polls `future` on this thread, parking between
/// wake-ups, as any async runtime would; panics after [`BOUND`].
pub fn block_on<F: StdFuture>(future: F) -> F::Output {
    let mut future = pin!(future);
    let waker = Waker::from(Arc::new(ThreadWaker(thread::current())));
    let mut cx = Context::from_waker(&waker);
    let deadline = Instant::now() + BOUND;
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        assert!(Instant::now() < deadline, "future never became ready");
        thread::park_timeout(Duration::from_millis(100));
    }
}

/// `future` under any async runtime, or a panic if it is not ready within
/// [`BOUND`]: a bound for runtimes whose timer is off (a current-thread
/// tokio runtime without `enable_time`). A watchdog thread wakes the task
/// when the bound passes.
///
/// # Examples
///
/// ```
/// let value = pool_test_support::block_on(pool_test_support::bounded(async { 7 }));
/// assert_eq!(value, 7);
/// ```
pub async fn bounded<F: StdFuture>(future: F) -> F::Output {
    /// Whether the bound passed, and the waker to call when it does.
    type Watch = std::sync::Mutex<(bool, Option<Waker>)>;
    let watch: Arc<Watch> = Arc::default();
    let (done, finished) = mpsc::channel::<()>();
    let theirs = watch.clone();
    thread::spawn(move || {
        if finished.recv_timeout(BOUND) == Err(mpsc::RecvTimeoutError::Timeout) {
            let mut watch = theirs.lock().unwrap_or_else(|e| e.into_inner());
            watch.0 = true;
            if let Some(waker) = watch.1.take() {
                waker.wake();
            }
        }
    });
    let mut future = pin!(future);
    let out = std::future::poll_fn(|cx| {
        if let Poll::Ready(out) = future.as_mut().poll(cx) {
            return Poll::Ready(out);
        }
        let mut watch = watch.lock().unwrap_or_else(|e| e.into_inner());
        assert!(!watch.0, "not ready within {BOUND:?}");
        watch.1 = Some(cx.waker().clone());
        Poll::Pending
    })
    .await;
    drop(done);
    out
}
