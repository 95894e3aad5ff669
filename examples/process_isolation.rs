//! Port of the "data of processes is isolated" programs:
//!
//! - seed 000 (`000_838733e4dcbac9f4.txt`) §4 "进程间的数据是隔离的": the
//!   child adds 10 to the global `number` and prints 20; the parent still
//!   prints 10;
//! - seed 003 (`003_47a4413d1af325b6.txt`) #5 "进程间数据隔离": `n = 100`
//!   in the main process, the child sets `n = 0`, the parent prints 100;
//! - seed 004 (`004_735ae49c9afa6657.txt`) "进程间通讯": a thread
//!   `queue.Queue` is not shared with a child process (the seed's child
//!   fails with `NameError`), while a `multiprocessing.Queue` passed as an
//!   argument carries `[42, None, 'heelo']` to the parent.
//!
//! A Rust global is a `static`. The child is a fresh copy of the program
//! in which `main` never ran, so it sees every static at its initial value.
//! Passing a thread queue to a `Process` (the seed's "can't pickle
//! _thread.lock objects") does not compile here: it is not a serde type.
//! The seed's 1 s sleep is 100 ms.

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
    println!("{number}");
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
    println!("-- seed 000 §4");
    let obj = Process::new(func, ());
    obj.start().unwrap();
    std::thread::sleep(Duration::from_millis(100));
    println!("{}", NUMBER.load(Ordering::SeqCst)); // 这个是主进程的打印结果
    obj.join().unwrap();

    println!("\n-- seed 003 #5");
    N.store(100, Ordering::SeqCst);
    let p = Process::new(func_n, ());
    p.start().unwrap();
    p.join().unwrap();
    println!("{} {}", process::id(), N.load(Ordering::SeqCst));

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
    let p = Process::new(f, (q.clone(),)); // 将父进程q传给子进程
    p.start().unwrap();
    let (n, none, s) = q.get().unwrap(); // 父进程去get子进程的内容
    println!(
        "[{n}, {}, '{s}']",
        none.map_or("None".to_owned(), |v| v.to_string())
    );
    p.join().unwrap();
}
