//! Port of seed 004, "进程池" (process pool): `Pool(5)` running ten tasks
//! with `apply` (one after another), then with `apply_async` (five at a
//! time), then with `apply_async(..., callback=Bar)`, whose callbacks run
//! in the main process — the program prints its pid to show it.
//!
//! The Python tasks sleep 2 s; here they sleep 200 ms.
//!
//! Run with `cargo run --example pool_apply_vs_async`.

use std::time::{Duration, Instant};

use poolrt::process::{Callbacks, Pool};

fn foo(i: u32) -> u32 {
    std::thread::sleep(Duration::from_millis(200));
    println!("in process {}", std::process::id());
    i + 100
}

fn bar(arg: &u32) {
    println!("-->exec done: {arg} {}", std::process::id());
}

fn main() -> Result<(), poolrt::Error> {
    // pool.apply: serial.
    let pool = Pool::new(5)?; // 同时只能放入5个进程: five processes at most
    let start = Instant::now();
    for i in 0..10 {
        pool.apply(foo, i)?;
    }
    println!("end");
    pool.close();
    pool.join()?;
    println!("apply: {:.1?} (one task at a time)\n", start.elapsed());

    // pool.apply_async: parallel, five at a time.
    let pool = Pool::new(5)?;
    let start = Instant::now();
    for i in 0..10 {
        pool.apply_async(foo, i)?;
    }
    println!("end");
    pool.close();
    pool.join()?; // without join the program would end before the tasks
    println!("apply_async: {:.1?} (five at a time)\n", start.elapsed());

    // Callbacks run in the main process.
    let pool = Pool::new(5)?;
    println!("主进程 (main process): {}", std::process::id());
    for i in 0..10 {
        pool.apply_async_with(foo, i, Callbacks::new().on_result(bar))?;
    }
    println!("end");
    pool.close();
    pool.join()?;
    Ok(())
}
