//! Port of seed 000 (`000_838733e4dcbac9f4.txt`), section "9.3线程的守护进程"
//! (first program): a daemon `MyThread` prints `start...`, the main thread
//! prints and ends, and the daemon thread dies with the process, so
//! `end...` is never printed. Seed output:
//!
//! ```text
//! start...
//! 主进程(主线程)...
//! ```
//!
//! The seed's 2 s sleep is 200 ms here (it never completes anyway).

use std::sync::Arc;
use std::time::Duration;

use poolrt::thread::{Daemon, Event, Target, Thread, join_non_daemon};

struct MyThread {
    started: Arc<Event>,
}

impl Target for MyThread {
    type Outcome = ();
    fn run(self) {
        println!("start...");
        self.started.set();
        std::thread::sleep(Duration::from_millis(200));
        println!("end...");
    }
}

fn main() {
    let started = Arc::new(Event::new().unwrap());
    let t = Thread::builder().daemon(Daemon::Yes).target(MyThread {
        started: started.clone(),
    });
    t.start().unwrap();
    // Python's print order comes from the GIL handing over at start(); here
    // the thread signals once it has printed.
    started.wait();
    println!("主进程(主线程)...");
    // Wait for non-daemon threads, as Python does at exit: there are none,
    // so the daemon thread is killed with the process before "end...".
    join_non_daemon();
}
