//! Port of the "threads inside processes" programs:
//!
//! - seed 004 (`004_735ae49c9afa6657.txt`) "多进程": ten processes that each
//!   sleep 2 s and print `heelo bob<i>` (about 2 s in all, not 20), then
//!   the same where each process also starts a thread printing its
//!   `threading.get_ident()`; then `info(title)`, printing the parent's
//!   and the own pid, called from the main process and from a child;
//! - seed 000 (`000_838733e4dcbac9f4.txt`) §9, second program: two threads
//!   print the main process's pid, two processes print pids of their own.
//!
//! Sleeps: 2 s → 200 ms. The seed's `module name` line (`__main__` in the
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
    // get_ident获取当前线程id. poolrt's `get_ident` counts the threads of
    // each process (so it is 2 in every child here); the OS thread id,
    // Python's `get_native_id`, is the number the seed's output shows.
    println!("{} (get_ident {})", get_native_id().unwrap(), get_ident());
}

fn run_with_thread(name: String) {
    std::thread::sleep(Duration::from_millis(200));
    println!("heelo {name}");
    let t = Thread::new(thread_run); // 在每个进程中又起了1个线程
    t.start().unwrap();
    t.join().unwrap();
}

fn info(title: &str, child: bool) {
    println!("{title}");
    println!("child process: {child}");
    println!("parent process: {}", parent_id()); // 获取父进程的id
    println!("process id: {}", process::id()); // 获取自身的id
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
    println!("-- seed 004: ten processes");
    let start = Instant::now();
    let ps: Vec<_> = (0..10)
        .map(|i| Process::new(run, (format!("bob{i}"),))) // 起了10个进程
        .collect();
    start_and_join(&ps);
    println!("({:?} for ten processes of 0.2 s)", start.elapsed());

    println!("\n-- seed 004: a thread in each process");
    let ps: Vec<_> = (0..10)
        .map(|i| Process::new(run_with_thread, (format!("bob{i}"),)))
        .collect();
    start_and_join(&ps);

    println!("\n-- seed 004: info() in the main process and in a child");
    info("main process line", false);
    let p = Process::new(f, ("bob".to_owned(),)); // 设置子进程
    p.start().unwrap(); // 启动子进程
    p.join().unwrap();

    println!("\n-- seed 000 §9: threads share the main pid, processes have their own");
    // 主进程下下面开启的多个线程,每个线程都和主进程的pid一样
    let t1 = Thread::new(work);
    let t2 = Thread::new(work);
    t1.start().unwrap();
    t2.start().unwrap();
    t1.join().unwrap();
    t2.join().unwrap();
    println!("主线程pid {}", process::id());
    // 开多个进程 每个进程有不同的pid
    let p1 = Process::new(work, ());
    let p2 = Process::new(work, ());
    start_and_join(&[p1, p2]);
    println!("主进程pid {}", process::id());
}
