//! Threads share their process: a global changed by a thread is seen by the
//! main thread, every thread reports the same pid, and a thread queue
//! carries data to the main thread.
//!
//! Python originals: seed 000, section 9 "threads": a thread sets the
//! global `number` from 1000 to 100 and the main thread prints 100; two
//! threads print the process's pid, the same as the main thread's; and
//! seed 004, section "communication between processes / threads": a thread
//! puts a list on a `queue.Queue` and the main thread gets it.
//!
//! The 1 s sleep is 100 ms here.

use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering::SeqCst};
use std::time::Duration;

use poolrt::thread::{Queue, Thread, join_non_daemon};

static NUMBER: AtomicI32 = AtomicI32::new(1000);

fn task() {
    NUMBER.store(100, SeqCst);
    println!("start...");
    std::thread::sleep(Duration::from_millis(100));
    println!("end...");
}

fn work() {
    println!("hello {}", std::process::id());
}

fn main() {
    println!("Threads share the process's data and pid.\n");
    // seed 000 §9: the thread changes the global before the main thread reads it.
    let t = Thread::new(task);
    t.start().unwrap();
    // t.join()   (commented out in the original too)
    println!("main process (main thread)");
    // `start` returns once the thread runs, and it changes NUMBER first
    // thing; wait for that change rather than rely on timing.
    while NUMBER.load(SeqCst) != 100 {
        std::thread::yield_now();
    }
    println!(
        "number = {} (1000 before the thread set it)",
        NUMBER.load(SeqCst)
    );
    join_non_daemon(); // Python prints "end..." before exiting: so do we

    // seed 000 §9: every thread of a process has the process's pid.
    let t1 = Thread::new(work);
    let t2 = Thread::new(work);
    t1.start().unwrap();
    t2.start().unwrap();
    t1.join().unwrap();
    t2.join().unwrap();
    println!("main thread pid {} (the same)", std::process::id());

    // seed 004: data put by a thread is visible to the main thread.
    let q = Arc::new(Queue::new(0).unwrap());
    let p = Thread::new({
        let q = q.clone();
        move || q.put((42, None::<()>, "heelo")).unwrap()
    });
    p.start().unwrap();
    println!("the main thread got {:?} from the thread", q.get().unwrap());
    p.join().unwrap();
}
