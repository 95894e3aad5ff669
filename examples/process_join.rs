//! `join` waits for a child process without stopping the others: four
//! children of 0.5, 0.3, 0.2 and 0.1 s take about 0.5 s together, not the
//! 1.1 s sum. Then the rest of the `Process` API, with `terminate`.
//!
//! Python originals:
//!
//! - seed 001, "1. the join method": four children sleeping 5, 3, 2 and
//!   1 s are started, then joined; the whole takes about as long as the
//!   longest one, not the sum;
//! - seed 003, #2 "join with several processes" (`join` turns the
//!   asynchronous child into a synchronous step) and #3 "merging
//!   processes" (ten processes started in a loop, then all joined);
//! - seed 001, "the Process class": `terminate`, `is_alive`,
//!   `join(timeout)`, `name`, `pid`, plus `exitcode`.
//!
//! Sleeps are a tenth of the originals' (5 s → 500 ms, ...), so the first
//! part takes about 0.5 s instead of 5.3 s. The output proves each point
//! with the measured times and the exit codes.

use std::os::unix::process::parent_id;
use std::process;
use std::time::{Duration, Instant};

use poolrt::process::Process;

fn task(name: String, n: u64) {
    println!("{name} is piaoing");
    std::thread::sleep(Duration::from_millis(100 * n));
    println!("{name} is piao end");
}

fn func(arg1: usize, arg2: usize) {
    println!("{}", "*".repeat(arg1));
    std::thread::sleep(Duration::from_millis(500));
    println!("{}", "*".repeat(arg2));
}

/// The name of a signal that ends a process, for the common ones.
fn signal_name(signal: i32) -> String {
    match signal {
        2 => "SIGINT".to_owned(),
        9 => "SIGKILL".to_owned(),
        15 => "SIGTERM".to_owned(),
        n => format!("signal {n}"),
    }
}

fn forever() {
    loop {
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn main() {
    println!(
        "join() waits for one child while the others keep running; terminate() ends a child.\n"
    );
    println!("-- seed 001: join four children of 0.5, 0.3, 0.2 and 0.1 s");
    let p1 = Process::new(task, ("child 1".to_owned(), 5));
    let p2 = Process::new(task, ("child 2".to_owned(), 3));
    let p3 = Process::new(task, ("child 3".to_owned(), 2));
    let p4 = Process::new(task, ("child 4".to_owned(), 1));
    let start = Instant::now();
    p1.start().unwrap();
    p2.start().unwrap();
    p3.start().unwrap();
    p4.start().unwrap();
    // p.join() blocks the main process only, never the child: the four run
    // at once, and the joins wait for the longest one.
    p1.join().unwrap();
    p2.join().unwrap();
    p3.join().unwrap();
    p4.join().unwrap();
    // How long the four children took together.
    println!(
        "all four joined after {:.2?}: about the longest child (0.5 s), not the sum (1.1 s)",
        start.elapsed()
    );
    println!("main process {}, its parent {}", process::id(), parent_id());

    println!("\n-- seed 003 #2: join makes the main process wait for the child");
    let p = Process::new(func, (10, 20));
    p.start().unwrap();
    p.join().unwrap(); // wait for the child's end: asynchronous becomes synchronous
    println!("=====: the child has finished (printed after both of its lines)");

    println!("\n-- seed 003 #3: ten processes started, then all joined");
    let start = Instant::now();
    let mut p_lst = Vec::new();
    for i in 0..10 {
        let p1 = Process::new(func, (i, 2 * i)); // the original's 10*i and 20*i, a tenth
        p1.start().unwrap();
        p_lst.push(p1);
    }
    for p1 in &p_lst {
        p1.join().unwrap();
    }
    println!(
        "all ten joined after {:.2?}: they ran at once (one after another: 5 s)",
        start.elapsed()
    );

    println!("\n-- seed 001: terminate, is_alive, join(timeout), name, pid, exitcode");
    let p = Process::builder().name("forever").target(forever, ());
    println!(
        "{}: is_alive={} pid={:?} exitcode={:?}",
        p.name(),
        p.is_alive(),
        p.pid(),
        p.exitcode()
    );
    p.start().unwrap();
    println!(
        "started: is_alive={} pid={}",
        p.is_alive(),
        p.pid().unwrap()
    );
    let finished = p.join_timeout(Duration::from_millis(200)).unwrap();
    println!(
        "join(timeout=0.2) returned, finished={finished}, is_alive={}",
        p.is_alive()
    );
    p.terminate().unwrap(); // force the process to end
    // join reports that the process did not end by itself; the exit code
    // says how it ended.
    let _ = p.join();
    match p.exitcode() {
        Some(code) if code < 0 => println!(
            "after terminate(): is_alive={}, terminated by {} as asked (exitcode {code})",
            p.is_alive(),
            signal_name(-code)
        ),
        other => println!(
            "after terminate(): is_alive={}, exitcode {other:?}",
            p.is_alive()
        ),
    }

    let p = Process::new(task, ("ok".to_owned(), 0));
    p.start().unwrap();
    p.join().unwrap();
    println!("{} ended normally: exitcode={:?}", p.name(), p.exitcode());
}
