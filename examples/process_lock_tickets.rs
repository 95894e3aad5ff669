//! A process `Lock` turns a data race into an orderly queue: without it,
//! five buyers all "buy" the one ticket; with it, exactly one does. The
//! program counts the sales to prove it.
//!
//! Python originals, the process `Lock` programs:
//!
//! - seed 001 "mutex lock": three children print `running` / `done`
//!   interleaved, then serialized by a `Lock`; then "ticket grabbing
//!   exercise": five clients buy the only ticket of `db.txt`
//!   (`{"count":1}`) without a lock (all five "succeed" and the file says
//!   0: the data race), then with `with lock:` (one succeeds);
//! - seed 000 §5 "mutex lock": ten users `jason0`..`jason9` look at
//!   `data.json` (`{"number":1}`) at once, then buy one at a time between
//!   `lock.acquire()` and `lock.release()`. Seed 003 #7 ("buying train
//!   tickets") is the same program;
//! - seed 004 "process synchronisation": ten children print
//!   `hello world i` under a lock.
//!
//! The files live in a fresh temporary directory, written and read as the
//! originals' one-key JSON by hand (the workspace has no JSON dependency).
//! The buyers are five passers-by, as in the original.
//! Sleeps: 2 s → 100 ms, `random.randint(1, 3)` s → 10–30 ms.

use std::hash::BuildHasher;
use std::path::{Path, PathBuf};
use std::process;
use std::time::Duration;

use poolrt::process::{Lock, Process, Value};

fn sleep_ms(ms: u64) {
    std::thread::sleep(Duration::from_millis(ms));
}

/// `json.load(f)[key]` for the originals' one-key files, e.g. `{"count": 1}`.
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

/// "once", "twice", "5 times".
fn times(n: u32) -> String {
    match n {
        1 => "once".to_owned(),
        2 => "twice".to_owned(),
        n => format!("{n} times"),
    }
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

// seed 001, mutex lock: without and with a lock.
fn work() {
    println!("{} is running", process::id());
    sleep_ms(100);
    println!("{} is done", process::id());
}

fn work_locked(lock: Lock) {
    lock.acquire(); // take the lock
    println!("{} is running", process::id());
    sleep_ms(100);
    println!("{} is done", process::id());
    lock.release().unwrap(); // release it
}

// seed 001, ticket grabbing exercise.
fn search(name: &str, db: &str) {
    println!("<{name}> sees tickets left: [{}]", load(db, "count"));
}

/// Buys the ticket if one is left; `sold`, in shared memory, counts the
/// sales of every process.
fn get(name: &str, db: &str, sold: &Value<u32>) {
    sleep_ms(100); // the network delay of reading the data
    let count = load(db, "count");
    if count > 0 {
        sleep_ms(100); // the network delay of writing it
        dump(db, "count", count - 1);
        let n = sold.get_lock();
        n.set(n.get() + 1);
        drop(n);
        println!("<{name}> bought a ticket");
    }
}

fn task(name: String, db: String, sold: Value<u32>) {
    search(&name, &db);
    get(&name, &db, &sold);
}

fn task_locked(name: String, db: String, lock: Lock, sold: Value<u32>) {
    search(&name, &db);
    // `with lock:` is lock.acquire(), and lock.release() when the block ends.
    let _guard = lock.lock();
    get(&name, &db, &sold);
}

// seed 000 §5: the ticket-grabbing example.
fn seach(name: &str, data: &str) {
    println!(
        "user [{name}] looks: tickets left [{}]",
        load(data, "number")
    );
}

fn buy(name: &str, data: &str) {
    let number = load(data, "number");
    // Getting here first means getting the ticket.
    if number > 0 {
        let r = std::collections::hash_map::RandomState::new().hash_one(name);
        sleep_ms(10 * (1 + r % 3)); // time.sleep(random.randint(1,3))
        dump(data, "number", number - 1);
        println!("user [{name}] got the ticket");
    } else {
        println!("user [{name}] found none left");
    }
}

fn run(name: String, data: String, lock: Lock) {
    // Everyone can look at the tickets left at once...
    seach(&name, &data);
    lock.acquire(); // ...but only one at a time may buy.
    buy(&name, &data);
    lock.release().unwrap();
}

// seed 004, process synchronisation.
fn f(l: Lock, i: u32) {
    l.acquire();
    println!("hello world {i}");
    l.release().unwrap();
}

fn main() {
    let dir: PathBuf = std::env::temp_dir().join(format!("poolrt-tickets-{}", process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = |name: &str| -> String { dir.join(name).to_str().unwrap().to_owned() };
    println!(
        "Five buyers, one ticket: without a Lock several may buy it (a race), with one \
         exactly one does. The program counts the sales.\n"
    );

    println!("-- seed 001: three children share the terminal, no lock");
    let ps: Vec<_> = (0..3).map(|_| Process::new(work, ())).collect();
    start_all(&ps);
    join_all(&ps);

    println!("\n-- seed 001: the same with a Lock (concurrent becomes serial)");
    let lock = Lock::new().unwrap();
    let ps: Vec<_> = (0..3)
        .map(|_| Process::new(work_locked, (lock.clone(),)))
        .collect();
    start_all(&ps);
    join_all(&ps);

    println!("\n-- seed 001: five clients, one ticket in db.txt, no lock");
    let db = file("db.txt");
    dump(&db, "count", 1); // db.txt holds {"count":1}
    let sold = Value::new(0u32).unwrap();
    let ps: Vec<_> = (0..5)
        .map(|i| Process::new(task, (format!("passer-by {i}"), db.clone(), sold.clone())))
        .collect();
    start_all(&ps);
    join_all(&ps);
    println!(
        "db.txt: {}; the one ticket was sold {}",
        std::fs::read_to_string(&db).unwrap(),
        times(sold.get())
    );

    println!("\n-- seed 001: the same with `with lock:`");
    dump(&db, "count", 1);
    let lock = Lock::new().unwrap();
    let sold = Value::new(0u32).unwrap();
    let ps: Vec<_> = (0..5)
        .map(|i| {
            let args = (
                format!("passer-by {i}"),
                db.clone(),
                lock.clone(),
                sold.clone(),
            );
            Process::new(task_locked, args)
        })
        .collect();
    start_all(&ps);
    join_all(&ps);
    println!(
        "db.txt: {}; the one ticket was sold {}",
        std::fs::read_to_string(&db).unwrap(),
        times(sold.get())
    );

    println!("\n-- seed 000 §5: ten users, data.json, lock.acquire() / lock.release()");
    let data = file("data.json");
    dump(&data, "number", 1); // data.json = {"number":1}
    let lock = Lock::new().unwrap();
    // Many processes, running at once.
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
