//! Port of seed 000 (`000_838733e4dcbac9f4.txt`), section "9.3线程的守护进程"
//! (second program): ten daemon threads print their names from
//! `current_thread()` (`Thread-1` … `Thread-10`), and the main thread prints
//! `MainThread`. The daemons are still sleeping when the program ends, so
//! no `end...` line is printed. Seed output:
//!
//! ```text
//! start...Thread-1
//! 主进程(主线程)...MainThread
//! start...Thread-2
//! 主进程(主线程)...MainThread
//! ...
//! ```
//!
//! The seed's 2 s sleep is 200 ms here.

use std::sync::Arc;
use std::time::Duration;

use poolrt::thread::{Daemon, Event, Thread, current_thread, join_non_daemon};

fn task(printed: Arc<Event>) {
    println!("start...{}", current_thread().name());
    printed.set();
    std::thread::sleep(Duration::from_millis(200));
    println!("end...{}", current_thread().name());
}

fn main() {
    for _ in 0..10 {
        let printed = Arc::new(Event::new().unwrap());
        let t = Thread::builder().daemon(Daemon::Yes).target({
            let printed = printed.clone();
            move || task(printed)
        });
        t.start().unwrap();
        printed.wait(); // keep the seed's interleaving
        println!("主进程(主线程)...{}", current_thread().name());
    }
    join_non_daemon(); // no non-daemon threads: returns at once
}
