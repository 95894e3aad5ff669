//! The ends of `Pipe(false)`, as CPython 3.11 behaves: the receiving end
//! refuses to send ("connection is read-only"), and the sending end
//! refuses to receive and to poll ("connection is write-only").

use std::time::Duration;

use pool_core::ErrorKind;
use pool_process::Pipe;
use pool_process::connection::wait;

#[test]
fn poll_on_the_sending_end_is_an_error_like_recv() {
    let (reader, writer) = Pipe(false).unwrap();
    assert!(reader.readable() && !reader.writable());
    assert!(writer.writable() && !writer.readable());
    for error in [
        writer.poll(Duration::ZERO).unwrap_err(),
        writer.recv::<u8>().unwrap_err(),
        writer.recv_bytes(None).unwrap_err(),
        wait([&writer], Some(Duration::ZERO)).unwrap_err(),
    ] {
        assert_eq!(error.kind(), ErrorKind::InvalidState, "{error}");
        assert!(error.to_string().contains("write-only"), "{error}");
    }
    for error in [
        reader.send(&1u8).unwrap_err(),
        reader.send_bytes(b"x", 0, None).unwrap_err(),
    ] {
        assert_eq!(error.kind(), ErrorKind::InvalidState, "{error}");
        assert!(error.to_string().contains("read-only"), "{error}");
    }
    writer.send_bytes(b"one way", 0, None).unwrap();
    assert!(reader.poll(Duration::from_secs(20)).unwrap());
    assert_eq!(reader.recv_bytes(None).unwrap(), b"one way");
}
