//! `Fd`: a socket accepted by the parent served by a child (the seeds'
//! process-per-client server), and the inheritance-only rule.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};

use pool_core::ErrorKind;
use pool_process::{Fd, Pool, Process};

fn talk(conn: Fd) {
    let stream = TcpStream::from(conn.into_inner());
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap() > 0 {
        writer.write_all(line.to_uppercase().as_bytes()).unwrap();
        line.clear();
    }
}

#[test]
fn a_child_serves_a_connection_the_parent_accepted() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (conn, _) = listener.accept().unwrap();
    let child = Process::new(talk, (Fd::new(conn),));
    child.start().unwrap();
    let mut replies = BufReader::new(client.try_clone().unwrap());
    for word in ["hello\n", "wörld\n"] {
        client.write_all(word.as_bytes()).unwrap();
        let mut reply = String::new();
        replies.read_line(&mut reply).unwrap();
        assert_eq!(reply, word.to_uppercase());
    }
    client.shutdown(std::net::Shutdown::Write).unwrap();
    child.join().unwrap();
}

fn close(_: Fd) {}

#[test]
fn an_fd_cannot_travel_through_a_pool() {
    let pool = Pool::new(1).unwrap();
    let file = std::fs::File::open("/proc/self/exe").unwrap();
    let error = pool.apply(close, Fd::new(file)).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Serialize);
    let text = format!("{error} {:?}", std::error::Error::source(&error));
    assert!(text.contains("Fd can only be passed"), "{text}");
}
