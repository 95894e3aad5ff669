//! A bounded `queue.Queue` in one process: a full queue refuses
//! `put_nowait`, an empty one refuses `get_nowait`, items come out in the
//! order they went in, and `join` returns once every item is marked done.
//!
//! Python originals: seed 000, section 6 "queues", the third kind
//! (`queue.Queue(4)`), with seed 002's list of `queue` methods: four puts
//! print `1`; a fifth `put_nowait` on the full queue fails (a blocking
//! `put` would hang, which is why the original used `put_nowait`); four
//! gets print the items in order; a fifth `get_nowait` fails. Then
//! `task_done` and `join` from seed 002.

use poolrt::thread::Queue;

fn main() {
    println!("A queue of 4: what put and get do when it is full, empty, and done.\n");
    let q_obj1 = Queue::new(4).unwrap();
    for item in ["jsaon", "abd", "dbdf", "qwr"] {
        q_obj1.put(item).unwrap();
        println!("1");
    }
    println!("full: {}, qsize: {}", q_obj1.full(), q_obj1.qsize());
    match q_obj1.put_nowait("sean") {
        Ok(()) => println!("1"),
        Err(err) => {
            let why = err.to_string();
            println!("put_nowait: {why} ({:?} was handed back)", err.into_inner());
        }
    }
    for _ in 0..4 {
        println!("{}", q_obj1.get().unwrap());
    }
    match q_obj1.get_nowait() {
        Ok(item) => println!("{item}"),
        Err(err) => println!("get_nowait: {err}"),
    }
    println!("empty: {}", q_obj1.empty());

    for _ in 0..4 {
        q_obj1.task_done().unwrap();
    }
    q_obj1.join(); // every item was taken and marked done
    println!("join returned: all tasks done");
}
