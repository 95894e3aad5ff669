//! Port of seed 000 (`000_838733e4dcbac9f4.txt`), section "6.队列", the third
//! kind (`queue.Queue(4)`), with seed 002's list of `queue` methods: four
//! puts print `1`; a fifth `put_nowait` on the full queue fails (the seed's
//! blocking `put` would hang, which is why it used `put_nowait`); four gets
//! print the items in order; a fifth `get_nowait` fails. Then `task_done`
//! and `join` from seed 002.

use poolrt::thread::Queue;

fn main() {
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
