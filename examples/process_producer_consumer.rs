//! Port of the producer-consumer programs over a process queue:
//!
//! - seed 001 (`001_84e5a9f11a3cd0b2.txt`) "生产消费者模型": three producer
//!   processes make `包子0..2`, two consumer processes eat them, and the
//!   main process sends one `None` per consumer after the producers are
//!   joined (the end signal; without it the consumers would wait in
//!   `q.get()` forever). `None` is `Option::None`: the queue carries
//!   `Option<String>`;
//! - seed 000 (`000_838733e4dcbac9f4.txt`) §7 "进程间实现通信(IPC机制)": two
//!   children talk through a `JoinableQueue(10)`: `task1` puts 100,
//!   `task2` gets it and puts 9527, which `task1` gets after its sleep;
//! - seed 000 §8 "生产者和消费者": ten producer processes put one food each;
//!   two consumers sleep `random.randint(1, 2)` s, then `get_nowait` until
//!   it raises `queue.Empty`.
//!
//! Sleeps are a tenth of the seed's (0.5 s → 50 ms, 1 s → 100 ms, 3 s →
//! 300 ms). The seeds leave some processes unjoined (Python joins them at
//! exit); here `main` joins every one.

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
        let res = format!("包子{i}");
        sleep_ms(50);
        println!("生产了{res}");
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
        println!("消费者吃了{res}");
    }
}

// seed 000 §7
fn task1(q: JoinableQueue<u32>) {
    let x = 100;
    q.put(x).unwrap();
    println!("添加数据");
    sleep_ms(300);
    println!("{}", q.get().unwrap()); // 因为有时间的延迟,所以这个队列的接收的数据会延后
}

fn task2(q: JoinableQueue<u32>) {
    let res = q.get().unwrap();
    println!("获取的数据是{res}"); // 这一步先获取数据
    q.put(9527).unwrap();
}

// seed 000 §8: 生产者 生产数据---->队列
fn producer2(name: String, food: String, q: JoinableQueue<String>) {
    let msg = format!("{name}生产了{food}食物");
    q.put(food).unwrap(); // 生产一个食物就添加到队列中
    println!("{msg}");
}

// 消费者,使用数据
fn customer(name: String, q: JoinableQueue<String>) {
    loop {
        let r = std::collections::hash_map::RandomState::new().hash_one(process::id());
        sleep_ms(100 * (1 + r % 2)); // time.sleep(random.randint(1,2))
        match q.get_nowait() {
            Ok(food) => println!("{name}吃了{food}食物"),
            Err(_) => break, // 若报错,则跳出循环
        }
    }
}

fn main() {
    println!("-- seed 001: three producers, two consumers, None as the end signal");
    let q = Queue::new(0).unwrap();
    // 生产者们
    let producers: Vec<_> = (0..3)
        .map(|_| Process::new(producer, (q.clone(),)))
        .collect();
    // 消费者们
    let consumers: Vec<_> = (0..2)
        .map(|_| Process::new(consumer, (q.clone(),)))
        .collect();
    for p in producers.iter().chain(&consumers) {
        p.start().unwrap();
    }
    for p in &producers {
        p.join().unwrap();
    }
    // 必须要在生产者全部生产完后再发送结束信号,且有多少个消费者就发多少个结束信号
    q.put(None).unwrap();
    q.put(None).unwrap();
    for c in &consumers {
        c.join().unwrap();
    }
    println!("主");

    println!("\n-- seed 000 §7: two children talk through a JoinableQueue(10)");
    let q = JoinableQueue::new(10).unwrap(); // 产生列队
    let p1 = Process::new(task1, (q.clone(),));
    let p2 = Process::new(task2, (q.clone(),));
    p1.start().unwrap();
    p2.start().unwrap();
    println!("主进程进行中");
    p1.join().unwrap();
    p2.join().unwrap();

    println!("\n-- seed 000 §8: ten producers, two consumers with get_nowait");
    let q = JoinableQueue::new(0).unwrap();
    let mut producers = Vec::new();
    for line in 0..10 {
        let p1 = Process::new(
            producer2,
            ("tank".to_owned(), format!("pig饲料{line}"), q.clone()),
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
