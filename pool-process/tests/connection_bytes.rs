//! A `Connection`'s byte messages, as CPython 3.11's `send_bytes`,
//! `recv_bytes` and `recv_bytes_into` behave (checked with `python3`):
//! offsets and sizes, `maxlength`, buffers, and how typed and byte
//! messages see each other. Each expectation quotes what CPython does.

mod support;

use pool_core::ErrorKind;
use pool_process::{Connection, Pipe, Process};
use support::BOUND;

#[test]
fn send_bytes_sends_the_range_offset_and_size_name() {
    let (a, b) = Pipe(true).unwrap();
    // a.send_bytes(b"hello world", 6) -> b'world'
    a.send_bytes(b"hello world", 6, None).unwrap();
    assert_eq!(b.recv_bytes(None).unwrap(), b"world");
    // a.send_bytes(b"hello world", 0, 5) -> b'hello'
    a.send_bytes(b"hello world", 0, Some(5)).unwrap();
    assert_eq!(b.recv_bytes(None).unwrap(), b"hello");
    // The empty message is a message.
    a.send_bytes(b"hello world", 11, None).unwrap();
    assert_eq!(b.recv_bytes(None).unwrap(), b"");
}

#[test]
fn a_range_outside_the_buffer_is_refused_and_nothing_is_sent() {
    let (a, b) = Pipe(true).unwrap();
    // ValueError: buffer length < offset / buffer length < offset + size
    for (offset, size) in [
        (12, None),
        (0, Some(12)),
        (5, Some(7)),
        (1, Some(usize::MAX)),
    ] {
        let error = a.send_bytes(b"hello world", offset, size).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidConfig, "{error}");
        assert!(error.to_string().contains("outside"), "{error}");
    }
    assert!(!b.poll(std::time::Duration::ZERO).unwrap(), "nothing sent");
}

#[test]
fn a_message_over_maxlength_is_refused_and_the_end_stops_receiving() {
    let (a, b) = Pipe(true).unwrap();
    a.send_bytes(b"short", 0, None).unwrap();
    assert_eq!(
        b.recv_bytes(Some(5)).unwrap(),
        b"short",
        "maxlength is inclusive"
    );
    // OSError: bad message length; then b.readable is False, b.writable
    // True, b.closed False; recv_bytes: OSError: connection is write-only;
    // b can still send.
    a.send_bytes(b"far too long", 0, None).unwrap();
    let error = b.recv_bytes(Some(5)).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Io, "{error}");
    assert!(error.to_string().contains("bad message length"), "{error}");
    assert!(!b.readable() && b.writable() && !b.closed());
    for error in [
        b.recv_bytes(None).unwrap_err(),
        b.recv::<u8>().unwrap_err(),
        b.poll(BOUND).unwrap_err(),
    ] {
        assert_eq!(error.kind(), ErrorKind::InvalidState, "{error}");
        assert!(error.to_string().contains("maxlength"), "{error}");
    }
    b.send_bytes(b"still sends", 0, None).unwrap();
    assert_eq!(a.recv_bytes(None).unwrap(), b"still sends");
}

#[test]
fn a_receive_only_end_that_refuses_a_message_closes() {
    // CPython: `_bad_message_length` closes an end that cannot send.
    let (reader, writer) = Pipe(false).unwrap();
    writer.send_bytes(&[0; 100], 0, None).unwrap();
    let error = reader.recv_bytes(Some(10)).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Io, "{error}");
    assert!(reader.closed());
    assert_eq!(
        writer.send_bytes(b"x", 0, None).unwrap_err().kind(),
        ErrorKind::Closed,
        "nobody holds the reading end any more"
    );
}

#[test]
fn recv_bytes_into_writes_after_the_offset_and_keeps_what_does_not_fit() {
    let (a, b) = Pipe(true).unwrap();
    let mut buf = *b"......";
    // d.recv_bytes_into(buf, 2) -> 3, buf == bytearray(b'..abc.')
    a.send_bytes(b"abc", 0, None).unwrap();
    assert_eq!(b.recv_bytes_into(&mut buf, 2).unwrap(), 3);
    assert_eq!(&buf, b"..abc.");
    // BufferTooShort(b'too long'): Python hands the message over in the
    // exception; here it stays for the next receive, and buf is untouched.
    a.send_bytes(b"too long", 0, None).unwrap();
    let error = b.recv_bytes_into(&mut buf, 0).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::IndexOutOfRange, "{error}");
    assert!(error.to_string().contains("buffer too short"), "{error}");
    assert_eq!(&buf, b"..abc.");
    assert_eq!(b.recv_bytes(None).unwrap(), b"too long");
    // ValueError: offset too large — before anything is received.
    a.send_bytes(b"z", 0, None).unwrap();
    let error = b.recv_bytes_into(&mut buf, 7).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidConfig, "{error}");
    // An offset at the very end fits the empty message only.
    a.send_bytes(b"", 0, None).unwrap();
    assert_eq!(
        b.recv_bytes_into(&mut buf, 1).unwrap(),
        1,
        "the waiting 'z'"
    );
    assert_eq!(b.recv_bytes_into(&mut buf, 6).unwrap(), 0);
    assert_eq!(&buf, b".zabc.");
}

#[test]
fn typed_and_byte_messages_share_one_framing() {
    let (a, b) = Pipe(true).unwrap();
    // Python: recv_bytes after send(obj) returns the pickle; here, the
    // postcard bytes, which decode back to the value.
    a.send(&(300u16, "hi".to_owned())).unwrap();
    let raw = b.recv_bytes(None).unwrap();
    assert_eq!(raw, [0xac, 0x02, 2, b'h', b'i']);
    a.send_bytes(&raw, 0, None).unwrap();
    assert_eq!(b.recv::<(u16, String)>().unwrap(), (300, "hi".to_owned()));
    // A typed receive of bytes that are not the type keeps them.
    a.send_bytes(&[0xff, 0xff, 0xff], 0, None).unwrap();
    assert_eq!(b.recv::<u8>().unwrap_err().kind(), ErrorKind::Deserialize);
    assert_eq!(b.recv_bytes(None).unwrap(), [0xff, 0xff, 0xff]);
}

#[test]
fn a_large_byte_message_goes_whole() {
    // Over 64 KiB the header and the body go out separately: the
    // receiver still sees one message.
    let (a, b) = Pipe(true).unwrap();
    let big: Vec<u8> = (0..3_000_000u32).map(|i| i as u8).collect();
    std::thread::scope(|s| {
        s.spawn(|| a.send_bytes(&big, 0, None).unwrap());
        let got = b.recv_bytes_timeout(None, BOUND).unwrap();
        assert!(got == big);
    });
    a.send_bytes(b"next", 0, None).unwrap();
    assert_eq!(b.recv_bytes(None).unwrap(), b"next");
}

fn echo_bytes(conn: Connection) {
    let mut buf = [0u8; 64];
    while let Ok(n) = conn.recv_bytes_into(&mut buf, 0) {
        conn.send_bytes(&buf, 0, Some(n)).unwrap();
    }
}

#[test]
fn byte_messages_cross_to_a_child_and_back() {
    let (here, there) = Pipe(true).unwrap();
    let p = Process::new(echo_bytes, (there,));
    p.start().unwrap();
    for message in [&b"ping"[..], b"", &[7; 64]] {
        here.send_bytes(message, 0, None).unwrap();
        assert_eq!(here.recv_bytes_timeout(None, BOUND).unwrap(), message);
    }
    here.close();
    assert!(p.join_timeout(BOUND).unwrap());
}
