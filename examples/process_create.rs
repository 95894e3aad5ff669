//! Two ways to start a process: a function with arguments, and a type with
//! a `run` method (Python's `Process` subclass). Each child prints its own
//! pid and its parent's, which is the main process's.
//!
//! Python originals, the "create a process, two ways" programs:
//!
//! - seed 001, "two ways to start a process": way one,
//!   `Process(target=piao, args=('egon',))`; way two, the `Piao(Process)`
//!   subclass that sets `self.name` and overrides `run`;
//! - seed 000 §1 ("two ways to create a process") and seed 002
//!   ("processes": `work("nick")`) show the same two ways with `start` +
//!   `join`;
//! - seed 003 #1 ("starting processes": the child prints its argument, its
//!   pid and its parent's pid) and #4 ("processes, object-oriented":
//!   `MyProcess` printing `self.name`, `self.pid`, its argument and
//!   `os.getpid()`).
//!
//! Differences: the original sleeps `random.randrange(1, 5)` seconds, here
//! 100–400 ms. The Python parent prints `main` and exits while the child
//! runs on (Python joins it at exit); here the parent joins explicitly.
//!
//! Way two in poolrt is a serde type implementing `poolrt::process::Target`
//! (`Process::builder().name(..).run(Piao { .. })`): the value is sent to
//! the child, whose `run` is called there. The process gets the subclass's
//! name through the builder (as `self.name = name` sets `Process.name` in
//! the original).

use std::hash::BuildHasher;
use std::os::unix::process::parent_id;
use std::process;
use std::time::Duration;

use poolrt::process::{Process, Target};
use serde::{Deserialize, Serialize};

/// `random.randrange(lo, hi)` in tenths of a second, as a sleep.
fn random_sleep(lo: u64, hi: u64) {
    let r = std::collections::hash_map::RandomState::new().hash_one(process::id());
    std::thread::sleep(Duration::from_millis(100 * (lo + r % (hi - lo))));
}

// Way one: a function target with arguments.
fn piao(name: String) {
    println!("{name} piaoing");
    random_sleep(1, 5);
    println!("{name} piao end");
}

// seed 002: `def work(name): print("Hello, %s" % name)`
fn work(name: String) {
    println!("Hello, {name}");
}

// seed 003 #1
fn func(args: String) {
    println!("{args}");
    println!("child process: {}", process::id());
    println!("the child's parent: {}", parent_id());
    println!("123");
}

// Way two: the `Piao(Process)` subclass: its state and its `run`.
#[derive(Serialize, Deserialize)]
struct Piao {
    name: String,
}

impl Target for Piao {
    type Outcome = ();

    fn run(self) {
        println!("{} piaoing", self.name);
        random_sleep(1, 5);
        println!("{} piao end", self.name);
    }
}

// seed 003 #4: `MyProcess(arg1)`, whose `run` prints its name, pid and arg.
#[derive(Serialize, Deserialize)]
struct MyProcess {
    name: String,
    arg1: u32,
}

impl Target for MyProcess {
    type Outcome = ();

    fn run(self) {
        println!("{}", self.name);
        println!("{}", process::id()); // self.pid
        println!("{} argument", self.arg1);
        println!("{}", process::id()); // os.getpid()
    }
}

fn main() {
    println!(
        "Starting processes two ways; each child reports its pid and its parent's ({}).\n",
        process::id()
    );
    println!("-- seed 001, way one: Process(target=piao, args=('egon',))");
    let p1 = Process::new(piao, ("egon".to_owned(),)); // args is a tuple: ("egon",)
    p1.start().unwrap(); // start the child process
    println!("main");
    p1.join().unwrap();

    println!("\n-- seed 001, way two: the Piao(Process) subclass");
    let p1 = Process::builder().name("egon").run(Piao {
        name: "egon".to_owned(),
    });
    p1.start().unwrap(); // start calls run in the child
    println!("main (started {})", p1.name());
    p1.join().unwrap();

    println!("\n-- seed 002: Process(target=work, args=('nick',)), start, join");
    let p = Process::new(work, ("nick".to_owned(),));
    p.start().unwrap();
    p.join().unwrap();

    println!("\n-- seed 003 #1: the child prints its pid and its parent's");
    let p = Process::new(func, ("sd".to_owned(),)); // registered: p is not started yet
    p.start().unwrap(); // start the child process
    println!("parent process: {}", process::id());
    println!("the parent's parent: {}", parent_id());
    println!("{}", "*".repeat(10));
    p.join().unwrap();

    println!("\n-- seed 003 #4: MyProcess(1), started twice");
    println!("main process: {}", process::id());
    let p1 = Process::builder().name("MyProcess-1").run(MyProcess {
        name: "MyProcess-1".to_owned(),
        arg1: 1,
    });
    p1.start().unwrap();
    p1.join().unwrap(); // joined before p2 starts, to keep the output apart
    let p2 = Process::builder().name("MyProcess-2").run(MyProcess {
        name: "MyProcess-2".to_owned(),
        arg1: 1,
    });
    p2.start().unwrap();
    p2.join().unwrap();
    println!(
        "(the parent saw pids {} and {})",
        p1.pid().unwrap(),
        p2.pid().unwrap()
    );
}
