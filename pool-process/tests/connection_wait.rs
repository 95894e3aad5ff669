//! `connection::wait` over pipes, process sentinels, listeners and raw
//! descriptors, as CPython 3.11's `multiprocessing.connection.wait`
//! behaves: it returns the ready objects in their input order, `[]` when
//! the timeout passes, a sentinel once its process ended, and an error for
//! a closed connection ("handle is closed").

mod support;

use std::io::Write;
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use pool_core::ErrorKind;
use pool_process::connection::{Client, Listener, Waitable, wait};
use pool_process::{Pipe, Process};
use support::{BOUND, Rendezvous, hold};

const SHORT: Duration = Duration::from_millis(50);

#[test]
fn wait_returns_the_ready_pipes_in_input_order_or_nothing_after_the_timeout() {
    let (a1, b1) = Pipe(true).unwrap();
    let (a2, b2) = Pipe(true).unwrap();
    let (_a3, b3) = Pipe(true).unwrap();
    let readers = [b1, b2, b3];
    let start = Instant::now();
    assert!(wait(&readers, Some(SHORT)).unwrap().is_empty());
    assert!(start.elapsed() >= SHORT);
    // Sent in the other order: still returned in input order.
    a2.send(&2u8).unwrap();
    a1.send(&1u8).unwrap();
    let ready = wait(&readers, Some(BOUND)).unwrap();
    assert_eq!(ready.len(), 2);
    assert!(std::ptr::eq(ready[0], &readers[0]) && std::ptr::eq(ready[1], &readers[1]));
    assert_eq!(ready[0].recv::<u8>().unwrap(), 1);
    assert_eq!(ready[1].recv::<u8>().unwrap(), 2);
    // A closed peer makes its end ready: the receive reports the end.
    drop(a1);
    let ready = wait(&readers, None).unwrap();
    assert_eq!(ready.len(), 1);
    assert_eq!(ready[0].recv::<u8>().unwrap_err().kind(), ErrorKind::Closed);
}

fn held(path: String) {
    hold(&path);
}

#[test]
fn a_sentinel_is_ready_when_its_process_ends_and_not_before() {
    let (parent_end, _child_end) = Pipe(true).unwrap();
    let rendezvous = Rendezvous::new();
    let p = Process::new(held, (rendezvous.path(),));
    assert_eq!(p.sentinel().unwrap_err().kind(), ErrorKind::InvalidState);
    p.start().unwrap();
    let sentinel = p.sentinel().unwrap();
    let objects: [&dyn Waitable; 2] = [&parent_end, &sentinel];
    let child = rendezvous.arrival();
    // The child runs (held at the rendezvous): nothing is ready.
    assert!(wait(objects, Some(SHORT)).unwrap().is_empty());
    child.release();
    let ready = wait(objects, Some(BOUND)).unwrap();
    assert_eq!(ready.len(), 1);
    assert!(
        std::ptr::addr_eq(ready[0], &sentinel),
        "the sentinel, not the pipe"
    );
    assert!(p.join_timeout(BOUND).unwrap());
    // After the reaping, old and new sentinels are ready at once.
    let later = p.sentinel().unwrap();
    assert_eq!(
        wait([&sentinel, &later], Some(Duration::ZERO))
            .unwrap()
            .len(),
        2
    );
}

fn forever() {
    loop {
        std::thread::park();
    }
}

#[test]
fn a_killed_process_wakes_a_wait_on_its_sentinel_among_pipes() {
    let (_a, b) = Pipe(true).unwrap();
    let p = Process::new(forever, ());
    p.start().unwrap();
    let sentinel = p.sentinel().unwrap();
    std::thread::scope(|s| {
        let waiter = s.spawn(|| {
            let objects: [&dyn Waitable; 2] = [&b, &sentinel];
            wait(objects, Some(BOUND)).unwrap().len()
        });
        p.kill().unwrap();
        assert_eq!(waiter.join().unwrap(), 1);
    });
    assert!(p.join_timeout(BOUND).is_err());
    assert_eq!(p.exitcode(), Some(-9));
}

#[test]
fn raw_descriptors_and_listeners_wait_beside_connections() {
    let (mut here, there) = UnixStream::pair().unwrap();
    let listener = Listener::bind("127.0.0.1:0").unwrap();
    let (_a, b) = Pipe(true).unwrap();
    let fd = there.as_fd();
    let objects: [&dyn Waitable; 3] = [&b, &fd, &listener];
    assert!(wait(objects, Some(Duration::ZERO)).unwrap().is_empty());
    here.write_all(b"x").unwrap();
    let ready = wait(objects, Some(BOUND)).unwrap();
    assert_eq!(ready.len(), 1);
    assert!(std::ptr::addr_eq(ready[0], &fd));
    // A peer waiting to be accepted makes the listener ready.
    let _client = Client::new()
        .connect_timeout(listener.address(), BOUND)
        .unwrap();
    let ready = wait(objects, Some(BOUND)).unwrap();
    assert_eq!(ready.len(), 2, "the descriptor (unread) and the listener");
    assert!(std::ptr::addr_eq(ready[1], &listener));
}

#[test]
fn a_message_kept_by_a_failed_receive_is_ready_without_the_socket() {
    let (a, b) = Pipe(true).unwrap();
    a.send(&"text").unwrap();
    assert!(b.recv::<u64>().is_err(), "kept, not lost");
    // The socket is empty now, but the connection holds a message.
    let start = Instant::now();
    assert_eq!(wait([&b], Some(BOUND)).unwrap().len(), 1);
    assert!(start.elapsed() < BOUND);
    assert_eq!(b.recv::<String>().unwrap(), "text");
}

#[test]
fn bad_input_is_a_clear_error() {
    let (a, _b) = Pipe(true).unwrap();
    a.close();
    let error = wait([&a], Some(Duration::ZERO)).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidState, "{error}");
    assert!(error.to_string().contains("closed"), "{error}");
    let nothing: [&pool_process::Connection; 0] = [];
    // CPython: wait([], 0) == []; wait([]) would block forever.
    assert!(wait(nothing, Some(Duration::ZERO)).unwrap().is_empty());
    let error = wait(nothing, None).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidConfig, "{error}");
}
