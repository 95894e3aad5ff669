//! `Value` and `Array` live in shared memory: what a child writes there,
//! the parent reads back (3.1415927 and the negated array).
//!
//! Python original: seed 002, "sharing data / shared memory":
//!
//! 1. `Value('d', 0.0)` and `Array('i', range(10))`: the child sets
//!    `n.value = 3.1415927` and negates every `a[i]`; the parent prints
//!    `3.1415927` and `[0, -1, -2, ..., -9]`;
//! 2. `Array('i', [11, 22, 33, 44])` and two children `Foo(i)` that set
//!    `temp[i] = 100 + i` and print every item;
//! 3. the same with 20 children, each setting `temp[0] = 100 + i` and
//!    printing the array while holding a lock.
//!
//! The type codes `'d'` and `'i'` are the element types `f64` and `i32`.
//! In 2 the original relies on `fork` to hand the global array to the
//! children; here it is passed as an argument, the only way a shared
//! object reaches a child. In 3 the original uses an `RLock`, as here.

#![allow(clippy::approx_constant)] // the original's literal 3.1415927

use poolrt::process::{Array, Process, RLock, Value};

fn f(n: Value<f64>, a: Array<i32>) {
    n.set(3.1415927);
    for i in 0..a.len() {
        a.set(i, -a.get(i).unwrap()).unwrap();
    }
}

fn foo(temp: Array<i32>, i: usize) {
    temp.set(i, 100 + i as i32).unwrap();
    for item in temp.to_vec() {
        println!("{i} -----> {item}");
    }
}

fn foo_locked(lock: RLock, temp: Array<i32>, i: i32) {
    // Set item 0 to 100 + i.
    lock.acquire();
    temp.set(0, 100 + i).unwrap();
    for item in temp.to_vec() {
        println!("{i} -----> {item}");
    }
    lock.release().unwrap();
}

fn main() {
    println!("Shared memory: children write a Value and an Array, the parent reads them.\n");
    println!("-- 1: Value('d', 0.0), Array('i', range(10))");
    let num = Value::new(0.0f64).unwrap();
    let arr = Array::new(0..10i32).unwrap();
    let p = Process::new(f, (num.clone(), arr.clone()));
    p.start().unwrap();
    p.join().unwrap();
    println!("the parent reads {} (was 0.0)", num.get());
    println!("the parent reads {:?} (was 0..9)", arr.to_vec()); // arr[:]

    println!("\n-- 2: Array('i', [11, 22, 33, 44]), two children");
    let temp = Array::new([11, 22, 33, 44]).unwrap();
    let ps: Vec<_> = (0..2)
        .map(|i| Process::new(foo, (temp.clone(), i)))
        .collect();
    for p in &ps {
        p.start().unwrap();
    }
    for p in &ps {
        p.join().unwrap();
    }

    println!("\n-- 3: twenty children and a lock");
    let lock = RLock::new().unwrap();
    let temp = Array::new([11, 22, 33, 44]).unwrap();
    let ps: Vec<_> = (0..20)
        .map(|i| Process::new(foo_locked, (lock.clone(), temp.clone(), i)))
        .collect();
    for p in &ps {
        p.start().unwrap();
    }
    for p in &ps {
        p.join().unwrap();
    }
    println!("finally: {:?}", temp.to_vec());
}
