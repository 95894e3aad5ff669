//! Two ways to create a thread: from a function with arguments, and from a
//! type with a `run` method. Twelve threads run at once, so the whole takes
//! about one sleep, not twelve.
//!
//! Python original: seed 002, section "threads / Threading": creating
//! threads both ways — a function target (`Thread(target=worker,
//! args=(i,), name="t.%d" % i)`) and a custom type (the `MyThread` subclass
//! that overrides `run`). Seed 000 §9 shows the same two ways.
//!
//! Sleeps are 100 ms instead of the original's 1–2 s.

use std::time::{Duration, Instant};

use poolrt::thread::{Target, Thread, join_non_daemon};

// Way 1: a function target.
fn worker(num: u32) {
    std::thread::sleep(Duration::from_millis(100));
    println!("{num}");
}

// Way 2: a custom type, the counterpart of `class MyThread(threading.Thread)`.
struct MyThread {
    num: u32,
}

impl Target for MyThread {
    type Outcome = ();
    fn run(self) {
        println!("running on number:{}", self.num);
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn main() {
    println!("Ten threads from a function, two from a Target type; all run at once.\n");
    let start = Instant::now();
    for i in 0..10 {
        let t = Thread::builder()
            .name(format!("t.{i}"))
            .target(move || worker(i));
        t.start().unwrap();
    }

    let t1 = Thread::new(MyThread { num: 1 });
    let t2 = Thread::new(MyThread { num: 2 });
    t1.start().unwrap();
    t2.start().unwrap();

    // Python waits for non-daemon threads before the program ends; Rust
    // would not, so say it.
    join_non_daemon();
    println!(
        "\n12 threads of 100 ms finished after {:.0?}: they ran at the same time",
        start.elapsed()
    );
}
