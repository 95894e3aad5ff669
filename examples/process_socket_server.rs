//! A TCP server with a process per client: two clients talk at once, each
//! served by its own process, whose pid the output shows.
//!
//! Python original: seed 001, "exercise: a socket server with processes":
//! a TCP server that starts one process per client (`talk(conn)`), which
//! sends back what the client sent, upper-cased, until the client closes
//! (`if not data: break`); and the client that sends its input and prints
//! the reply.
//!
//! Differences:
//!
//! - The client runs in the same program (two of them, at once, on threads)
//!   and sends fixed lines instead of `input('>>:')`; the server takes a
//!   free port instead of 8080, serves those two clients and stops, so the
//!   program ends by itself.
//! - As in Python, the accepted socket itself goes to the child: wrapped in a
//!   `poolrt::process::Fd`, which the child turns back into a `TcpStream`.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process;
use std::time::Duration;

use poolrt::process::{Fd, Process};

/// The process serving one client: the original's `talk(conn)`.
fn talk(conn: Fd) {
    let mut conn = TcpStream::from(conn.into_inner());
    let mut data = [0u8; 1024];
    loop {
        let n = conn.read(&mut data).unwrap(); // conn.recv(1024)
        if n == 0 {
            break; // if not data: break
        }
        println!(
            "data from the client: b'{}' (served by process {})",
            String::from_utf8_lossy(&data[..n]),
            process::id()
        );
        conn.write_all(&data[..n].to_ascii_uppercase()).unwrap(); // conn.send(data.upper())
    }
}

fn server(listener: TcpListener, clients: usize) {
    let mut served = Vec::new();
    for _ in 0..clients {
        let (conn, addr) = listener.accept().unwrap();
        let p = Process::new(talk, (Fd::new(conn),)); // Process(target=talk, args=(conn,))
        p.start().unwrap();
        println!("server: {addr} is served by process {}", p.pid().unwrap());
        served.push(p);
    }
    for p in served {
        p.join().unwrap();
    }
}

fn client(name: &str, port: u16, lines: &[&str]) {
    let mut client = TcpStream::connect(("127.0.0.1", port)).unwrap();
    for cmd in lines {
        std::thread::sleep(Duration::from_millis(50)); // someone typing
        if cmd.is_empty() {
            continue; // if not cmd: continue
        }
        client.write_all(cmd.as_bytes()).unwrap();
        let mut data = [0u8; 1024];
        let n = client.read(&mut data).unwrap();
        println!("{name} >>:{cmd} -> {}", String::from_utf8_lossy(&data[..n]));
    }
}

fn main() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    println!("A TCP echo server that starts one process per client; two clients at once.\n");
    println!("server on 127.0.0.1:{port}, main process {}", process::id());
    let server = std::thread::spawn(move || server(listener, 2));

    let clients = [
        std::thread::spawn(move || client("client 1", port, &["hello", "", "egon"])),
        std::thread::spawn(move || client("client 2", port, &["ni hao", "poolrt", "bye"])),
    ];
    for c in clients {
        c.join().unwrap();
    }
    server.join().unwrap();
}
