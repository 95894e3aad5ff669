//! A daemon process ends with its parent: no daemon below gets to print its
//! last line (`end....`, `egon is piao end`), and a daemon's own child is
//! gone too, while a non-daemon child still finishes.
//!
//! Python originals, the daemon-process programs:
//!
//! - seed 000 §3 "daemon processes", both programs: a daemon child prints
//!   `start...` and sleeps "1000 s"; the main process prints `main process
//!   running` and ends, and the daemon ends with it, so `end....` is never
//!   printed;
//! - seed 001 "daemon processes": `p.daemon=True` before `start`, the main
//!   process prints `main` and ends, and the daemon is gone before it could
//!   print `egon is piao end`; then its two rules:
//!   (1) a daemon ends when the main process's *code* ends, while the main
//!   process still waits for its non-daemon children; (2) a daemon may not
//!   start children;
//! - seed 003 #6: a child printing
//!   `copy that` every second while the main process prints
//!   `i am socketserver` three times; with the original's commented-out
//!   `p.daemon = True` enabled, the child stops when the main code ends
//!   (without it, it would print forever).
//!
//! Each original program needs its own main process to end, so each runs
//! in a child process playing the original's main process; the real `main`
//! only starts them one after the other. Sleeps are a tenth of the
//! originals' (or less: "1000 s" is 10 s, never reached anyway).
//!
//! Differences: on rule (2), Python raises `AssertionError: daemonic
//! processes are not allowed to have children`; poolrt lets a daemon start
//! a child, which the kernel's parent-death signal then kills together
//! with the daemon, so nothing is left behind. The program shows that.

use std::time::Duration;

use poolrt::process::{Daemon, Process, Queue};

fn sleep_ms(ms: u64) {
    std::thread::sleep(Duration::from_millis(ms));
}

fn task() {
    println!("start...");
    sleep_ms(10_000);
    println!("end....");
}

fn demo(name: String) {
    println!("start...{name}");
    sleep_ms(10_000);
    println!("end....{name}");
}

/// seed 000 §3, first program, as the main process.
fn seed000_first() {
    let p = Process::builder().daemon(Daemon::Yes).target(task, ()); // daemon must be set before start()
    p.start().unwrap(); // ask the OS for a child process
    sleep_ms(100);
    println!("main process running");
}

/// seed 000 §3, second program: the same with an argument (the original's
/// is a name, "boy scout json").
fn seed000_second() {
    let p = Process::builder()
        .daemon(Daemon::Yes)
        .target(demo, ("scout json".to_owned(),));
    p.start().unwrap();
    sleep_ms(100);
    println!("main process running");
}

fn piao(name: String) {
    println!("{name} is piaoing");
    sleep_ms(100);
    println!("{name} is piao end");
}

/// seed 001: the main process ends right after `start`.
fn seed001() {
    let p = Process::builder()
        .daemon(Daemon::Yes)
        .target(piao, ("egon".to_owned(),));
    p.start().unwrap();
    println!("main"); // once this line is printed, the daemon p ends with the main process
}

fn copy_that() {
    loop {
        sleep_ms(100);
        println!("copy that");
    }
}

/// seed 003 #6, with `p.daemon = True`.
fn seed003() {
    let p = Process::builder().daemon(Daemon::Yes).target(copy_that, ());
    p.start().unwrap();
    let mut i = 0;
    while i < 3 {
        println!("i am socketserver");
        sleep_ms(250);
        i += 1;
        println!("{i}");
    }
}

fn slow_work() {
    sleep_ms(400);
    println!("non-daemon child: done");
}

/// seed 001, rule 1: the daemon ends with the main code; the main process
/// still waits for its non-daemon child.
fn rule_one() {
    let d = Process::builder().daemon(Daemon::Yes).target(copy_that, ());
    let n = Process::new(slow_work, ());
    d.start().unwrap();
    n.start().unwrap();
    sleep_ms(250);
    println!("main code ends; no more `copy that` from here, but the non-daemon child finishes");
}

fn grandchild() {
    sleep_ms(10_000);
    println!("grandchild: never printed");
}

fn daemon_with_child(pids: Queue<Option<u32>>) {
    let g = Process::new(grandchild, ());
    match g.start() {
        Ok(()) => {
            println!("daemon: started child {}", g.pid().unwrap());
            pids.put(g.pid()).unwrap();
        }
        Err(error) => {
            println!("daemon: cannot start a child: {error}");
            pids.put(None).unwrap();
        }
    }
    sleep_ms(10_000);
}

/// seed 001, rule 2: a daemon that starts a child.
fn rule_two(pids: Queue<Option<u32>>) {
    let d = Process::builder()
        .daemon(Daemon::Yes)
        .target(daemon_with_child, (pids.clone(),));
    d.start().unwrap();
    let g = pids.get().unwrap();
    pids.put(g).unwrap(); // for the real main process
    println!("main");
}

fn run_as_main_process(title: &str, program: Process) {
    println!("-- {title}");
    program.start().unwrap();
    program.join().unwrap();
    println!();
}

fn main() {
    println!(
        "Daemon processes end with their parent: no `end....` lines below, and no daemon's \
         child left running.\n"
    );
    run_as_main_process("seed 000 §3, first", Process::new(seed000_first, ()));
    run_as_main_process("seed 000 §3, second", Process::new(seed000_second, ()));
    run_as_main_process("seed 001", Process::new(seed001, ()));
    run_as_main_process(
        "seed 003 #6 with p.daemon = True",
        Process::new(seed003, ()),
    );
    run_as_main_process("seed 001, rule 1", Process::new(rule_one, ()));

    let pids = Queue::new(0).unwrap();
    run_as_main_process(
        "seed 001, rule 2: a daemon starting a child",
        Process::new(rule_two, (pids.clone(),)),
    );
    if let Some(g) = pids.get().unwrap() {
        // The kernel's parent-death signal is asynchronous: look for a
        // moment, and count a zombie (state Z, not yet reaped by init) as gone.
        let mut alive = true;
        for _ in 0..100 {
            let stat = std::fs::read_to_string(format!("/proc/{g}/stat")).unwrap_or_default();
            let state = stat
                .rsplit(')')
                .next()
                .and_then(|rest| rest.split_whitespace().next());
            if matches!(state, None | Some("Z")) {
                alive = false;
                break;
            }
            sleep_ms(10);
        }
        println!("the daemon's child {g} is still running: {alive}");
    }
}
