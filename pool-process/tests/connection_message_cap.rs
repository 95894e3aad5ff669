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

#[test]
fn a_listener_cap_of_1_kib_refuses_2_kib_and_no_cap_takes_65_mib() {
    let name = format!("\0poolrt-test-message-cap-set-{}", std::process::id());
    let capped = Listener::builder()
        .max_message(Some(1024))
        .bind(name.as_str())
        .unwrap();
    let client = Client::new().connect(name.as_str()).unwrap();
    let accepted = capped.accept().unwrap();
    assert_eq!(accepted.max_message(), Some(1024));
    client.send_bytes(&[7; 1024], 0, None).unwrap();
    assert_eq!(accepted.recv_bytes(None).unwrap().len(), 1024, "at the cap");
    client.send_bytes(&[7; 2048], 0, None).unwrap();
    let refused = accepted.recv_bytes(None).unwrap_err();
    assert!(refused.to_string().contains("2048"), "{refused}");
    assert!(!accepted.readable(), "stops receiving");
    drop((capped, client, accepted));

    // Lifted on both ends: a message past the 64 MiB default arrives
    // whole. The sender writes from its own thread, since the socket
    // holds far less than the message.
    let name = format!("\0poolrt-test-message-uncapped-{}", std::process::id());
    let listener = Listener::builder()
        .max_message(None)
        .bind(name.as_str())
        .unwrap();
    let sender = std::thread::spawn({
        let name = name.clone();
        move || {
            let client = Client::new()
                .max_message(None)
                .connect(name.as_str())
                .unwrap();
            client.send_bytes(&vec![9; 65 << 20], 0, None).unwrap();
            client
        }
    });
    let accepted = listener.accept().unwrap();
    assert_eq!(accepted.max_message(), None);
    let big = accepted.recv_bytes(None).unwrap();
    assert_eq!((big.len(), big[0], big[big.len() - 1]), (65 << 20, 9, 9));
    drop(sender.join().unwrap());
}
