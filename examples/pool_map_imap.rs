//! A tour of the process `Pool`: results through callbacks, `map` in
//! order, `imap_unordered` as they come, `get` with a timeout, and the
//! worker pids that show the work spread over several processes.
//!
//! Python original: seed 002, "process pool": `apply_async` with a
//! callback, then a `multiprocessing.Pool` tour: `map`, `imap_unordered`,
//! `apply_async(...).get(timeout=1)`, a task reporting its worker's pid,
//! and a `get` that times out with `multiprocessing.TimeoutError` while the
//! pool keeps working.
//!
//! The Python sleeps (2 s, 10 s) are 100 ms and 2 s here.
//!
//! Run with `cargo run --example pool_map_imap`.

use std::time::Duration;

use poolrt::process::{Callbacks, Pool};

fn my_fun(i: u32) -> u32 {
    std::thread::sleep(Duration::from_millis(100));
    i + 100
}

fn end_call(arg: &u32) {
    println!("end_call {arg}");
}

fn f(x: u64) -> u64 {
    x * x
}

fn getpid(_: ()) -> u32 {
    std::process::id()
}

fn sleep(seconds: u64) {
    std::thread::sleep(Duration::from_secs(seconds));
}

fn main() -> Result<(), poolrt::Error> {
    println!("The process Pool: callbacks, map, imap_unordered, get(timeout), worker pids.\n");
    let p = Pool::new(5)?;
    for i in 0..10 {
        p.apply_async_with(my_fun, i, Callbacks::new().on_result(end_call))?;
    }
    println!("end");
    p.close();
    p.join()?;

    // Four worker processes.
    let pool = Pool::new(4)?;
    // prints "[0, 1, 4,..., 81]"
    println!("{:?}", pool.map(f, 0..10)?);
    // the same numbers, in any order
    for i in pool.imap_unordered(f, 0..10) {
        println!("{}", i?);
    }
    // evaluate "f(20)" asynchronously: runs in one process
    let res = pool.apply_async(f, 20)?;
    println!("{}", res.get_timeout(Duration::from_secs(1))?); // prints "400"
    // evaluate "os.getpid()" asynchronously
    let res = pool.apply_async(getpid, ())?;
    println!("{}", res.get_timeout(Duration::from_secs(1))?); // a worker's pid
    // several async evaluations may use several processes
    let multiple: Vec<_> = (0..4)
        .map(|_| pool.apply_async(getpid, ()))
        .collect::<Result<_, _>>()?;
    let pids: Vec<u32> = multiple
        .iter()
        .map(|r| r.get_timeout(Duration::from_secs(1)))
        .collect::<Result<_, _>>()?;
    let mut distinct = pids.clone();
    distinct.sort_unstable();
    distinct.dedup();
    println!("{pids:?} ({} different worker processes)", distinct.len());
    // make a single worker sleep for 2 s
    let res = pool.apply_async(sleep, 2)?;
    match res.get_timeout(Duration::from_millis(200)) {
        Err(e) if e.is_timeout() => {
            println!("We lacked patience and got a multiprocessing.TimeoutError ({e})")
        }
        other => println!("unexpected: {other:?}"),
    }
    println!("For the moment, the pool remains available for more work");
    // Leaving Python's `with Pool(...)` block terminates the pool.
    pool.terminate();
    pool.join()?;
    println!("Now the pool is closed and no longer available");
    Ok(())
}
