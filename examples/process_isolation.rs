//! Each process has its own copy of the program's data: a child's change to
//! a global is not seen by the parent, and neither is a thread queue; only
//! a process `Queue` passed to the child carries data back.
//!
//! Python originals, the "data of processes is isolated" programs:
//!
//! - seed 000 §4 "data is isolated between processes": the child adds 10
//!   to the global `number` and prints 20; the parent still prints 10;
//! - seed 003 #5 "data isolation between processes": `n = 100` in the main
//!   process, the child sets `n = 0`, the parent prints 100;
//! - seed 004 "communication between processes": a thread `queue.Queue` is
//!   not shared with a child process (the original's child fails with
//!   `NameError`), while a `multiprocessing.Queue` passed as an argument
//!   carries `[42, None, 'heelo']` to the parent.
//!
//! A Rust global is a `static`. The child is a fresh copy of the program
//! in which `main` never ran, so it sees every static at its initial value.
//! Passing a thread queue to a `Process` (the original's "can't pickle
//! _thread.lock objects") does not compile here: it is not a serde type.
//! The 1 s sleep is 100 ms.

use std::process;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Duration;

use poolrt::process::{Process, Queue};

// seed 000 §4: number = 10
static NUMBER: AtomicI32 = AtomicI32::new(10);

fn func() {
    // global number; number += 10
    let number = NUMBER.fetch_add(10, Ordering::SeqCst) + 10;
    println!("child: number = {number}");
}

// seed 003 #5: `n` is set to 100 by the main process only.
static N: AtomicI32 = AtomicI32::new(0);

fn func_n() {
    println!(
        "pid: {} sees n = {} before setting it",
        process::id(),
        N.load(Ordering::SeqCst)
    );
    N.store(0, Ordering::SeqCst); // global n; n = 0
    println!("pid: {} {}", process::id(), N.load(Ordering::SeqCst));
}

// seed 004: a thread queue as a global of the main process.
static THREAD_Q: LazyLock<poolrt::thread::Queue<String>> =
    LazyLock::new(|| poolrt::thread::Queue::new(0).unwrap());

fn f_thread_queue() {
    // The child's THREAD_Q is its own, new queue.
    THREAD_Q.put("[42, None, 'heelo']".to_owned()).unwrap();
    println!(
        "child {} put into its own copy of the thread queue",
        process::id()
    );
}

fn f(qq: Queue<(i32, Option<i32>, String)>) {
    qq.put((42, None, "heelo".to_owned())).unwrap();
}

fn main() {
    println!("Processes do not share data: what a child changes, the parent does not see.\n");
    println!("-- seed 000 §4: number = 10, the child adds 10");
    let obj = Process::new(func, ());
    obj.start().unwrap();
    std::thread::sleep(Duration::from_millis(100));
    // The main process's own number.
    println!(
        "parent: number = {} (unchanged)",
        NUMBER.load(Ordering::SeqCst)
    );
    obj.join().unwrap();

    println!("\n-- seed 003 #5: n = 100 in the parent, the child sets n = 0");
    N.store(100, Ordering::SeqCst);
    let p = Process::new(func_n, ());
    p.start().unwrap();
    p.join().unwrap();
    println!(
        "pid: {} {} (the parent's n, unchanged)",
        process::id(),
        N.load(Ordering::SeqCst)
    );

    println!("\n-- seed 004: a thread queue.Queue is not shared with a process");
    let p = Process::new(f_thread_queue, ());
    p.start().unwrap();
    p.join().unwrap();
    match THREAD_Q.get_timeout(Duration::from_millis(100)) {
        Ok(item) => println!("the parent got {item}"),
        Err(_) => println!("the parent's thread queue is still empty"),
    }

    println!("\n-- seed 004: a multiprocessing Queue passed as an argument is shared");
    let q = Queue::new(0).unwrap();
    let p = Process::new(f, (q.clone(),)); // hand the parent's q to the child
    p.start().unwrap();
    let (n, none, s) = q.get().unwrap(); // the parent gets what the child put
    println!(
        "the parent got [{n}, {}, '{s}']",
        none.map_or("None".to_owned(), |v| v.to_string())
    );
    p.join().unwrap();
}
