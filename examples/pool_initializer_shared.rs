//! A `Pool` whose workers share a `Lock` and a `Value` through the
//! pool's initializer: Python's common idiom
//!
//! ```python
//! def init(l, c):
//!     global lock, counter
//!     lock, counter = l, c
//!
//! def work(x):
//!     with lock:
//!         counter.value += 1
//!     return x * x
//!
//! pool = Pool(2, initializer=init, initargs=(Lock(), Value('i', 0)), maxtasksperchild=25)
//! ```
//!
//! Every worker, replacements included (`maxtasksperchild`), inherits the
//! same lock and counter, so the count of tasks run is exact. Run with
//! `cargo run --release --example pool_initializer_shared`.

use std::collections::HashSet;
use std::sync::OnceLock;

use poolrt::process::{Lock, Pool, Value};

/// What the initializer leaves in each worker for its tasks.
static SHARED: OnceLock<(Lock, Value<u64>)> = OnceLock::new();

fn init(shared: (Lock, Value<u64>)) {
    let _ = SHARED.set(shared);
}

fn work(x: u64) -> (u64, u32) {
    let (lock, counter) = SHARED.get().expect("the initializer ran first");
    {
        // A read-modify-write: without the shared lock, updates get lost.
        let _held = lock.lock();
        counter.set(counter.get() + 1);
    }
    (x * x, std::process::id())
}

fn main() {
    let counter = Value::new(0u64).unwrap();
    let pool = Pool::builder()
        .processes(2)
        .maxtasksperchild(25)
        .initializer(init, (Lock::new().unwrap(), counter.clone()))
        .build()
        .unwrap();
    let results = pool.map_chunked(work, 0..200u64, 1).unwrap();
    let sum: u64 = results.iter().map(|(square, _)| square).sum();
    let workers: HashSet<u32> = results.iter().map(|&(_, pid)| pid).collect();
    println!("A pool whose workers share a Lock and a Value through their initializer:");
    println!(
        "  200 tasks ran in {} worker processes (a new one every 25 tasks)",
        workers.len()
    );
    println!(
        "  the shared counter says {} tasks ran (expected 200)",
        counter.get()
    );
    println!(
        "  sum of squares 0..200 = {sum} (expected {})",
        (0..200u64).map(|x| x * x).sum::<u64>()
    );
    assert_eq!(
        counter.get(),
        200,
        "every worker updated the same counter under the same lock"
    );
    pool.close();
    pool.join().unwrap();
}
