//! A thread may take an `RLock` again while holding it; a second acquire
//! of a plain `Lock` by the same thread would wait forever.
//!
//! Python original: seed 002, section "thread locks: threading.RLock and
//! threading.Lock": ten threads increment a counter under an `RLock` and
//! print it (1 … 10, in order, because the lock serialises them); then a
//! `Lock` acquired twice by one thread deadlocks while an `RLock` does not,
//! and the program prints `end.`.
//!
//! The 1 s sleep is 50 ms here, and the deadlock is shown with a timed
//! acquire so the program finishes.

use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
use std::time::Duration;

use poolrt::thread::{Lock, RLock, Thread, join_non_daemon};

static NUM: AtomicU32 = AtomicU32::new(0);
static RLOCK_COUNTER: RLock = RLock::const_new();

fn work() {
    RLOCK_COUNTER.acquire(); // take the lock
    let num = NUM.load(SeqCst) + 1;
    NUM.store(num, SeqCst);
    std::thread::sleep(Duration::from_millis(50));
    println!("{num}");
    RLOCK_COUNTER.release().unwrap(); // let it go
}

fn main() {
    println!("An RLock can be taken twice by one thread; a Lock cannot.\n");
    for _ in 0..10 {
        Thread::new(work).start().unwrap();
    }
    join_non_daemon();

    let lock = Lock::new().unwrap();
    lock.acquire();
    if !lock.acquire_timeout(Duration::from_millis(100)) {
        println!("Lock: the second acquire would deadlock (gave up after 100 ms)");
    }
    lock.release().unwrap();

    let rlock = RLock::new().unwrap();
    rlock.acquire();
    rlock.acquire(); // in the same thread, this does not block
    println!("RLock: the second acquire by the same thread succeeded at once");
    rlock.release().unwrap();
    rlock.release().unwrap();
    println!("end.");
}
