//! A process `Queue` with a size limit: `full` and `empty` say so, a put on
//! a full queue and a get on an empty one fail at once (`_nowait`) or after
//! a timeout, and a child process gets the items in order.
//!
//! Python originals, the `multiprocessing.Queue` API programs:
//!
//! - seed 001 "using a queue": `Queue(3)`, three
//!   puts, `full()`, three gets, `empty()`; the commented-out fourth `put`
//!   and fourth `get` would block, shown here with a timeout;
//! - seed 000 §6 "queues", the first two kinds:
//!   `multiprocessing.Queue(4)` and `JoinableQueue(4)`, four puts printing
//!   `1`, a fifth `put` that would block forever (the original's output stops
//!   there), so `put_nowait` raising `queue.Full`; four gets, and
//!   `get_nowait` raising `queue.Empty`. (The third kind, `queue.Queue`, is
//!   the `queue_api` example.)
//!
//! To make the queue cross processes, the gets of the second part run in a
//! child process.

use std::time::Duration;

use poolrt::process::{JoinableQueue, Process, Queue};

fn getter(q_obj1: Queue<String>) {
    for _ in 0..4 {
        println!("{}", q_obj1.get().unwrap());
    }
    // get_nowait: fails if the queue holds nothing
    match q_obj1.get_nowait() {
        Ok(item) => println!("{item}"),
        Err(err) => println!("get_nowait: {err} (queue.Empty)"),
    }
}

fn joinable_getter(q_obj1: JoinableQueue<String>) {
    for _ in 0..4 {
        println!("{}", q_obj1.get().unwrap());
        q_obj1.task_done().unwrap();
    }
    match q_obj1.get_timeout(Duration::from_millis(100)) {
        Ok(item) => println!("{item}"),
        Err(err) => println!("fifth get, after 0.1 s: {err} (it would block forever)"),
    }
}

fn main() {
    println!("Process queues with a size limit: full, empty, and the calls that would block.\n");
    println!("-- seed 001: Queue(3)");
    let q = Queue::new(3).unwrap();
    // put, get, put_nowait, get_nowait, full, empty
    q.put(1).unwrap();
    q.put(2).unwrap();
    q.put(3).unwrap();
    println!("full: {}", q.full());
    // q.put(4): one more put would block
    let err = q.put_timeout(4, Duration::from_millis(100)).unwrap_err();
    println!("put(4) with a 0.1 s timeout: {err}");
    println!("the item is handed back: {}", err.into_inner());
    println!("{}", q.get().unwrap());
    println!("{}", q.get().unwrap());
    println!("{}", q.get().unwrap());
    println!("empty: {}", q.empty());
    // q.get(): one more get would block
    let err = q.get_timeout(Duration::from_millis(100)).unwrap_err();
    println!("get() with a 0.1 s timeout: {err}");

    println!("\n-- seed 000 §6, the first kind: multiprocessing.Queue(4)");
    let q_obj1 = Queue::new(4).unwrap();
    for item in ["jsaon", "abd", "dbdf", "qwr"] {
        q_obj1.put(item.to_owned()).unwrap();
        println!("1");
    }
    // q_obj1.put('sean') would block as long as the queue is full
    match q_obj1.put_nowait("sean".to_owned()) {
        Ok(()) => println!("1"),
        Err(err) => println!("put_nowait: {err} (queue.Full)"), // a full queue can raise
    }
    let p = Process::new(getter, (q_obj1.clone(),));
    p.start().unwrap();
    p.join().unwrap();

    println!("\n-- seed 000 §6, the second kind: JoinableQueue(4)");
    let q_obj1 = JoinableQueue::new(4).unwrap();
    for item in ["jsaon", "abd", "dbdf", "qwr"] {
        q_obj1.put(item.to_owned()).unwrap();
        println!("1");
    }
    match q_obj1.put_nowait("sean".to_owned()) {
        Ok(()) => println!("1"),
        Err(err) => println!("put_nowait: {err} (queue.Full)"),
    }
    let p = Process::new(joinable_getter, (q_obj1.clone(),));
    p.start().unwrap();
    q_obj1.join(); // every item was taken and marked done by the child
    println!("join returned: the child marked all four done");
    p.join().unwrap();
}
