//! A `Listener`'s connections (and a `Client`'s) cap the length of a
//! message they receive, 64 MiB unless set: a peer announcing 4 GiB is
//! refused before anything is allocated, with an error naming the length,
//! and the connection stops receiving.

use std::io::Write;
use std::os::fd::BorrowedFd;
use std::os::unix::net::UnixStream;

use pool_core::ErrorKind;
use pool_process::connection::{Client, Listener};

/// A raw duplicate of a connection's socket, to write what no
/// `Connection` would send.
fn raw(conn: &pool_process::Connection) -> UnixStream {
    // SAFETY: `conn` owns this descriptor and outlives the borrow, which
    // is only used to duplicate it.
    let fd = unsafe { BorrowedFd::borrow_raw(conn.fileno().unwrap()) };
    UnixStream::from(fd.try_clone_to_owned().unwrap())
}

#[test]
fn a_4_gib_header_is_refused_by_recv_before_allocating() {
    let name = format!("\0poolrt-test-message-cap-{}", std::process::id());
    let listener = Listener::bind(name.as_str()).unwrap();
    let client = Client::new().connect(name.as_str()).unwrap();
    let accepted = listener.accept().unwrap();
    // CPython's long header: -1, then 2^32 as 8 bytes.
    let mut header = (-1i32).to_be_bytes().to_vec();
    header.extend_from_slice(&(4u64 << 30).to_be_bytes());
    raw(&client).write_all(&header).unwrap();
    let refused = accepted.recv::<Vec<u8>>().unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Io, "{refused}");
    assert!(refused.to_string().contains("4294967296"), "{refused}");
    assert!(accepted.recv::<u8>().is_err(), "stops receiving");
}
