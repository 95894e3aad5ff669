//! **M1**: a `Manager` proxy's round trip, against CPython's
//! `multiprocessing.Manager` in the same run: a dict get, a dict set and
//! a `Namespace` field read through a proxy, from the manager's owner and
//! from a child process (which times a batch of calls and reports it).
//! CPython's figures come from `benches/cpython_pool.py M1`, run by
//! [`summary`] when `python3` is there.

use std::hint::black_box;
use std::time::Duration;

use criterion::Criterion;
use poolrt::process::managers::Namespace;
use poolrt::process::{Connection, Dict, Manager, Pipe, Process};

use crate::support::median_seconds;

/// The child side: for each request `(what, n)`, makes `n` calls of that
/// kind and answers the time they took.
fn calls_from_a_child(d: Dict<u64, u64>, ns: Namespace, conn: Connection) {
    while let Ok((what, n)) = conn.recv::<(u8, u64)>() {
        let start = std::time::Instant::now();
        for i in 0..n {
            match what {
                0 => {
                    black_box(d.get(&1).unwrap());
                }
                1 => d.insert(1, i).unwrap(),
                _ => {
                    black_box(ns.get::<u64>("x").unwrap());
                }
            }
        }
        conn.send(&start.elapsed()).unwrap();
    }
}

pub(crate) fn m1(c: &mut Criterion) {
    let mut group = c.benchmark_group("M1");
    let manager = Manager::new().unwrap();
    let d = manager.dict::<u64, u64>().unwrap();
    d.insert(1, 1).unwrap();
    let ns = manager.namespace().unwrap();
    ns.set("x", &1u64).unwrap();
    group.bench_function("owner_dict_get", |b| {
        b.iter(|| black_box(d.get(&1).unwrap()))
    });
    group.bench_function("owner_dict_set", |b| {
        b.iter(|| d.insert(1, black_box(2)).unwrap())
    });
    group.bench_function("owner_namespace_read", |b| {
        b.iter(|| black_box(ns.get::<u64>("x").unwrap()))
    });
    let (here, there) = Pipe(true).unwrap();
    let child = Process::new(calls_from_a_child, (d.clone(), ns.clone(), there));
    child.start().unwrap();
    for (what, name) in [
        (0u8, "child_dict_get"),
        (1, "child_dict_set"),
        (2, "child_namespace_read"),
    ] {
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                here.send(&(what, iters)).unwrap();
                here.recv::<Duration>().unwrap()
            })
        });
    }
    here.close();
    child.join().unwrap();
    group.finish();
}

/// Prints M1 beside CPython's, measured now.
pub(crate) fn summary() {
    let us = |name: &str| median_seconds("M1", name).map_or(f64::NAN, |s| s * 1e6);
    if median_seconds("M1", "owner_dict_get").is_none() {
        return;
    }
    println!(
        "M1 poolrt Manager from the owner: dict get {:.1} us, set {:.1} us, Namespace read {:.1} us",
        us("owner_dict_get"),
        us("owner_dict_set"),
        us("owner_namespace_read")
    );
    println!(
        "M1 poolrt Manager from a child: dict get {:.1} us, set {:.1} us, Namespace read {:.1} us",
        us("child_dict_get"),
        us("child_dict_set"),
        us("child_namespace_read")
    );
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/cpython_pool.py");
    match std::process::Command::new("python3")
        .args([script, "M1"])
        .output()
    {
        Ok(out) if out.status.success() => {
            for line in String::from_utf8_lossy(&out.stdout).lines() {
                if line.starts_with("M1") {
                    println!("{line}");
                }
            }
        }
        _ => println!("M1 CPython's Manager: python3 not available, not measured"),
    }
}
