//! `Listener` and `Client` over a Unix path, a Linux abstract name and
//! TCP on 127.0.0.1, with and without an authkey, as CPython 3.11's
//! `multiprocessing.connection` behaves: the right key connects, a wrong
//! or missing one is refused on both sides before any message is
//! deserialized (`AuthenticationError`), and the listener goes on.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use pool_core::ErrorKind;
use pool_process::Process;
use pool_process::connection::{Address, AuthenticationError, Client, Listener};
use support::BOUND;

const KEY: &[u8] = b"the right key";

/// A child process: connects with `key`, says who it is, and echoes one
/// message doubled.
fn client_in_child(address: String, key: Vec<u8>) {
    let conn = Client::new()
        .authkey(key)
        .connect_timeout(address, BOUND)
        .unwrap();
    conn.send(&std::process::id()).unwrap();
    let n: u64 = conn.recv_timeout(BOUND).unwrap();
    conn.send_bytes(&(n * 2).to_be_bytes(), 0, None).unwrap();
}

fn serve_one_child(listener: &Listener, address: String) {
    let p = Process::new(client_in_child, (address, KEY.to_vec()));
    p.start().unwrap();
    let conn = listener.accept_timeout(BOUND).unwrap();
    assert_eq!(conn.recv_timeout::<u32>(BOUND).unwrap(), p.pid().unwrap());
    conn.send(&21u64).unwrap();
    let doubled = conn.recv_bytes_timeout(Some(8), BOUND).unwrap();
    assert_eq!(doubled, 42u64.to_be_bytes());
    assert!(p.join_timeout(BOUND).unwrap());
}

fn unique(name: &str) -> String {
    format!("poolrt-test-{name}-{}", std::process::id())
}

#[test]
fn a_unix_path_listener_serves_another_process_and_removes_its_file() {
    let path = std::env::temp_dir().join(unique("listener.sock"));
    let listener = Listener::builder()
        .authkey(KEY)
        .bind(path.as_path())
        .unwrap();
    assert_eq!(listener.address(), &Address::Unix(path.clone()));
    serve_one_child(&listener, path.to_str().unwrap().to_owned());
    // Python: last_accepted is '' for a Unix client (it has no name).
    assert_eq!(listener.last_accepted(), Some(Address::Unix("".into())));
    // Binding the same path again fails while the file is there.
    let error = Listener::bind(path.as_path()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Io, "{error}");
    assert!(
        error.to_string().contains(path.to_str().unwrap()),
        "{error}"
    );
    listener.close();
    assert!(!path.exists(), "close removes the socket file");
}

#[test]
fn an_abstract_listener_serves_another_process() {
    let name = format!("\0{}", unique("abstract"));
    let listener = Listener::builder()
        .authkey(KEY)
        .bind(name.as_str())
        .unwrap();
    assert_eq!(
        listener.address(),
        &Address::Abstract(name.as_bytes()[1..].to_vec())
    );
    serve_one_child(&listener, name);
}

#[test]
fn a_tcp_listener_serves_another_process() {
    let listener = Listener::builder()
        .authkey(KEY)
        .bind("127.0.0.1:0")
        .unwrap();
    let Address::Tcp(bound) = listener.address().clone() else {
        panic!("not TCP: {:?}", listener.address());
    };
    assert_ne!(bound.port(), 0);
    serve_one_child(&listener, bound.to_string());
    // Python: ('127.0.0.1', <the client's port>).
    match listener.last_accepted() {
        Some(Address::Tcp(peer)) => assert_eq!(peer.ip(), bound.ip()),
        other => panic!("last_accepted {other:?}"),
    }
}

#[test]
fn without_keys_both_sides_connect_at_once() {
    let listener = Listener::bind("127.0.0.1:0").unwrap();
    let address = listener.address().clone();
    std::thread::scope(|s| {
        let client = s.spawn(|| {
            let conn = Client::new().connect_timeout(&address, BOUND).unwrap();
            conn.send(&"no key").unwrap();
        });
        let conn = listener.accept_timeout(BOUND).unwrap();
        assert_eq!(conn.recv_timeout::<String>(BOUND).unwrap(), "no key");
        client.join().unwrap();
    });
}

#[test]
fn a_wrong_key_is_refused_on_both_sides_and_the_listener_goes_on() {
    let listener = Listener::builder()
        .authkey(KEY)
        .bind("127.0.0.1:0")
        .unwrap();
    let address = listener.address().clone();
    std::thread::scope(|s| {
        let wrong = s.spawn(|| {
            Client::new()
                .authkey(b"a wrong key")
                .connect_timeout(&address, BOUND)
        });
        // multiprocessing.AuthenticationError: digest received was wrong
        let refused = listener.accept_timeout(BOUND).unwrap_err();
        assert_eq!(refused.kind(), ErrorKind::Io, "{refused}");
        assert!(
            refused.to_string().contains("authentication failed"),
            "{refused}"
        );
        let why = AuthenticationError::of(&refused).expect("an AuthenticationError");
        assert_eq!(why.reason(), "digest received was wrong");
        // multiprocessing.AuthenticationError: digest sent was rejected
        let refused = wrong.join().unwrap().unwrap_err();
        let why = AuthenticationError::of(&refused).expect("an AuthenticationError");
        assert_eq!(why.reason(), "digest sent was rejected", "{refused}");

        let right = s.spawn(|| {
            let conn = Client::new()
                .authkey(KEY)
                .connect_timeout(&address, BOUND)
                .unwrap();
            conn.recv_timeout::<String>(BOUND).unwrap()
        });
        let conn = listener.accept_timeout(BOUND).unwrap();
        conn.send(&"welcome").unwrap();
        assert_eq!(right.join().unwrap(), "welcome");
    });
}

#[test]
fn a_client_without_the_key_is_refused_before_its_message_is_read_as_a_value() {
    let listener = Listener::builder()
        .authkey(KEY)
        .bind("127.0.0.1:0")
        .unwrap();
    let address = listener.address().clone();
    std::thread::scope(|s| {
        let keyless = s.spawn(|| {
            let conn = Client::new().connect_timeout(&address, BOUND).unwrap();
            // Its first message is taken as the answer to the challenge.
            conn.send(&"let me in").unwrap();
            conn.recv_bytes_timeout(None, BOUND)
        });
        let refused = listener.accept_timeout(BOUND).unwrap_err();
        assert!(AuthenticationError::of(&refused).is_some(), "{refused}");
        // What the keyless client reads: the challenge, as bytes.
        let first = keyless.join().unwrap().unwrap();
        assert!(first.starts_with(b"#CHALLENGE#{sha256}"), "{first:?}");
    });
}

#[test]
fn a_client_with_a_key_refuses_a_listener_without_one() {
    let listener = Listener::bind("127.0.0.1:0").unwrap();
    let address = listener.address().clone();
    std::thread::scope(|s| {
        let server = s.spawn(|| {
            let conn = listener.accept_timeout(BOUND).unwrap();
            conn.send(&"hello, whoever you are").unwrap();
            // The client hangs up without answering.
            conn.recv_bytes_timeout(None, BOUND).unwrap_err()
        });
        let refused = Client::new()
            .authkey(KEY)
            .connect_timeout(&address, BOUND)
            .unwrap_err();
        let why = AuthenticationError::of(&refused).expect("an AuthenticationError");
        assert!(why.reason().contains("not a challenge"), "{refused}");
        assert_eq!(server.join().unwrap().kind(), ErrorKind::Closed);
    });
}

#[test]
fn a_listener_that_welcomes_anyone_is_refused_by_the_clients_own_challenge() {
    // A rogue listener without the key: it sends a challenge, welcomes
    // whatever answer comes, then cannot answer the client's challenge.
    let rogue = Listener::bind("127.0.0.1:0").unwrap();
    let address = rogue.address().clone();
    std::thread::scope(|s| {
        let server = s.spawn(|| {
            let conn = rogue.accept_timeout(BOUND).unwrap();
            let mut challenge = b"#CHALLENGE#{sha256}".to_vec();
            challenge.extend([7u8; 40]);
            conn.send_bytes(&challenge, 0, None).unwrap();
            let _answer = conn.recv_bytes_timeout(Some(256), BOUND).unwrap();
            conn.send_bytes(b"#WELCOME#", 0, None).unwrap();
            let theirs = conn.recv_bytes_timeout(Some(256), BOUND).unwrap();
            assert!(theirs.starts_with(b"#CHALLENGE#{sha256}"));
            let mut forged = b"{sha256}".to_vec();
            forged.extend([0u8; 32]);
            conn.send_bytes(&forged, 0, None).unwrap();
            conn.recv_bytes_timeout(None, BOUND).unwrap()
        });
        let refused = Client::new()
            .authkey(KEY)
            .connect_timeout(&address, BOUND)
            .unwrap_err();
        let why = AuthenticationError::of(&refused).expect("an AuthenticationError");
        assert_eq!(why.reason(), "digest received was wrong", "{refused}");
        assert_eq!(server.join().unwrap(), b"#FAILURE#");
    });
}

/// Reads one CPython-framed message from a raw socket.
fn read_frame(stream: &mut TcpStream) -> Vec<u8> {
    let mut header = [0u8; 4];
    stream.read_exact(&mut header).unwrap();
    let mut body = vec![0u8; u32::from_be_bytes(header) as usize];
    stream.read_exact(&mut body).unwrap();
    body
}

#[test]
fn a_huge_length_before_authentication_is_refused_unread() {
    let listener = Listener::builder()
        .authkey(KEY)
        .bind("127.0.0.1:0")
        .unwrap();
    let Address::Tcp(address) = listener.address().clone() else {
        unreachable!()
    };
    // A short header of 2 GiB - 1, and a long one of 2^64 - 1: neither
    // body is ever sent, so only a refusal before reading can return.
    let headers: [&[u8]; 2] = [&[0x7f, 0xff, 0xff, 0xff], &[0xff; 12]];
    for header in headers {
        let mut raw = TcpStream::connect(address).unwrap();
        std::thread::scope(|s| {
            let peer = s.spawn(|| {
                let challenge = read_frame(&mut raw);
                assert!(challenge.starts_with(b"#CHALLENGE#"));
                raw.write_all(header).unwrap();
            });
            let start = Instant::now();
            let refused = listener.accept_timeout(BOUND).unwrap_err();
            assert!(start.elapsed() < BOUND);
            assert_eq!(refused.kind(), ErrorKind::Io, "{refused}");
            assert!(
                refused.to_string().contains("bad message length"),
                "{refused}"
            );
            peer.join().unwrap();
        });
    }
}

#[test]
fn accept_timeout_bounds_the_wait_and_the_handshake() {
    let listener = Listener::builder()
        .authkey(KEY)
        .bind("127.0.0.1:0")
        .unwrap();
    let short = Duration::from_millis(50);
    let start = Instant::now();
    let error = listener.accept_timeout(short).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error}");
    assert!(start.elapsed() >= short && start.elapsed() < BOUND);
    // A peer that connects and never answers the challenge.
    let Address::Tcp(address) = listener.address().clone() else {
        unreachable!()
    };
    let _silent = TcpStream::connect(address).unwrap();
    let error = listener.accept_timeout(short).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error}");
}

#[test]
fn close_ends_an_accept_waiting_on_another_thread() {
    let listener = Listener::bind(format!("\0{}", unique("close")).as_str()).unwrap();
    std::thread::scope(|s| {
        let waiting = s.spawn(|| listener.accept_timeout(BOUND));
        // Whether the accept is waiting yet or not, it ends with the
        // listener closed, well before its bound.
        let start = Instant::now();
        listener.close();
        let error = waiting.join().unwrap().unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidState, "{error}");
        assert!(error.to_string().contains("closed"), "{error}");
        assert!(start.elapsed() < BOUND);
    });
    assert!(listener.closed());
}

#[test]
fn connecting_to_nothing_is_an_error_naming_the_address() {
    for address in ["/nonexistent/poolrt.sock", "\0poolrt-nobody-listens-here"] {
        let error = Client::new().connect_timeout(address, BOUND).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Io, "{error}");
        assert!(
            error.to_string().contains(&address.replace('\0', "\\0")),
            "{error}"
        );
    }
    // A port nobody listens on: bind one, close it, connect.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let error = Client::new().connect_timeout(port, BOUND).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Io, "{error}");
}
