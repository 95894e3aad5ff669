//! `JoinableQueue.join()` returns once every item put has been marked done:
//! the producers end only after the consumers have eaten all nine foods,
//! and the daemon consumers then end with the main process.
//!
//! Python original: seed 001, "JoinableQueue([maxsize])": three producer
//! processes (the cooks `egon1..3`) each put three foods and
//! then `q.join()`, which returns once the consumers have called
//! `task_done()` for every item; the two consumers (`alex1`, `alex2`) loop
//! forever and are daemons, so once the main process has joined the
//! producers (and so every item is done), it ends and takes them with it.
//!
//! Sleeps: `random.randint(1, 3)` s → 50–150 ms. The original's ANSI
//! colours are left out, and its foods (steamed buns, bones, slop) are
//! named in English.

use std::hash::BuildHasher;
use std::time::Duration;

use poolrt::process::{Daemon, JoinableQueue, Process};

fn random_sleep() {
    let r = std::collections::hash_map::RandomState::new().hash_one(std::process::id());
    std::thread::sleep(Duration::from_millis(50 * (1 + r % 3))); // random.randint(1,3)
}

fn consumer(q: JoinableQueue<String>, name: String) {
    loop {
        let res = q.get().unwrap();
        random_sleep();
        println!("{name} ate {res}");
        q.task_done().unwrap(); // tell q.join() that one item was taken and handled
    }
}

fn producer(q: JoinableQueue<String>, name: String, food: String) {
    for i in 0..3 {
        random_sleep();
        let res = format!("{food}{i}");
        q.put(res.clone()).unwrap();
        println!("{name} made {res}");
    }
    // q.join(): the producer ends only once the consumers have taken and
    // handled every item it put.
    q.join();
}

fn main() {
    println!(
        "Three cooks put nine foods on a JoinableQueue; join() returns once two daemon \
         eaters have marked all nine done.\n"
    );
    let q = JoinableQueue::new(0).unwrap(); // JoinableQueue()

    // The producers: the cooks.
    let p1 = Process::new(producer, (q.clone(), "egon1".to_owned(), "bun".to_owned()));
    let p2 = Process::new(producer, (q.clone(), "egon2".to_owned(), "bone".to_owned()));
    let p3 = Process::new(producer, (q.clone(), "egon3".to_owned(), "slop".to_owned()));

    // The consumers: the eaters.
    let c1 = Process::builder()
        .daemon(Daemon::Yes)
        .target(consumer, (q.clone(), "alex1".to_owned()));
    let c2 = Process::builder()
        .daemon(Daemon::Yes)
        .target(consumer, (q.clone(), "alex2".to_owned()));

    // Start them all.
    for p in [&p1, &p2, &p3, &c1, &c2] {
        p.start().unwrap();
    }

    p1.join().unwrap();
    p2.join().unwrap();
    p3.join().unwrap();
    // 1. The main process waits for the producers p1, p2 and p3.
    // 2. They end only once the consumers have taken every item.
    // 3. So once they end, the consumers have nothing left to do and should
    //    die with the main process: that is why they are daemons.
    println!(
        "main: the producers are joined (queue empty: {}, consumers still alive: {}); \
         the daemon consumers end with the main process now",
        q.empty(),
        c1.is_alive() && c2.is_alive()
    );
}
