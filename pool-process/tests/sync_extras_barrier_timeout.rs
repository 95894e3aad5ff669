//! A process `Barrier`'s default timeout (`with_timeout`, Python's
//! `Barrier(parties, timeout=...)`): it lives in the shared barrier, so a
//! child's plain `wait()` times out with it; the wait that timed out gets
//! `is_timeout()`, the barrier breaks for every process (Python raises
//! `BrokenBarrierError` and `broken` is true), and `wait_timeout`
//! overrides it.

mod support;

use std::time::Duration;

use pool_process::{Barrier, Process, Queue};
use support::BOUND;

fn plain_wait(b: Barrier, out: Queue<(bool, bool)>) {
    let timeout = b.timeout();
    let error = b.wait().unwrap_err();
    out.put((
        error.is_timeout(),
        timeout == Some(Duration::from_millis(30)),
    ))
    .unwrap();
}

#[test]
fn a_childs_plain_wait_uses_the_default_timeout() {
    let b = Barrier::new(2)
        .unwrap()
        .with_timeout(Duration::from_millis(30));
    let out = Queue::new(0).unwrap();
    let p = Process::new(plain_wait, (b.clone(), out.clone()));
    p.start().unwrap();
    let (timed_out, saw_timeout) = out.get_timeout(BOUND).unwrap();
    assert!(saw_timeout, "the child sees the default timeout");
    assert!(timed_out, "the child's wait timed out");
    assert!(p.join_timeout(BOUND).unwrap());
    assert!(b.broken(), "the timeout broke it for everyone");
    let later = b.wait().unwrap_err();
    assert!(!later.is_timeout(), "broken, not timed out: {later:?}");
}

fn meet(b: Barrier) {
    b.wait_timeout(BOUND).unwrap();
}

#[test]
fn wait_timeout_overrides_the_default() {
    let b = Barrier::new(2)
        .unwrap()
        .with_timeout(Duration::from_millis(1));
    let p = Process::new(meet, (b.clone(),));
    p.start().unwrap();
    // Longer than the default: the child has all the time it needs.
    b.wait_timeout(BOUND).unwrap();
    assert!(p.join_timeout(BOUND).unwrap());
    assert_eq!(p.exitcode(), Some(0));
    assert!(!b.broken());
}

#[test]
fn a_zero_default_timeout_breaks_at_once_unless_everyone_is_there() {
    let lonely = Barrier::new(1).unwrap().with_timeout(Duration::ZERO);
    assert_eq!(lonely.wait().unwrap(), 0, "the last arrival never waits");
    let b = Barrier::new(2).unwrap().with_timeout(Duration::ZERO);
    assert!(b.wait().unwrap_err().is_timeout());
}
