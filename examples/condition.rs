//! A `Condition` lets threads wait until another one says go: both
//! consumers print "after wait" only once the producer has called
//! `notify_all`.
//!
//! Python original: seed 002, section "threading.Condition": consumers
//! `c1` and `c2` take the condition, print "consumer before wait" and wait
//! on it; two seconds later producer `p` takes it, prints, calls
//! `notifyAll` and prints again, and both consumers wake up.
//!
//! The 2 s sleeps are 100 ms here. The original's consumers would wait
//! forever if the producer ran first; these wait for a flag the producer
//! sets (`wait_for`), so the program finishes on any machine.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::time::Duration;

use poolrt::thread::{Condition, Thread, current_thread, join_non_daemon};

struct Shared {
    cond: Condition,
    produced: AtomicBool,
}

fn consumer(shared: &Shared) {
    let mut guard = shared.cond.lock(); // with cond:
    println!("{}: consumer before wait", current_thread().name());
    guard.wait_for(|| shared.produced.load(SeqCst));
    println!("{}: consumer after wait", current_thread().name());
}

fn producer(shared: &Shared) {
    let guard = shared.cond.lock();
    println!("producer before notifyAll");
    shared.produced.store(true, SeqCst);
    guard.notify_all();
    println!("producer after notifyAll");
}

fn main() {
    println!("Two consumers wait on a Condition until the producer notifies them all.\n");
    let shared = Arc::new(Shared {
        cond: Condition::new().unwrap(),
        produced: AtomicBool::new(false),
    });
    let spawn = |name: &str, f: fn(&Shared)| {
        let shared = shared.clone();
        let t = Thread::builder().name(name).target(move || f(&shared));
        t.start().unwrap();
    };
    spawn("c1", consumer);
    std::thread::sleep(Duration::from_millis(100));
    spawn("c2", consumer);
    std::thread::sleep(Duration::from_millis(100));
    spawn("p", producer);
    join_non_daemon();
    println!("\nboth consumers woke up after notify_all, and the program ends");
}
