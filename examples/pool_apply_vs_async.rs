//! `apply` runs one task at a time; `apply_async` runs them in parallel
//! (ten tasks of 200 ms on five processes: about 2 s against 0.4 s); and
//! callbacks run in the main process, whose pid they print.
//!
//! Python original: seed 004, "process pool": `Pool(5)` running ten tasks
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
    println!("Pool(5): apply runs tasks one at a time, apply_async five at a time.\n");
    // pool.apply: serial.
    let pool = Pool::new(5)?; // five processes at most
    let start = Instant::now();
    for i in 0..10 {
        pool.apply(foo, i)?;
    }
    println!("end");
    pool.close();
    pool.join()?;
    println!(
        "apply: ten tasks of 200 ms in {:.1?} (one task at a time)\n",
        start.elapsed()
    );

    // pool.apply_async: parallel, five at a time.
    let pool = Pool::new(5)?;
    let start = Instant::now();
    for i in 0..10 {
        pool.apply_async(foo, i)?;
    }
    println!("end");
    pool.close();
    pool.join()?; // without join the program would end before the tasks
    println!(
        "apply_async: ten tasks of 200 ms in {:.1?} (five at a time)\n",
        start.elapsed()
    );

    // Callbacks run in the main process.
    let pool = Pool::new(5)?;
    println!(
        "main process: {} (the callbacks print this pid; the tasks print their workers')",
        std::process::id()
    );
    for i in 0..10 {
        pool.apply_async_with(foo, i, Callbacks::new().on_result(bar))?;
    }
    println!("end");
    pool.close();
    pool.join()?;
    Ok(())
}
