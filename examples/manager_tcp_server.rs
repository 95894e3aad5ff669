//! A `Manager` served over TCP with an authkey, for programs on other
//! machines: the server half of seed 004's Manager program (ten processes
//! share a dict and a list), split across two programs as Python's
//! `BaseManager(address, authkey).get_server().serve_forever()` and
//! `connect()` split it. The client half is `manager_tcp_client`.
//!
//! Two terminals (or two machines; use the server's address):
//!
//! ```text
//! cargo run --example manager_tcp_server -- 0.0.0.0:50000
//! cargo run --example manager_tcp_client -- 127.0.0.1:50000
//! ```
//!
//! The key is `POOLRT_AUTHKEY` from the environment (the same on both
//! sides), `seed 004` when unset. The server serves until a client asks it
//! to shut down (`manager_tcp_client -- ADDRESS --shutdown`).
//!
//! Run with no address, it serves on a free port of 127.0.0.1 and runs
//! `manager_tcp_client` (built beside it) against itself, once.

use std::process::Command;

use poolrt::process::Manager;

fn authkey() -> Vec<u8> {
    std::env::var("POOLRT_AUTHKEY").map_or_else(|_| b"seed 004".to_vec(), String::into_bytes)
}

fn main() {
    println!("A Manager served over TCP with an authkey, for programs on other machines.");
    let given = std::env::args().nth(1);
    let address = given.clone().unwrap_or_else(|| "127.0.0.1:0".to_owned());
    let manager = Manager::builder()
        .address(address.as_str())
        .authkey(authkey())
        .start()
        .unwrap();
    println!("server: serving on {}", manager.address());
    let demo = given.is_none().then(|| {
        let client = std::env::current_exe()
            .unwrap()
            .with_file_name("manager_tcp_client");
        Command::new(client)
            .args([manager.address().to_string(), "--shutdown".to_owned()])
            .spawn()
            .expect("manager_tcp_client is built beside this example")
    });
    manager.serve_forever().unwrap(); // server.serve_forever()
    println!("server: a client asked it to shut down");
    if let Some(mut client) = demo {
        let status = client.wait().unwrap();
        assert!(status.success(), "the client failed: {status}");
        println!("server: the client is done");
    }
}
