//! A `Manager` dict and list are shared by many processes: after ten
//! children each append their pid, the parent's list holds all ten pids.
//!
//! Python originals, the `Manager` programs:
//!
//! - seed 004 "exchanging and sharing data between processes": ten
//!   processes share `manager.dict()` and `manager.list(range(5))`; each
//!   sets `d[1] = '1'`, `d['2'] = 2`, `d[0.25] = None` and appends its pid
//!   to the list, printing it; then the variant where each process stores
//!   `d[pid] = pid`;
//! - seed 002 "Server process": one process
//!   sets the same three keys and reverses `list(range(10))`; and
//!   `dic[i] = 100 + i` from two processes, each printing `dic.values()`.
//!
//! Python's dict takes keys and values of any type at once (`1`, `'2'`,
//! `0.25`, `None`); a Rust proxy is typed, so the mixed keys and values are
//! a small enum, `Py`, printed the way Python prints them.

use std::fmt;

use poolrt::process::{Dict, List, Manager, Process};
use serde::{Deserialize, Serialize};

/// A Python value of the kinds the seeds put in their dicts.
#[derive(Clone, Debug, Serialize, Deserialize)]
enum Py {
    Int(i64),
    Float(f64),
    Str(String),
    None,
}

impl fmt::Display for Py {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Py::Int(n) => write!(f, "{n}"),
            Py::Float(x) => write!(f, "{x}"),
            Py::Str(s) => write!(f, "'{s}'"),
            Py::None => f.write_str("None"),
        }
    }
}

/// Prints a dict's items as Python prints a dict.
fn show(items: &[(Py, Py)]) -> String {
    let entries: Vec<String> = items.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!("{{{}}}", entries.join(", "))
}

fn set_three_keys(d: &Dict<Py, Py>) {
    d.insert(Py::Int(1), Py::Str("1".into())).unwrap(); // put keys and values in the empty dict
    d.insert(Py::Str("2".into()), Py::Int(2)).unwrap();
    d.insert(Py::Float(0.25), Py::None).unwrap();
}

fn f(d: Dict<Py, Py>, l: List<i64>) {
    set_three_keys(&d);
    l.append(i64::from(std::process::id())).unwrap(); // every process has its own pid
    println!("{:?}", l.to_vec().unwrap());
}

fn f_pid(d: Dict<u32, u32>, l: List<i64>) {
    d.insert(std::process::id(), std::process::id()).unwrap();
    l.append(i64::from(std::process::id())).unwrap();
    println!("{:?}", l.to_vec().unwrap());
}

fn f_reverse(d: Dict<Py, Py>, l: List<i64>) {
    set_three_keys(&d);
    l.reverse().unwrap();
}

fn foo(dic: Dict<i64, i64>, i: i64) {
    dic.insert(i, 100 + i).unwrap();
    println!("{:?}", dic.values().unwrap());
}

fn run_all(processes: Vec<Process>) {
    for p in &processes {
        p.start().unwrap();
    }
    for p in &processes {
        p.join().unwrap();
    }
}

fn main() {
    println!("A Manager's dict and list, shared by many processes.\n");
    let manager = Manager::new().unwrap(); // with Manager() as manager:

    println!("-- seed 004: ten processes share a dict and a list");
    let d = manager.dict().unwrap(); // a dict that processes can pass around and share
    let l = manager.list(0..5).unwrap(); // a list of five items from range(5)
    run_all(
        (0..10)
            .map(|_| Process::new(f, (d.clone(), l.clone())))
            .collect(),
    );
    // Once every process is done: the dict, and the list.
    println!("{}", show(&d.items().unwrap()));
    let list = l.to_vec().unwrap();
    println!("{list:?}");
    println!(
        "the list holds 5 + {} items: every child's append is there",
        list.len() - 5
    );

    println!("\n-- seed 004: each process stores d[pid] = pid");
    let d = manager.dict::<u32, u32>().unwrap();
    let l = manager.list(0..5).unwrap();
    run_all(
        (0..10)
            .map(|_| Process::new(f_pid, (d.clone(), l.clone())))
            .collect(),
    );
    println!("{:?}", d.items().unwrap());
    println!("{:?}", l.to_vec().unwrap());

    println!("\n-- seed 002: one process sets three keys and reverses the list");
    let d = manager.dict().unwrap();
    let l = manager.list(0..10).unwrap();
    run_all(vec![Process::new(f_reverse, (d.clone(), l.clone()))]);
    println!("{}", show(&d.items().unwrap()));
    println!("{:?}", l.to_vec().unwrap());

    println!("\n-- seed 002: dic[i] = 100 + i from two processes");
    let dic = manager.dict().unwrap();
    for i in 0..2 {
        let p = Process::new(foo, (dic.clone(), i));
        p.start().unwrap();
        p.join().unwrap();
    }
}
