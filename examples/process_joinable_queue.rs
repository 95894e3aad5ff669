//! Port of seed 001 (`001_84e5a9f11a3cd0b2.txt`), "JoinableQueue([maxsize])":
//! three producer processes (the cooks `egon1..3`) each put three foods and
//! then `q.join()`, which returns once the consumers have called
//! `task_done()` for every item; the two consumers (`alex1`, `alex2`) loop
//! forever and are daemons, so once the main process has joined the
//! producers (and so every item is done), it ends and takes them with it.
//!
//! Sleeps: `random.randint(1, 3)` s → 50–150 ms. The seed's ANSI colours
//! are left out.

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
        println!("{name} 吃 {res}");
        q.task_done().unwrap(); // 发送信号给q.join(),说明已经从队列中取走一个数据并处理完毕了
    }
}

fn producer(q: JoinableQueue<String>, name: String, food: String) {
    for i in 0..3 {
        random_sleep();
        let res = format!("{food}{i}");
        q.put(res.clone()).unwrap();
        println!("{name} 生产了 {res}");
    }
    // q.join(): 等到消费者把自己放入队列中的所有的数据都取走之后,生产者才结束.
    q.join();
}

fn main() {
    let q = JoinableQueue::new(0).unwrap(); // 使用JoinableQueue()

    // 生产者们:即厨师们
    let p1 = Process::new(producer, (q.clone(), "egon1".to_owned(), "包子".to_owned()));
    let p2 = Process::new(producer, (q.clone(), "egon2".to_owned(), "骨头".to_owned()));
    let p3 = Process::new(producer, (q.clone(), "egon3".to_owned(), "泔水".to_owned()));

    // 消费者们:即吃货们
    let c1 = Process::builder()
        .daemon(Daemon::Yes)
        .target(consumer, (q.clone(), "alex1".to_owned()));
    let c2 = Process::builder()
        .daemon(Daemon::Yes)
        .target(consumer, (q.clone(), "alex2".to_owned()));

    // 开始
    for p in [&p1, &p2, &p3, &c1, &c2] {
        p.start().unwrap();
    }

    p1.join().unwrap();
    p2.join().unwrap();
    p3.join().unwrap();
    // 1、主进程等生产者p1、p2、p3结束
    // 2、而p1、p2、p3是在消费者把所有数据都取干净之后才会结束
    // 3、所以一旦p1、p2、p3结束了,证明消费者也没必要存在了,应该随着主进程一块死掉,
    //    因而需要将消费者们设置成守护进程
    println!(
        "主 (queue empty: {}, consumers still alive: {})",
        q.empty(),
        c1.is_alive() && c2.is_alive()
    );
}
