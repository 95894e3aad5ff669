//! A manager's server cannot be knocked over by one client: a frame
//! announcing 4 GiB (before and after the authkey handshake), a truncated
//! frame, garbage, and a client that says nothing past the idle timeout
//! each close that client's connection only; the manager serves on, and
//! its descriptors, threads and connections return to where they were.

use std::io::{Read, Write};
use std::os::fd::BorrowedFd;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixStream};
use std::time::{Duration, Instant};

use pool_process::connection::{Address, Client, Connection};
use pool_process::{Dict, Manager};

const KEY: &[u8] = b"bad frames";

fn count(dir: &str) -> usize {
    std::fs::read_dir(dir).unwrap().count()
}

/// Descriptors and threads of this process, and the manager's
/// connections, once they settle back to `baseline` (a bound, not an
/// order: the server's thread ends just after it closed the socket).
/// Each round makes a call first, so the proxy's own connection is
/// open (made again if it idled out) as it was at the baseline.
fn settle(
    manager: &Manager,
    d: &Dict<String, u64>,
    baseline: (usize, usize, usize),
) -> (usize, usize, usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        d.len().unwrap();
        let now = (
            count("/proc/self/fd"),
            count("/proc/self/task"),
            manager.connections().unwrap(),
        );
        if now == baseline || Instant::now() > deadline {
            return now;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn abstract_name(manager: &Manager) -> Vec<u8> {
    match manager.address() {
        Address::Abstract(name) => name.clone(),
        other => panic!("not an abstract address: {other}"),
    }
}

/// A raw socket to the manager, past the handshake.
fn authenticated(manager: &Manager) -> UnixStream {
    let conn: Connection = Client::new()
        .authkey(KEY)
        .connect(manager.address().clone())
        .unwrap();
    // SAFETY: `conn` owns this descriptor and outlives the borrow, which
    // is only used to duplicate it.
    let fd = unsafe { BorrowedFd::borrow_raw(conn.fileno().unwrap()) };
    UnixStream::from(fd.try_clone_to_owned().unwrap())
}

/// Reads until the server closes; a bound in case it never does.
fn closed_by_server(mut stream: UnixStream) {
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut sink = [0u8; 256];
    loop {
        match stream.read(&mut sink) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) => panic!("the server did not close the connection: {e}"),
        }
    }
}

#[test]
fn bad_frames_close_only_their_connection_and_everything_returns_to_baseline() {
    let manager = Manager::builder()
        .address(format!("\0poolrt-test-bad-frames-{}", std::process::id()))
        .authkey(KEY)
        .idle_timeout(Some(Duration::from_millis(500)))
        .start()
        .unwrap();
    let d = manager.dict::<String, u64>().unwrap();
    d.insert("alive".into(), 1).unwrap();
    let baseline = (
        count("/proc/self/fd"),
        count("/proc/self/task"),
        manager.connections().unwrap(),
    );
    let name = abstract_name(&manager);

    // Before the handshake: the challenge's reader caps at 256 bytes.
    // (`ff ff ff ff` is CPython's long header: the 8 bytes after it say
    // 2^64 - 1; with only the four, the handshake's 10 s bound ends it.)
    let mut raw =
        UnixStream::connect_addr(&SocketAddr::from_abstract_name(&name).unwrap()).unwrap();
    raw.write_all(&[0xff; 12]).unwrap();
    closed_by_server(raw);

    // After it: 4 GiB announced.
    let mut s = authenticated(&manager);
    s.write_all(&[0xff; 4]).unwrap();
    closed_by_server(s);

    // Garbage: a frame whose body is no request.
    let mut s = authenticated(&manager);
    s.write_all(&[5, 0, 0, 0, 0xee, 0xee, 0xee, 0xee, 0xee])
        .unwrap();
    closed_by_server(s);

    // Truncated: 100 bytes announced, 3 sent, then the client goes.
    let mut s = authenticated(&manager);
    s.write_all(&[100, 0, 0, 0, 1, 2, 3]).unwrap();
    s.shutdown(std::net::Shutdown::Write).unwrap();
    closed_by_server(s);

    // Silent past the idle timeout.
    closed_by_server(authenticated(&manager));

    assert_eq!(d.get(&"alive".into()).unwrap(), Some(1), "still serving");
    assert_eq!(
        settle(&manager, &d, baseline),
        baseline,
        "(fds, threads, connections)"
    );
}
