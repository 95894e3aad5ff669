//! Helpers shared by pool-core's black-box tests.
#![allow(dead_code, unreachable_pub)]

use std::future::Future as StdFuture;
use std::pin::pin;
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

use pool_core::{CancelFutures, Scheduler, SchedulerConfig};

/// Generous bound for anything that should happen "soon" on a loaded
/// 2-core machine. Never used to order events, only to fail instead of hang.
pub const BOUND: Duration = Duration::from_secs(20);

/// A scheduler with `n` workers and no context.
pub fn scheduler(n: usize) -> Scheduler<()> {
    Scheduler::new(SchedulerConfig::new(n, |_| Ok(()))).expect("valid config")
}

/// Shuts a scheduler down and waits for its threads, failing on a hang.
pub fn stop<C>(scheduler: &Scheduler<C>) {
    scheduler.shutdown(CancelFutures::No);
    assert!(scheduler.join(Some(BOUND)), "workers did not exit");
}

/// A one-shot gate: tasks block in `wait` until the test calls `open`.
#[derive(Clone, Default)]
pub struct Gate {
    inner: Arc<(Mutex<bool>, Condvar)>,
}

impl Gate {
    pub fn new() -> Gate {
        Gate::default()
    }

    pub fn open(&self) {
        *self.inner.0.lock().unwrap() = true;
        self.inner.1.notify_all();
    }

    /// Blocks until opened; panics after [`BOUND`] so a bug fails, not hangs.
    pub fn wait(&self) {
        let guard = self.inner.0.lock().unwrap();
        let (guard, timeout) = self
            .inner
            .1
            .wait_timeout_while(guard, BOUND, |open| !*open)
            .unwrap();
        assert!(*guard && !timeout.timed_out(), "gate never opened");
    }
}

/// Signals that a task has started, so the test knows it is running.
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
/// wake-ups, as any async runtime would.
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
