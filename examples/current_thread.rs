//! `current_thread().name()` tells each thread who it is: ten daemon
//! threads print `Thread-1` … `Thread-10`, the main thread `MainThread`,
//! and the daemons die with the program before their `end...` line.
//!
//! Python original: seed 000, section 9.3 "daemon threads", second
//! program: in a loop, the main thread starts a daemon thread that prints
//! `start...` and its name, sleeps 2 s and prints `end...`; the main thread
//! then prints its own name. The program ends while the daemons sleep, so
//! no `end...` line is printed. Its output:
//!
//! ```text
//! start...Thread-1
//! main process (main thread)...MainThread
//! start...Thread-2
//! main process (main thread)...MainThread
//! ...
//! ```
//!
//! The 2 s sleep is 200 ms here.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::time::Duration;

use poolrt::thread::{Daemon, Event, Thread, current_thread, join_non_daemon};

static ENDED: AtomicUsize = AtomicUsize::new(0);

fn task(printed: Arc<Event>) {
    println!("start...{}", current_thread().name());
    printed.set();
    std::thread::sleep(Duration::from_millis(200));
    println!("end...{}", current_thread().name());
    ENDED.fetch_add(1, SeqCst);
}

fn main() {
    println!("Each thread knows its name; daemon threads end with the program, before `end...`.\n");
    for _ in 0..10 {
        let printed = Arc::new(Event::new().unwrap());
        let t = Thread::builder().daemon(Daemon::Yes).target({
            let printed = printed.clone();
            move || task(printed)
        });
        t.start().unwrap();
        printed.wait(); // keep the original's interleaving
        println!("main process (main thread)...{}", current_thread().name());
    }
    join_non_daemon(); // no non-daemon threads: returns at once
    println!(
        "\nthe program ends now; daemon threads that reached `end...`: {}",
        ENDED.load(SeqCst)
    );
}
