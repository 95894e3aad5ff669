//! Port of the process `Lock` programs:
//!
//! - seed 001 (`001_84e5a9f11a3cd0b2.txt`) "互斥锁": three children print
//!   `running` / `done` interleaved, then serialized by a `Lock`; then
//!   "模拟抢票练习": five clients buy the only ticket of `db.txt`
//!   (`{"count":1}`) without a lock (all five "succeed" and the file says
//!   0: the data race), then with `with lock:` (one succeeds);
//! - seed 000 (`000_838733e4dcbac9f4.txt`) §5 "互斥锁": ten users
//!   `jason0`..`jason9` look at `data.json` (`{"number":1}`) at once, then
//!   buy one at a time between `lock.acquire()` and `lock.release()`.
//!   Seed 003 #7 ("买车票") is the same program;
//! - seed 004 (`004_735ae49c9afa6657.txt`) "进程同步": ten children print
//!   `hello world i` under a lock.
//!
//! The files live in a fresh temporary directory, written and read as the
//! seeds' one-key JSON by hand (the workspace has no JSON dependency).
//! Sleeps: 2 s → 100 ms, `random.randint(1, 3)` s → 10–30 ms.

use std::hash::BuildHasher;
use std::path::{Path, PathBuf};
use std::process;
use std::time::Duration;

use poolrt::process::{Lock, Process};

fn sleep_ms(ms: u64) {
    std::thread::sleep(Duration::from_millis(ms));
}

/// `json.load(f)[key]` for the seeds' one-key files, e.g. `{"count": 1}`.
fn load(path: &str, key: &str) -> i64 {
    let text = std::fs::read_to_string(path).unwrap();
    let after_key = &text[text.find(&format!("\"{key}\"")).unwrap() + key.len() + 2..];
    let value = after_key.trim_start_matches([':', ' ']);
    let end = value
        .find(|c: char| c != '-' && !c.is_ascii_digit())
        .unwrap();
    value[..end].parse().unwrap()
}

/// `json.dump({key: value}, f)`, through a rename so that a reader never
/// sees a half-written file.
fn dump(path: &str, key: &str, value: i64) {
    let tmp = format!("{path}.{}", process::id());
    std::fs::write(&tmp, format!("{{\"{key}\": {value}}}")).unwrap();
    std::fs::rename(tmp, path).unwrap();
}

fn start_all(processes: &[Process]) {
    for p in processes {
        p.start().unwrap();
    }
}

fn join_all(processes: &[Process]) {
    for p in processes {
        p.join().unwrap();
    }
}

// seed 001, 互斥锁: without and with a lock.
fn work() {
    println!("{} is running", process::id());
    sleep_ms(100);
    println!("{} is done", process::id());
}

fn work_locked(lock: Lock) {
    lock.acquire(); // 加锁
    println!("{} is running", process::id());
    sleep_ms(100);
    println!("{} is done", process::id());
    lock.release().unwrap(); // 释放锁
}

// seed 001, 模拟抢票练习.
fn search(name: &str, db: &str) {
    println!("<{name}> 查到的余票数 [{}]", load(db, "count"));
}

fn get(name: &str, db: &str) {
    sleep_ms(100); // 模拟读数据的网络延迟
    let count = load(db, "count");
    if count > 0 {
        sleep_ms(100); // 模拟读数据的网络延迟
        dump(db, "count", count - 1);
        println!("<{name}> 购票成功");
    }
}

fn task(name: String, db: String) {
    search(&name, &db);
    get(&name, &db);
}

fn task_locked(name: String, db: String, lock: Lock) {
    search(&name, &db);
    let _guard = lock.lock(); // with lock: 相当于lock.acquire(),执行完自代码块自动执行lock.release()
    get(&name, &db);
}

// seed 000 §5: 抢票的例子.
fn seach(name: &str, data: &str) {
    println!("用户[{name}]查看余票,余票还剩:[{}]", load(data, "number"));
}

fn buy(name: &str, data: &str) {
    let number = load(data, "number");
    // 进入这一步证明最先抢到票
    if number > 0 {
        let r = std::collections::hash_map::RandomState::new().hash_one(name);
        sleep_ms(10 * (1 + r % 3)); // time.sleep(random.randint(1,3))
        dump(data, "number", number - 1);
        println!("用户[{name}],抢票成功");
    } else {
        println!("用户[{name}],抢票失败");
    }
}

fn run(name: String, data: String, lock: Lock) {
    // 假如1000个人都可以立马查看余票
    seach(&name, &data);
    lock.acquire(); // 加锁
    buy(&name, &data);
    lock.release().unwrap(); // 释放锁
}

// seed 004, 进程同步.
fn f(l: Lock, i: u32) {
    l.acquire();
    println!("hello world {i}");
    l.release().unwrap();
}

fn main() {
    let dir: PathBuf = std::env::temp_dir().join(format!("poolrt-tickets-{}", process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = |name: &str| -> String { dir.join(name).to_str().unwrap().to_owned() };

    println!("-- seed 001: three children share the terminal, no lock");
    let ps: Vec<_> = (0..3).map(|_| Process::new(work, ())).collect();
    start_all(&ps);
    join_all(&ps);

    println!("\n-- seed 001: the same with a Lock (由并发变成了串行)");
    let lock = Lock::new().unwrap();
    let ps: Vec<_> = (0..3)
        .map(|_| Process::new(work_locked, (lock.clone(),)))
        .collect();
    start_all(&ps);
    join_all(&ps);

    println!("\n-- seed 001: five clients, one ticket in db.txt, no lock");
    let db = file("db.txt");
    dump(&db, "count", 1); // 文件db.txt的内容为:{"count":1}
    let ps: Vec<_> = (0..5)
        .map(|i| Process::new(task, (format!("路人{i}"), db.clone())))
        .collect();
    start_all(&ps);
    join_all(&ps);
    println!(
        "db.txt: {} (one ticket, sold more than once)",
        std::fs::read_to_string(&db).unwrap()
    );

    println!("\n-- seed 001: the same with `with lock:`");
    dump(&db, "count", 1);
    let lock = Lock::new().unwrap();
    let ps: Vec<_> = (0..5)
        .map(|i| Process::new(task_locked, (format!("路人{i}"), db.clone(), lock.clone())))
        .collect();
    start_all(&ps);
    join_all(&ps);
    println!("db.txt: {}", std::fs::read_to_string(&db).unwrap());

    println!("\n-- seed 000 §5: ten users, data.json, lock.acquire() / lock.release()");
    let data = file("data.json");
    dump(&data, "number", 1); // data.json = {"number":1}
    let lock = Lock::new().unwrap();
    // 开启多进程,实现并发
    let ps: Vec<_> = (0..10)
        .map(|line| Process::new(run, (format!("jason{line}"), data.clone(), lock.clone())))
        .collect();
    start_all(&ps);
    join_all(&ps);

    println!("\n-- seed 004: hello world under a process Lock");
    let lock = Lock::new().unwrap();
    let ps: Vec<_> = (0..10)
        .map(|num| Process::new(f, (lock.clone(), num)))
        .collect();
    start_all(&ps);
    join_all(&ps);

    std::fs::remove_dir_all(Path::new(&dir)).unwrap();
}
