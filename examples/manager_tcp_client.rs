//! The client half of seed 004's Manager program over TCP: it connects to
//! `manager_tcp_server` by address and authkey, finds the shared dict and
//! list by name, and ten processes of its own each set three keys and
//! append their pid, as in the Python original:
//!
//! ```python
//! def f(d, l):
//!     d[1] = '1'; d['2'] = 2; d[0.25] = None
//!     l.append(os.getpid())
//!     print(l)
//! ```
//!
//! ```text
//! cargo run --example manager_tcp_client -- 127.0.0.1:50000 [--shutdown]
//! ```
//!
//! The proxies travel to the ten children with the address and key, so
//! each child connects to the server on its own. With no address, this
//! example serves a manager in a thread of its own, for a demo on one
//! machine.

use std::fmt;

use poolrt::process::{Dict, List, Manager, Process};
use serde::{Deserialize, Serialize};

/// A Python value of the kinds seed 004 puts in its dict.
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

fn authkey() -> Vec<u8> {
    std::env::var("POOLRT_AUTHKEY").map_or_else(|_| b"seed 004".to_vec(), String::into_bytes)
}

fn f(d: Dict<Py, Py>, l: List<i64>) {
    d.insert(Py::Int(1), Py::Str("1".into())).unwrap();
    d.insert(Py::Str("2".into()), Py::Int(2)).unwrap();
    d.insert(Py::Float(0.25), Py::None).unwrap();
    l.append(i64::from(std::process::id())).unwrap(); // every process has its own pid
    println!("{:?}", l.to_vec().unwrap());
}

fn main() {
    println!("A client of a Manager served over TCP: ten processes share its dict and list.");
    let args: Vec<String> = std::env::args().skip(1).collect();
    let shutdown = args.iter().any(|a| a == "--shutdown");
    let address = args.iter().find(|a| !a.starts_with("--")).cloned();
    // No server given: serve one here, in a thread, for the demo.
    let local = address.is_none().then(|| {
        Manager::builder()
            .address("127.0.0.1:0")
            .authkey(authkey())
            .start()
            .unwrap()
    });
    let address = address.unwrap_or_else(|| local.as_ref().unwrap().address().to_string());
    let manager = Manager::connect(address.as_str(), authkey()).unwrap(); // m.connect()
    println!("client: connected to {address}");
    let d = manager.dict_named::<Py, Py>("d").unwrap();
    let l = manager.list_named("l", 0..5).unwrap();
    let before = l.len().unwrap();
    let children: Vec<Process> = (0..10)
        .map(|_| Process::new(f, (d.clone(), l.clone())))
        .collect();
    for p in &children {
        p.start().unwrap();
    }
    for p in &children {
        p.join().unwrap();
    }
    let items: Vec<String> = d
        .items()
        .unwrap()
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    println!("{{{}}}", items.join(", "));
    let list = l.to_vec().unwrap();
    println!("{list:?}");
    println!(
        "client: the list grew by {}: every child's append is there",
        list.len() - before
    );
    if shutdown {
        manager.shutdown();
        println!("client: asked the server to shut down");
    }
}
