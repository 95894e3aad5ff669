//! Port of the `join` programs and the `Process` API:
//!
//! - seed 001 (`001_84e5a9f11a3cd0b2.txt`), "一、join方法": four children
//!   sleeping 5, 3, 2 and 1 s are started, then joined; the whole takes
//!   about as long as the longest one, not the sum;
//! - seed 003 (`003_47a4413d1af325b6.txt`) #2 ("多进程的join方法": `join`
//!   turns the asynchronous child into a synchronous step) and #3
//!   ("多进程合并": ten processes started in a loop, then all joined);
//! - seed 001, "Process类的介绍": `terminate`, `is_alive`, `join(timeout)`,
//!   `name`, `pid`, plus `exitcode`.
//!
//! Sleeps are a tenth of the seed's (5 s → 500 ms, ...), so the first
//! part takes about 0.5 s instead of 5.3 s.

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

fn forever() {
    loop {
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn main() {
    println!("-- seed 001: join four children of 5, 3, 2 and 1 (tenths of a second)");
    let p1 = Process::new(task, ("子进程1".to_owned(), 5));
    let p2 = Process::new(task, ("子进程2".to_owned(), 3));
    let p3 = Process::new(task, ("子进程3".to_owned(), 2));
    let p4 = Process::new(task, ("子进程4".to_owned(), 1));
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
    println!("{:?}", start.elapsed()); // 查看4个子进程共花了多少时间
    println!("主 {} {}", process::id(), parent_id());

    println!("\n-- seed 003 #2: join makes the main process wait for the child");
    let p = Process::new(func, (10, 20));
    p.start().unwrap();
    p.join().unwrap(); // 感知一个子进程的结束,将异步改为同步
    println!("=====:运行完了");

    println!("\n-- seed 003 #3: ten processes started, then all joined");
    let start = Instant::now();
    let mut p_lst = Vec::new();
    for i in 0..10 {
        let p1 = Process::new(func, (i, 2 * i)); // the seed's 10*i and 20*i, a tenth
        p1.start().unwrap();
        p_lst.push(p1);
    }
    for p1 in &p_lst {
        p1.join().unwrap();
    }
    println!("yuncing ({:?} for ten processes of 0.5 s)", start.elapsed());

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
    p.terminate().unwrap(); // 强制终止进程p
    let joined = p.join();
    println!(
        "after terminate: is_alive={} exitcode={:?}",
        p.is_alive(),
        p.exitcode()
    );
    println!("join reports: {}", joined.unwrap_err());

    let p = Process::new(task, ("ok".to_owned(), 0));
    p.start().unwrap();
    p.join().unwrap();
    println!("{} ended normally: exitcode={:?}", p.name(), p.exitcode());
}
