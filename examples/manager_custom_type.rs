//! A type of your own served by a `Manager` (Python's
//! `BaseManager.register('Counter', Counter)`): a counter that processes
//! add to, and that a waiter can block on until it reaches a value, with
//! a timeout.
//!
//! ```python
//! class Counter:
//!     def __init__(self, start): self.n = start
//!     def add(self, k): self.n += k; return self.n
//!
//! class MyManager(BaseManager): pass
//! MyManager.register('Counter', Counter)
//! with MyManager() as m:
//!     c = m.Counter(0)
//!     ps = [Process(target=lambda c: c.add(1), args=(c,)) for _ in range(8)]
//! ```

use std::time::Duration;

use poolrt::process::managers::{Caller, Handled, Proxy, Shared};
use poolrt::process::{Manager, Pool, Process};
use serde::{Deserialize, Serialize};

/// The object the server holds.
struct Counter(i64);

/// What a proxy may ask of it.
#[derive(Serialize, Deserialize)]
enum Op {
    Add(i64),
    Get,
    /// Answers once the counter reaches the value.
    WaitFor(i64),
}

impl Shared for Counter {
    type Command = Op;
    type Reply = i64;

    fn handle(&mut self, op: Op, _: Caller) -> Handled<i64> {
        match op {
            Op::Add(k) => self.0 += k,
            Op::Get => {}
            Op::WaitFor(n) if self.0 < n => return Handled::Wait,
            Op::WaitFor(_) => {}
        }
        Handled::Done(self.0)
    }
}

fn add_one(c: Proxy<Counter>) {
    c.call(Op::Add(1)).unwrap();
}

fn add_ten(c: Proxy<Counter>) -> i64 {
    c.call(Op::Add(10)).unwrap()
}

fn main() {
    println!("A custom type registered with a Manager, shared by processes and a pool.");
    let manager = Manager::builder()
        .register("Counter", Counter) // MyManager.register('Counter', Counter)
        .start()
        .unwrap();
    let c = manager.create::<Counter, _>("Counter", &0i64).unwrap(); // m.Counter(0)
    let waiter = {
        let c = c.clone();
        std::thread::spawn(move || c.call_timeout(Op::WaitFor(48), Duration::from_secs(60)))
    };
    let ps: Vec<Process> = (0..8)
        .map(|_| Process::new(add_one, (c.clone(),)))
        .collect();
    for p in &ps {
        p.start().unwrap();
    }
    for p in &ps {
        p.join().unwrap();
    }
    println!("after 8 processes added 1: {}", c.call(Op::Get).unwrap());
    let pool = Pool::new(2).unwrap();
    let seen = pool.map(add_ten, vec![c.clone(); 4]).unwrap();
    println!("4 pool tasks added 10, each saw {seen:?}");
    println!("the waiter woke at {}", waiter.join().unwrap().unwrap());
    let late = c.call_timeout(Op::WaitFor(1_000), Duration::from_millis(50));
    println!(
        "waiting for 1000 timed out: {}",
        late.unwrap_err().is_timeout()
    );
}
