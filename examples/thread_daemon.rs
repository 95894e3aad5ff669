//! A daemon thread dies with the program: it prints `start...` but never
//! `end...`, because the main thread ends first.
//!
//! Python original: seed 000, section 9.3 "daemon threads", first program:
//! a `MyThread` subclass marked as a daemon prints `start...`, sleeps 2 s
//! and prints `end...`; the main thread prints a line and ends, and the
//! daemon thread dies with the process. Its output:
//!
//! ```text
//! start...
//! main process (main thread)...
//! ```
//!
//! The 2 s sleep is 200 ms here (it never completes anyway).

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
    println!("A daemon thread ends with the program: expect `start...` and no `end...`.\n");
    let started = Arc::new(Event::new().unwrap());
    let t = Thread::builder().daemon(Daemon::Yes).target(MyThread {
        started: started.clone(),
    });
    t.start().unwrap();
    // Python's print order comes from the GIL handing over at start(); here
    // the thread signals once it has printed.
    started.wait();
    println!("main process (main thread)...");
    // Wait for non-daemon threads, as Python does at exit: there are none,
    // so the daemon thread is killed with the process before "end...".
    join_non_daemon();
    println!(
        "main ends; the daemon thread is still alive: {}",
        t.is_alive()
    );
}
