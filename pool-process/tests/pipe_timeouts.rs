//! Every blocking call of a `Connection` has a bounded form, and a
//! timeout never leaves the stream out of step unnoticed.

use std::time::{Duration, Instant};

use pool_core::ErrorKind;
use pool_process::Pipe;
use pool_test_support::BOUND;

const SHORT: Duration = Duration::from_millis(50);

/// Bigger than a Unix socket's buffer, so nobody reading means the send
/// stops part-way.
const BIG: usize = 8 << 20;

#[test]
fn a_send_to_a_full_pipe_times_out_having_sent_nothing() {
    let (a, b) = Pipe(true).unwrap();
    let mut sent = 0u32;
    let error = loop {
        match a.send_timeout(&sent, SHORT) {
            Ok(()) => sent += 1,
            Err(error) => break error,
        }
    };
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error}");
    assert!(error.to_string().contains("nothing was sent"), "{error}");
    // Nothing torn: every message arrives whole and in order, and the
    // end sends again once there is room.
    for expected in 0..sent {
        assert_eq!(b.recv_timeout::<u32>(BOUND).unwrap(), expected);
    }
    a.send_timeout(&7u32, BOUND).unwrap();
    assert_eq!(b.recv_timeout::<u32>(BOUND).unwrap(), 7);
}

#[test]
fn a_send_that_times_out_part_way_breaks_that_end_and_the_receiver_is_told() {
    let (a, b) = Pipe(true).unwrap();
    let start = Instant::now();
    let error = a.send_timeout(&vec![1u8; BIG], SHORT).unwrap_err();
    assert!(start.elapsed() < BOUND);
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error}");
    assert!(error.to_string().contains("bytes were sent"), "{error}");
    let error = a.send(&1u8).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Broken, "{error}");

    // The receiver reads what came, and times out on the rest.
    let error = b.recv_timeout::<Vec<u8>>(SHORT).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error}");
    assert!(error.to_string().contains("part of a message"), "{error}");
    assert!(
        b.poll(Duration::ZERO).unwrap(),
        "a started message is waiting"
    );
    drop(a);
    let error = b.recv_timeout::<Vec<u8>>(BOUND).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Io, "{error}");
    assert!(error.to_string().contains("middle of a message"), "{error}");
}

#[test]
fn a_receive_that_times_out_mid_message_goes_on_from_there() {
    let (a, b) = Pipe(true).unwrap();
    let message: Vec<u8> = (0..BIG).map(|i| i as u8).collect();
    std::thread::scope(|s| {
        let sender = s.spawn(|| a.send(&message));
        // However the bytes arrive, timed-out receives keep what they
        // read, so the message comes out whole.
        let got = loop {
            match b.recv_timeout::<Vec<u8>>(Duration::from_micros(100)) {
                Ok(got) => break got,
                Err(error) => assert_eq!(error.kind(), ErrorKind::Timeout, "{error}"),
            }
        };
        assert!(got == message, "the message arrives intact");
        sender.join().unwrap().unwrap();
    });
}

#[test]
fn a_timed_receive_does_not_wait_behind_another_receiver() {
    let (a, b) = Pipe(true).unwrap();
    let b2 = b.try_clone().unwrap();
    std::thread::scope(|s| {
        // One handle's receivers share one lock: a blocked `recv` holds
        // it. (`b2` is another handle, with a lock of its own.)
        let blocked = s.spawn(|| b.recv::<u8>());
        // Whether or not the blocked `recv` holds the lock yet, the timed
        // receive returns in time.
        assert!(!b2.poll(Duration::ZERO).unwrap());
        let start = Instant::now();
        let error = b.recv_timeout::<u8>(SHORT).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Timeout, "{error}");
        assert!(start.elapsed() < BOUND);
        drop(a);
        assert_eq!(
            blocked.join().unwrap().unwrap_err().kind(),
            ErrorKind::Closed
        );
    });
}
