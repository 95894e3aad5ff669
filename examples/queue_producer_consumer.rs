//! Producer and consumer threads meet at a bounded queue: twelve items go
//! in, ten come out, and the two left over are still in the queue.
//!
//! Python original: seed 002, section "the producer-consumer model":
//! twelve threads put 1 … 12 on a `queue.Queue(10)`, ten threads get one
//! item each and print it, and the main thread prints the size left:
//!
//! ```text
//! get: 1
//! ...
//! get: 10
//! size: 2
//! ```
//!
//! The original prints the size right after starting the threads and
//! relies on them having run; this port joins them first, so it always
//! prints 2.

use std::sync::Arc;

use poolrt::thread::{Queue, Thread};

fn main() {
    println!("12 producer threads, 10 consumer threads, one queue of capacity 10.\n");
    let que = Arc::new(Queue::new(10).unwrap());
    let mut threads = Vec::new();
    for i in 1..13 {
        let que = que.clone();
        let t = Thread::new(move || que.put(i).unwrap()); // s(i)
        t.start().unwrap();
        threads.push(t);
    }
    for _ in 1..11 {
        let que = que.clone();
        let t = Thread::new(move || {
            let g = que.get().unwrap(); // x(i)
            println!("get: {g}");
        });
        t.start().unwrap();
        threads.push(t);
    }
    for t in threads {
        t.join().unwrap();
    }
    println!("size: {} (12 put, 10 taken)", que.qsize());
}
