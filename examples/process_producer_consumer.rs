//! Producer and consumer processes over a process `Queue`: every item made
//! is eaten, and one `None` per consumer ends them once the producers are
//! done.
//!
//! Python originals, the producer-consumer programs over a process queue:
//!
//! - seed 001 "the producer-consumer model": three producer processes make
//!   steamed buns `bun0..2`, two consumer processes eat them, and the
//!   main process sends one `None` per consumer after the producers are
//!   joined (the end signal; without it the consumers would wait in
//!   `q.get()` forever). `None` is `Option::None`: the queue carries
//!   `Option<String>`;
//! - seed 000 §7 "communication between processes (IPC)": two
//!   children talk through a `JoinableQueue(10)`: `task1` puts 100,
//!   `task2` gets it and puts 9527, which `task1` gets after its sleep;
//! - seed 000 §8 "producers and consumers": ten producer processes put one
//!   food (pig feed) each;
//!   two consumers sleep `random.randint(1, 2)` s, then `get_nowait` until
//!   it raises `queue.Empty`.
//!
//! Sleeps are a tenth of the originals' (0.5 s → 50 ms, 1 s → 100 ms, 3 s
//! → 300 ms). The originals leave some processes unjoined (Python joins
//! them at exit); here `main` joins every one.

use std::hash::BuildHasher;
use std::process;
use std::time::Duration;

use poolrt::process::{JoinableQueue, Process, Queue};

fn sleep_ms(ms: u64) {
    std::thread::sleep(Duration::from_millis(ms));
}

// seed 001
fn producer(q: Queue<Option<String>>) {
    for i in 0..3 {
        let res = format!("bun{i}");
        sleep_ms(50);
        println!("producer {} made {res}", process::id());
        q.put(Some(res)).unwrap();
    }
}

fn consumer(q: Queue<Option<String>>) {
    loop {
        let Some(res) = q.get().unwrap() else {
            println!("None");
            break;
        };
        sleep_ms(100);
        println!("consumer {} ate {res}", process::id());
    }
}

// seed 000 §7
fn task1(q: JoinableQueue<u32>) {
    let x = 100;
    q.put(x).unwrap();
    println!("task1 put {x}");
    sleep_ms(300);
    // After the sleep, what comes back is task2's answer.
    println!("task1 got {}", q.get().unwrap());
}

fn task2(q: JoinableQueue<u32>) {
    let res = q.get().unwrap();
    println!("task2 got {res}, puts 9527"); // this get happens first
    q.put(9527).unwrap();
}

// seed 000 §8: the producer makes data ----> queue
fn producer2(name: String, food: String, q: JoinableQueue<String>) {
    let msg = format!("{name} made food {food}");
    q.put(food).unwrap(); // each food made goes on the queue
    println!("{msg}");
}

// The consumer, using the data.
fn customer(name: String, q: JoinableQueue<String>) {
    loop {
        let r = std::collections::hash_map::RandomState::new().hash_one(process::id());
        sleep_ms(100 * (1 + r % 2)); // time.sleep(random.randint(1,2))
        match q.get_nowait() {
            Ok(food) => println!("{name} ate food {food}"),
            Err(_) => break, // queue.Empty: leave the loop
        }
    }
}

fn main() {
    println!("Producers and consumers in separate processes, talking through queues.\n");
    println!("-- seed 001: three producers, two consumers, None as the end signal");
    let q = Queue::new(0).unwrap();
    // The producers.
    let producers: Vec<_> = (0..3)
        .map(|_| Process::new(producer, (q.clone(),)))
        .collect();
    // The consumers.
    let consumers: Vec<_> = (0..2)
        .map(|_| Process::new(consumer, (q.clone(),)))
        .collect();
    for p in producers.iter().chain(&consumers) {
        p.start().unwrap();
    }
    for p in &producers {
        p.join().unwrap();
    }
    // The end signals go after every producer is done, one per consumer.
    q.put(None).unwrap();
    q.put(None).unwrap();
    for c in &consumers {
        c.join().unwrap();
    }
    println!(
        "main: both consumers got their None and ended; the queue is empty: {}",
        q.empty()
    );

    println!("\n-- seed 000 §7: two children talk through a JoinableQueue(10)");
    let q = JoinableQueue::new(10).unwrap(); // make the queue
    let p1 = Process::new(task1, (q.clone(),));
    let p2 = Process::new(task2, (q.clone(),));
    p1.start().unwrap();
    p2.start().unwrap();
    println!("main process running");
    p1.join().unwrap();
    p2.join().unwrap();

    println!("\n-- seed 000 §8: ten producers, two consumers with get_nowait");
    let q = JoinableQueue::new(0).unwrap();
    let mut producers = Vec::new();
    for line in 0..10 {
        let p1 = Process::new(
            producer2,
            ("tank".to_owned(), format!("pig feed {line}"), q.clone()),
        );
        p1.start().unwrap();
        producers.push(p1);
    }
    let c1 = Process::new(customer, ("jason".to_owned(), q.clone()));
    let c2 = Process::new(customer, ("sean".to_owned(), q.clone()));
    c1.start().unwrap();
    c2.start().unwrap();
    for p in producers.iter().chain([&c1, &c2]) {
        p.join().unwrap();
    }
}
