//! A `Lock` makes a read-pause-write on shared data safe: four threads each
//! take one off 100, and the result is 96, not a lost update.
//!
//! Python original: seed 000, section 9.4 "the thread mutex lock": four
//! threads each acquire a `Lock`, read a global number, sleep, write it
//! back less one, and release the lock; the main thread joins them and
//! prints the number.
//!
//! The tutorial's text says `94`, but its loop starts `range(4)` threads,
//! so Python prints `96`, as this port does. To show what the lock
//! prevents, the program then runs the same four threads without it: all
//! four read 100 before any writes, and three of the four decrements are
//! lost. The sleep is 50 ms instead of 1 s.

use std::sync::atomic::{AtomicI32, Ordering::SeqCst};
use std::time::Duration;

use poolrt::thread::{Barrier, Lock, Thread};

const START: i32 = 100;
const THREADS: i32 = 4;

static LOCK: Lock = Lock::const_new();
static NUMBER: AtomicI32 = AtomicI32::new(START);

/// A read, a pause, a write: safe only because of the lock.
fn task() {
    LOCK.acquire();
    let number = NUMBER.load(SeqCst);
    std::thread::sleep(Duration::from_millis(50));
    NUMBER.store(number - 1, SeqCst);
    LOCK.release().unwrap();
}

/// The same without the lock: every thread reads before any writes (the
/// barrier makes sure of it, so the lost updates show on every run).
fn task_unlocked(all_read: &Barrier<'_>) {
    let number = NUMBER.load(SeqCst);
    all_read.wait().unwrap();
    NUMBER.store(number - 1, SeqCst);
}

fn run_four(target: impl Fn() + Clone + Send + 'static) {
    let mut list = Vec::new();
    for _ in 0..THREADS {
        let t = Thread::new(target.clone());
        t.start().unwrap();
        list.push(t);
    }
    for t in &list {
        t.join().unwrap();
    }
}

fn main() {
    println!("{THREADS} threads each take 1 off a shared number that starts at {START}.\n");
    run_four(task);
    println!(
        "with the lock:    {} (expected {}: every decrement counted)",
        NUMBER.load(SeqCst),
        START - THREADS
    );

    NUMBER.store(START, SeqCst);
    let all_read = std::sync::Arc::new(Barrier::new(THREADS as usize).unwrap());
    run_four(move || task_unlocked(&all_read));
    println!(
        "without the lock: {} (all four read {START} before writing: {} decrements lost)",
        NUMBER.load(SeqCst),
        NUMBER.load(SeqCst) - (START - THREADS)
    );
}
