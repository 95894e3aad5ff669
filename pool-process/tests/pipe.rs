//! `Pipe` and `Connection` across processes: both directions, message
//! boundaries, one-way pipes, timeouts, and a closed or dead peer.

mod support;

use std::time::Duration;

use pool_core::ErrorKind;
use pool_process::{Connection, Pipe, Process};
use support::BOUND;

fn echo_upper(conn: Connection) {
    while let Ok(text) = conn.recv::<String>() {
        conn.send(&text.to_uppercase()).unwrap();
    }
}

#[test]
fn a_duplex_pipe_carries_messages_both_ways() {
    let (here, there) = Pipe(true).unwrap();
    let p = Process::new(echo_upper, (there,));
    p.start().unwrap();
    for word in ["hello", "", "héllo wörld", &"x".repeat(200_000)] {
        here.send(word).unwrap();
        assert_eq!(
            here.recv_timeout::<String>(BOUND).unwrap(),
            word.to_uppercase()
        );
    }
    drop(here);
    p.join().unwrap();
}

fn send_two(conn: Connection) {
    conn.send(&(42, None::<u8>, "hello from child1".to_owned()))
        .unwrap();
    conn.send(&(42, None::<u8>, "hello from child2".to_owned()))
        .unwrap();
}

#[test]
fn each_recv_gets_one_whole_message_and_a_third_times_out() {
    let (parent_end, child_end) = Pipe(true).unwrap();
    // Like Python's parent, keep holding the child's end.
    let p = Process::new(send_two, (child_end.try_clone().unwrap(),));
    p.start().unwrap();
    type Msg = (i32, Option<u8>, String);
    assert_eq!(parent_end.recv::<Msg>().unwrap().2, "hello from child1");
    assert_eq!(parent_end.recv::<Msg>().unwrap().2, "hello from child2");
    p.join().unwrap();
    // A third recv would wait forever: our copy of the child's end is open.
    let error = parent_end
        .recv_timeout::<Msg>(Duration::from_millis(20))
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
    drop(child_end);
    assert_eq!(
        parent_end.recv::<Msg>().unwrap_err().kind(),
        ErrorKind::Closed
    );
}

#[test]
fn the_end_of_a_dead_child_reads_as_closed() {
    let (parent_end, child_end) = Pipe(true).unwrap();
    // `child_end` moves into the Process, which closes its copy once the
    // child has started: when the child ends, nobody holds the other end.
    let p = Process::new(send_two, (child_end,));
    p.start().unwrap();
    p.join().unwrap();
    let _ = parent_end.recv::<(i32, Option<u8>, String)>().unwrap();
    let _ = parent_end.recv::<(i32, Option<u8>, String)>().unwrap();
    assert!(parent_end.poll(BOUND).unwrap(), "end-of-file is readable");
    let error = parent_end.recv::<u8>().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Closed);
    assert_eq!(parent_end.send(&1u8).unwrap_err().kind(), ErrorKind::Closed);
}

#[test]
fn a_peer_that_closes_with_data_unread_resets_the_pipe_as_io() {
    let (here, there) = Pipe(true).unwrap();
    here.send(&1u8).unwrap();
    // `there` goes away without reading: the kernel resets the connection
    // (Python's `ConnectionResetError`), which is neither a clean close nor
    // a lost worker.
    drop(there);
    let error = here.recv::<u8>().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Io, "{error:?}");
    assert!(error.is_io());
    assert_eq!(error.to_string(), "I/O failed: receiving on the pipe");
    let cause = std::error::Error::source(&error).expect("the OS error");
    let os = cause
        .downcast_ref::<std::io::Error>()
        .expect("an io::Error");
    assert_eq!(os.kind(), std::io::ErrorKind::ConnectionReset, "{os}");
}

#[test]
fn a_one_way_pipe_refuses_the_wrong_direction() {
    let (reader, writer) = Pipe(false).unwrap();
    assert_eq!(
        reader.send(&1u8).unwrap_err().kind(),
        ErrorKind::InvalidState
    );
    assert_eq!(
        writer.recv::<u8>().unwrap_err().kind(),
        ErrorKind::InvalidState
    );
    writer.send(&vec![1u16, 2, 3]).unwrap();
    assert_eq!(reader.recv::<Vec<u16>>().unwrap(), [1, 2, 3]);
}

#[test]
fn a_message_of_another_type_is_a_deserialize_error() {
    let (a, b) = Pipe(true).unwrap();
    a.send(&"not a bool").unwrap();
    let error = b.recv::<bool>().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Deserialize, "{error:?}");
    assert_eq!(b.recv::<String>().unwrap(), "not a bool", "kept");
    a.send(&(1u8, 2u8)).unwrap();
    let error = b.recv::<u8>().unwrap_err();
    let cause = std::error::Error::source(&error).unwrap().to_string();
    assert!(cause.contains("left over"), "{cause}");
    assert_eq!(b.recv::<(u8, u8)>().unwrap(), (1, 2), "kept");
    assert!(
        !b.poll(Duration::ZERO).unwrap(),
        "each message was received once"
    );
}

fn close_then_hold(conn: Connection, path: String) {
    drop(conn);
    support::hold(&path);
}

#[test]
fn the_parent_keeps_no_copy_of_an_end_it_gave_to_a_child() {
    let (here, there) = Pipe(true).unwrap();
    let rendezvous = support::Rendezvous::new();
    let p = Process::new(close_then_hold, (there, rendezvous.path()));
    p.start().unwrap();
    let held = rendezvous.arrival();
    // The child closed its end and still runs: end-of-file already.
    let error = here.recv_timeout::<u8>(BOUND).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Closed, "{error}");
    assert!(p.is_alive());
    held.release();
    p.join().unwrap();
}
