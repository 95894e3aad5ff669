//! Processes run at once and each can hold threads: ten processes of 0.2 s
//! take about 0.2 s together; threads share their process's pid, while
//! each process has its own.
//!
//! Python originals, the "threads inside processes" programs:
//!
//! - seed 004 "multiple processes": ten processes that each
//!   sleep 2 s and print `heelo bob<i>` (about 2 s in all, not 20), then
//!   the same where each process also starts a thread printing its
//!   `threading.get_ident()`; then `info(title)`, printing the parent's
//!   and the own pid, called from the main process and from a child;
//! - seed 000 §9, second program: two threads
//!   print the main process's pid, two processes print pids of their own.
//!
//! Sleeps: 2 s → 200 ms. The original's `module name` line (`__main__` in the
//! main process, `__mp_main__` in a child) has no Rust counterpart: `main`
//! never runs in a child, so the program prints whether it is a child.

use std::os::unix::process::parent_id;
use std::process;
use std::time::{Duration, Instant};

use poolrt::process::Process;
use poolrt::thread::{Thread, get_ident, get_native_id};

fn run(name: String) {
    std::thread::sleep(Duration::from_millis(200));
    println!("heelo {name}");
}

fn thread_run() {
    // get_ident gets the current thread's id. poolrt's `get_ident` counts the threads of
    // each process (so it is 2 in every child here); the OS thread id,
    // Python's `get_native_id`, is the number the original's output shows.
    println!("{} (get_ident {})", get_native_id().unwrap(), get_ident());
}

fn run_with_thread(name: String) {
    std::thread::sleep(Duration::from_millis(200));
    println!("heelo {name}");
    let t = Thread::new(thread_run); // one more thread in each process
    t.start().unwrap();
    t.join().unwrap();
}

fn info(title: &str, child: bool) {
    println!("{title}");
    println!("child process: {child}");
    println!("parent process: {}", parent_id()); // the parent's pid
    println!("process id: {}", process::id()); // its own pid
    println!();
}

fn f(name: String) {
    info("called from child process function f", true);
    println!("hello {name}");
}

fn work() {
    println!("hello {}", process::id());
}

fn start_and_join(processes: &[Process]) {
    for p in processes {
        p.start().unwrap();
    }
    for p in processes {
        p.join().unwrap();
    }
}

fn main() {
    println!("Ten processes run at once; threads share a pid, processes each have their own.\n");
    println!("-- seed 004: ten processes");
    let start = Instant::now();
    let ps: Vec<_> = (0..10)
        .map(|i| Process::new(run, (format!("bob{i}"),))) // ten processes
        .collect();
    start_and_join(&ps);
    println!(
        "({:.2?} for ten processes of 0.2 s: they ran at once)",
        start.elapsed()
    );

    println!("\n-- seed 004: a thread in each process");
    let ps: Vec<_> = (0..10)
        .map(|i| Process::new(run_with_thread, (format!("bob{i}"),)))
        .collect();
    start_and_join(&ps);

    println!("\n-- seed 004: info() in the main process and in a child");
    info("main process line", false);
    let p = Process::new(f, ("bob".to_owned(),)); // set up the child
    p.start().unwrap(); // start it
    p.join().unwrap();

    println!("\n-- seed 000 §9: threads share the main pid, processes have their own");
    // Threads started by the main process all have the main process's pid.
    let t1 = Thread::new(work);
    let t2 = Thread::new(work);
    t1.start().unwrap();
    t2.start().unwrap();
    t1.join().unwrap();
    t2.join().unwrap();
    println!(
        "main thread pid {} (the same as the threads')",
        process::id()
    );
    // Processes: each has a pid of its own.
    let p1 = Process::new(work, ());
    let p2 = Process::new(work, ());
    start_and_join(&[p1, p2]);
    println!("main process pid {} (the children's differ)", process::id());
}
