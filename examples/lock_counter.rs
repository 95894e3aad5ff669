//! Port of seed 000 (`000_838733e4dcbac9f4.txt`), section "9.4线程的互斥锁":
//! four threads each take a `Lock`, decrement a shared number, sleep, and
//! release; the main thread joins them and prints the number.
//!
//! The seed prints `94`, but its loop starts `range(4)` threads, so Python
//! prints `96`, as this port does. The seed's 1 s sleep is 50 ms here.

use std::sync::atomic::{AtomicI32, Ordering::SeqCst};
use std::time::Duration;

use poolrt::thread::{Lock, Thread};

static LOCK: Lock = Lock::const_new();
static NUMBER: AtomicI32 = AtomicI32::new(100);

fn task() {
    LOCK.acquire(); // 加锁
    // A read, a pause, a write: safe only because of the lock.
    let number = NUMBER.load(SeqCst);
    std::thread::sleep(Duration::from_millis(50));
    NUMBER.store(number - 1, SeqCst);
    LOCK.release().unwrap(); // 去锁
}

fn main() {
    let mut list = Vec::new();
    for _ in 0..4 {
        let t = Thread::new(task);
        t.start().unwrap();
        list.push(t);
    }
    for t in &list {
        t.join().unwrap();
    }
    println!("{}", NUMBER.load(SeqCst));
}
