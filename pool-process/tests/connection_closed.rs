//! `close()`, `closed()` and `fileno()`, and the errors of a closed end,
//! as CPython 3.11 behaves: every call on a closed end raises
//! `OSError("handle is closed")`, and the peer sees `EOFError`.

use std::time::Duration;

use pool_core::ErrorKind;
use pool_process::Pipe;
use pool_test_support::BOUND;

#[test]
fn every_call_on_a_closed_end_is_a_clear_error() {
    let (a, b) = Pipe(true).unwrap();
    assert!(!a.closed());
    let fd = a.fileno().unwrap();
    assert!(fd > 2);
    a.close();
    assert!(a.closed());
    let mut buf = [0u8; 4];
    let errors = [
        a.send(&1u8).unwrap_err(),
        a.send_timeout(&1u8, BOUND).unwrap_err(),
        a.send_bytes(b"x", 0, None).unwrap_err(),
        a.recv::<u8>().unwrap_err(),
        a.recv_timeout::<u8>(BOUND).unwrap_err(),
        a.recv_bytes(None).unwrap_err(),
        a.recv_bytes_into(&mut buf, 0).unwrap_err(),
        a.poll(Duration::ZERO).unwrap_err(),
        a.fileno().unwrap_err(),
        a.try_clone().unwrap_err(),
    ];
    for error in errors {
        assert_eq!(error.kind(), ErrorKind::InvalidState, "{error}");
        assert!(error.to_string().contains("closed"), "{error}");
    }
    a.close();
    assert!(a.closed(), "closing twice is harmless");
    // The peer sees the end of the stream: Python's EOFError.
    assert_eq!(b.recv::<u8>().unwrap_err().kind(), ErrorKind::Closed);
}

#[test]
fn close_with_a_clone_open_leaves_the_connection_up() {
    let (a, b) = Pipe(true).unwrap();
    let a2 = a.try_clone().unwrap();
    a.close();
    a2.send(&5u8).unwrap();
    assert_eq!(b.recv_timeout::<u8>(BOUND).unwrap(), 5);
    assert!(!b.poll(Duration::ZERO).unwrap(), "no end-of-file yet");
    drop(a2);
    assert_eq!(b.recv::<u8>().unwrap_err().kind(), ErrorKind::Closed);
}

#[test]
fn close_during_a_receive_on_another_thread_does_not_wait_for_it() {
    let (a, b) = Pipe(true).unwrap();
    std::thread::scope(|s| {
        let receiver = s.spawn(|| b.recv_timeout::<u8>(BOUND));
        // Whether the receive has begun or not, close returns at once;
        // the receive keeps the descriptor it is using until it returns.
        b.close();
        assert!(b.closed());
        a.send(&1u8).unwrap_or(());
        let outcome = receiver.join().unwrap();
        match outcome {
            Ok(1) => {}
            Err(error) => assert_eq!(error.kind(), ErrorKind::InvalidState, "{error}"),
            Ok(other) => panic!("received {other}"),
        }
    });
}

#[test]
fn fileno_is_the_descriptor_poll_can_watch() {
    let (a, b) = Pipe(true).unwrap();
    let fd = b.fileno().unwrap();
    a.send_bytes(b"x", 0, None).unwrap();
    let mut fds = [libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    }];
    // SAFETY: one valid pollfd, for the duration of the call.
    let ready = unsafe { libc::poll(fds.as_mut_ptr(), 1, BOUND.as_millis() as i32) };
    assert_eq!(ready, 1);
    assert_eq!(b.recv_bytes(None).unwrap(), b"x");
}
