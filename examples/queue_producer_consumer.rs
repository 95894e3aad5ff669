//! Port of seed 002 (`002_8c066e6e45607155.txt`), section "生产者消费者模型":
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
//! The seed prints the size right after starting the threads and relies on
//! them having run; this port joins them first, so it always prints 2.

use std::sync::Arc;

use poolrt::thread::{Queue, Thread};

fn main() {
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
    println!("size: {}", que.qsize());
}
