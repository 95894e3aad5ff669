//! Port of seed 002 (`002_8c066e6e45607155.txt`), section "线程锁
//! threading.RLock & threading.Lock": ten threads increment a counter under
//! an `RLock` and print it (1 … 10); then a `Lock` acquired twice by one
//! thread deadlocks while an `RLock` does not, and the program prints
//! `end.`.
//!
//! The seed's 1 s sleep is 50 ms here, and the deadlock is shown with a
//! timed acquire so the program finishes.

use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
use std::time::Duration;

use poolrt::thread::{Lock, RLock, Thread, join_non_daemon};

static NUM: AtomicU32 = AtomicU32::new(0);
static RLOCK_COUNTER: RLock = RLock::const_new();

fn work() {
    RLOCK_COUNTER.acquire(); // 加锁
    let num = NUM.load(SeqCst) + 1;
    NUM.store(num, SeqCst);
    std::thread::sleep(Duration::from_millis(50));
    println!("{num}");
    RLOCK_COUNTER.release().unwrap(); // 解锁
}

fn main() {
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
    rlock.acquire(); // 在同一线程内,程序不会堵塞。
    rlock.release().unwrap();
    rlock.release().unwrap();
    println!("end.");
}
