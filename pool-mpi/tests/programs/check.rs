//! The program the MPI tests run under `mpirun`: `pool-mpi-check MODE`.
//! Rank 0 exercises one behaviour and prints `ok MODE` when every check
//! held; the other ranks serve. A failed check panics (exit status 101).
//!
//! | mode | checks |
//! |------|--------|
//! | `pool` | every `Pool` method, callbacks on the root, tasks ran on the worker ranks |
//! | `executor` | `submit` → `TaskFuture`, the executor's `map`, shutdown |
//! | `executor_lazy` | an executor whose second link never started still ends the job |
//! | `panic` | a task's panic reaches the root with message, location, rank and host |
//! | `serialize` | an argument that cannot be serialized is an error at the call |
//! | `die` | a rank that exits ends the job (the test checks both reports) |
//! | `die_signal` | a rank killed by a signal (SIGABRT) ends the job |
//! | `per_node` | one rank per node feeding a local process pool |
//! | `terminate` | `terminate` fails the task in flight and the queued ones, `join` returns |
//! | `terminate_big` | `terminate` while tasks with results too big for MPI's eager sends run: the job still ends |
//! | `send_ahead` | tasks queued at busy ranks still all complete, in order; `send_ahead(0)` sends only to idle ranks |
//! | `send_ahead_limit` | `send_ahead` over its limit is a clear error, and every rank exits |
//! | `netns` | a map across ranks, printing each rank's network namespace |

use std::collections::BTreeSet;
use std::sync::mpsc;
use std::time::Duration;

use pool_mpi::{Placement, Pool};
use pool_process::Callbacks;
use serde::{Serialize, Serializer};

fn square(x: u64) -> u64 {
    x * x
}

fn add(a: u64, b: u64) -> u64 {
    a + b
}

/// Where a task ran: its pid and its parent's.
fn whereami(_: u32) -> (u32, u32) {
    (std::process::id(), std::os::unix::process::parent_id())
}

fn netns(_: u32) -> String {
    // A little work, so every rank gets a share of the items.
    std::thread::sleep(Duration::from_millis(2));
    std::fs::read_link("/proc/self/ns/net")
        .map(|p| p.display().to_string())
        .unwrap_or_default()
}

fn checked_sqrt(x: f64) -> f64 {
    assert!(x >= 0.0, "negative input {x}");
    x.sqrt()
}

fn die(code: i32) -> u8 {
    std::process::exit(code)
}

fn abort(_: ()) -> u8 {
    std::process::abort()
}

/// A value whose serialization fails.
struct Unserializable;

impl Serialize for Unserializable {
    fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom(
            "this value refuses to be serialized",
        ))
    }
}

impl<'de> serde::Deserialize<'de> for Unserializable {
    fn deserialize<D: serde::Deserializer<'de>>(_: D) -> Result<Self, D::Error> {
        Ok(Unserializable)
    }
}

fn main() {
    let mode = std::env::args().nth(1).unwrap_or_default();
    let placement = if mode == "per_node" {
        Placement::RankPerNode
    } else {
        Placement::RankPerCore
    };
    if mode == "executor" {
        executor();
        return;
    }
    if mode == "send_ahead_limit" {
        let error = Pool::builder().send_ahead(16).build().unwrap_err();
        assert_eq!(error.kind(), pool_core::ErrorKind::InvalidConfig, "{error}");
        println!("send_ahead error: {error}");
        println!("ok send_ahead_limit");
        return;
    }
    if mode == "executor_lazy" {
        // One task starts one link; the other rank's link never starts,
        // and the job must still end.
        let executor = pool_mpi::MpiPoolExecutor::new().unwrap();
        assert_eq!(executor.submit(square, 4).unwrap().result().unwrap(), 16);
        drop(executor);
        println!("ok executor_lazy");
        return;
    }
    let send_ahead = if mode == "send_ahead" { 0 } else { 1 };
    let pool = match Pool::builder()
        .placement(placement)
        .send_ahead(send_ahead)
        .build()
    {
        Ok(pool) => pool,
        Err(error) => {
            println!("error: {error}");
            std::process::exit(3);
        }
    };
    match mode.as_str() {
        "pool" => pool_methods(&pool),
        "panic" => panic(&pool),
        "serialize" => serialize(&pool),
        "die" => {
            let _ = pool.apply(die, 7);
            unreachable!("mpirun ends the job when a rank dies");
        }
        "die_signal" => {
            let _ = pool.apply(abort, ());
            unreachable!("mpirun ends the job when a rank dies");
        }
        "per_node" => per_node(&pool),
        "terminate" => {
            terminate(&pool);
            println!("ok terminate");
            return;
        }
        "terminate_big" => {
            // Both ranks hold two tasks each (one running, one sent
            // ahead), every result 1 MiB: past the eager limit, a rank's
            // send of it waits for the root to receive it.
            let held: Vec<_> = (0..4)
                .map(|_| pool.apply_async(big_after_nap, 300).unwrap())
                .collect();
            pool.terminate();
            pool.join_timeout(Duration::from_secs(60)).unwrap();
            for result in held {
                assert!(result.get().is_err(), "terminated");
            }
            drop(pool);
            println!("ok terminate_big");
            return;
        }
        "send_ahead" => {
            // Built with send_ahead(0): one link per rank.
            assert_eq!(pool.processes(), 2, "one link per worker rank");
            let expected: Vec<u64> = (0..500).map(square).collect();
            assert_eq!(pool.map_chunked(square, 0..500, 3).unwrap(), expected);
        }
        "netns" => {
            let spaces: BTreeSet<String> = pool
                .map_chunked(netns, 0..200, 1)
                .unwrap()
                .into_iter()
                .collect();
            println!("root netns {}", netns(0));
            for space in &spaces {
                println!("task netns {space}");
            }
        }
        other => panic!("unknown mode {other:?}"),
    }
    pool.close();
    pool.join().unwrap();
    println!("ok {mode}");
}

/// Every `Pool` method; the tasks ran on the worker ranks.
fn pool_methods(pool: &Pool) {
    let workers: BTreeSet<u32> = pool.ranks().iter().map(|r| r.pid).collect();
    assert_eq!(pool.ranks().len(), 2, "mpirun -n 3: two worker ranks");
    assert_eq!(pool.apply(square, 7).unwrap(), 49);
    let ran: BTreeSet<u32> = pool
        .map_chunked(whereami, 0..64, 1)
        .unwrap()
        .into_iter()
        .map(|(pid, _)| pid)
        .collect();
    assert!(
        ran.is_subset(&workers),
        "tasks ran on {ran:?}, ranks {workers:?}"
    );
    assert!(!ran.contains(&std::process::id()), "never on the root");

    // apply_async with callbacks, which run on the root.
    let (tx, rx) = mpsc::channel();
    let tx2 = tx.clone();
    let callbacks = Callbacks::new().on_result(move |v: &u64| {
        tx.send(format!("value {v} in {}", std::process::id()))
            .unwrap()
    });
    let pending = pool.apply_async_with(square, 12, callbacks).unwrap();
    assert_eq!(pending.get().unwrap(), 144);
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(60)).unwrap(),
        format!("value 144 in {}", std::process::id())
    );
    let callbacks = Callbacks::new()
        .on_error(move |e: &pool_core::Error| tx2.send(format!("error {}", e.is_panic())).unwrap());
    assert!(
        pool.apply_async_with(checked_sqrt, -1.0, callbacks)
            .unwrap()
            .get()
            .is_err()
    );
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(60)).unwrap(),
        "error true"
    );

    // The map family, with automatic chunking and explicit chunks.
    let expected: Vec<u64> = (0..1000).map(square).collect();
    assert_eq!(pool.map(square, 0..1000).unwrap(), expected);
    assert_eq!(pool.map_chunked(square, 0..1000, 7).unwrap(), expected);
    assert_eq!(
        pool.map_async(square, 0..1000).unwrap().get().unwrap(),
        expected
    );
    let lazy: Vec<u64> = pool.imap(square, 0..1000).map(Result::unwrap).collect();
    assert_eq!(lazy, expected);
    let mut unordered: Vec<u64> = pool
        .imap_unordered_chunked(square, 0..1000, 10)
        .map(Result::unwrap)
        .collect();
    unordered.sort_unstable();
    assert_eq!(unordered, expected);
    let pairs: Vec<(u64, u64)> = (0..100).map(|i| (i, 2 * i)).collect();
    let sums = pool.starmap(add, pairs).unwrap();
    assert_eq!(sums, (0..100).map(|i| 3 * i).collect::<Vec<_>>());
    // A non-capturing closure is a task too.
    assert_eq!(
        pool.apply(|s: String| s.len(), "hello".to_owned()).unwrap(),
        5
    );
    // A function written for the process backend's pool takes this one.
    assert_eq!(total(pool, 10), 285);
    assert!(pool.join().is_err(), "join before close");
}

fn total(pool: &pool_process::Pool, n: u64) -> u64 {
    pool.map(square, 0..n).unwrap().into_iter().sum()
}

fn executor() {
    let executor = match pool_mpi::MpiPoolExecutor::new() {
        Ok(executor) => executor,
        Err(error) => {
            println!("error: {error}");
            std::process::exit(3);
        }
    };
    let future: pool_core::TaskFuture<u64> = executor.submit(square, 9).unwrap();
    assert_eq!(future.result().unwrap(), 81);
    let futures: Vec<_> = (0..50)
        .map(|x| executor.submit(square, x).unwrap())
        .collect();
    let mut done: Vec<u64> = pool_core::as_completed(&futures, None)
        .map(|f| f.unwrap().result().unwrap())
        .collect();
    done.sort_unstable();
    assert_eq!(done, (0..50).map(square).collect::<Vec<_>>());
    let mapped: Vec<u64> = executor.map(square, 0..100).map(Result::unwrap).collect();
    assert_eq!(mapped, (0..100).map(square).collect::<Vec<_>>());
    let (tx, rx) = mpsc::channel();
    executor
        .submit(square, 5)
        .unwrap()
        .add_done_callback(move |outcome| tx.send(*outcome.unwrap()).unwrap());
    assert_eq!(rx.recv_timeout(Duration::from_secs(60)).unwrap(), 25);
    executor.shutdown();
    assert!(
        executor.submit(square, 1).is_err(),
        "no submit after shutdown"
    );
    println!("ok executor");
}

fn panic(pool: &Pool) {
    let error = pool.apply(checked_sqrt, -4.0).unwrap_err();
    assert!(error.is_panic(), "{error}");
    let panic = error.panic().unwrap();
    assert!(panic.message().contains("negative input -4"), "{error}");
    assert!(panic.location().unwrap().contains("check.rs"), "{error}");
    let host = &pool.ranks()[0].host;
    let text = panic.to_string();
    let worker = panic.thread_name().unwrap();
    assert!(
        worker.starts_with("rank ") && worker.ends_with(&format!("on host {host}")),
        "{text}"
    );
    println!("panic error: {error}: {panic}");
    // The rank survives its task's panic.
    assert_eq!(pool.apply(square, 3).unwrap(), 9);
    assert_eq!(pool.map(checked_sqrt, [4.0, 9.0]).unwrap(), [2.0, 3.0]);
}

fn nap(millis: u64) -> u64 {
    std::thread::sleep(Duration::from_millis(millis));
    millis
}

fn big_after_nap(millis: u64) -> Vec<u8> {
    std::thread::sleep(Duration::from_millis(millis));
    vec![7; 1 << 20]
}

fn terminate(pool: &Pool) {
    assert_eq!(pool.apply(square, 3).unwrap(), 9);
    // Two long tasks hold both ranks, a third waits in the queue.
    let held: Vec<_> = (0..3)
        .map(|_| pool.apply_async(nap, 1500).unwrap())
        .collect();
    pool.terminate();
    pool.join_timeout(Duration::from_secs(60)).unwrap();
    for result in held {
        let error = result.get().unwrap_err();
        assert!(
            error.to_string().contains("terminated") || error.is_cancelled(),
            "{error}"
        );
    }
    assert!(pool.apply(square, 1).is_err(), "no tasks after terminate");
}

fn serialize(pool: &Pool) {
    let error = pool
        .apply(|_: Unserializable| 1u8, Unserializable)
        .unwrap_err();
    assert_eq!(error.kind(), pool_core::ErrorKind::Serialize, "{error}");
    assert!(
        error.to_string().contains("the argument of apply"),
        "{error}"
    );
    println!("serialize error: {error}");
    assert_eq!(pool.apply(square, 2).unwrap(), 4, "the pool goes on");
}

fn per_node(pool: &Pool) {
    let ranks: BTreeSet<u32> = pool.ranks().iter().map(|r| r.pid).collect();
    let cores: u32 = pool.ranks().iter().map(|r| r.cores).sum();
    assert_eq!(
        pool.processes(),
        2 * cores as usize,
        "two links per core of each node: the task it runs and one sent ahead"
    );
    let ran = pool.map_chunked(whereami, 0..200, 1).unwrap();
    for (pid, parent) in &ran {
        assert!(
            !ranks.contains(pid),
            "a node's local worker ran it, not the rank"
        );
        assert!(
            ranks.contains(parent),
            "its parent {parent} is a node rank {ranks:?}"
        );
    }
    let workers: BTreeSet<u32> = ran.iter().map(|(pid, _)| *pid).collect();
    println!(
        "per_node: {} local workers under {} ranks",
        workers.len(),
        ranks.len()
    );
    assert_eq!(
        pool.map(square, 0..1000).unwrap(),
        (0..1000).map(square).collect::<Vec<_>>()
    );
}
