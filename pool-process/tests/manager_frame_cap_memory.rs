//! A frame announcing 4 GiB, sent after the authkey handshake to a
//! manager whose process may map only 256 MiB more, is refused before
//! any allocation: the process does not abort, and the manager serves on.

use std::io::{Read, Write};
use std::os::fd::BorrowedFd;
use std::os::unix::net::UnixStream;
use std::time::Duration;

use pool_process::Manager;
use pool_process::connection::Client;

#[test]
fn a_4_gib_frame_under_a_256_mib_address_space_cap_is_refused_without_allocating() {
    if !pool_test_support::in_child_process(
        "a_4_gib_frame_under_a_256_mib_address_space_cap_is_refused_without_allocating",
    ) {
        return;
    }
    let manager = Manager::builder()
        .address(format!("\0poolrt-test-frame-cap-{}", std::process::id()))
        .authkey(b"cap")
        .start()
        .unwrap();
    let d = manager.dict::<u8, u8>().unwrap();
    d.insert(1, 1).unwrap();
    pool_test_support::cap_address_space(256 << 20);
    let conn = Client::new()
        .authkey(b"cap")
        .connect(manager.address().clone())
        .unwrap();
    // SAFETY: `conn` owns this descriptor and outlives the borrow, which
    // is only used to duplicate it.
    let fd = unsafe { BorrowedFd::borrow_raw(conn.fileno().unwrap()) };
    let mut raw = UnixStream::from(fd.try_clone_to_owned().unwrap());
    raw.write_all(&[0xff; 4]).unwrap();
    raw.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut sink = [0u8; 16];
    assert_eq!(raw.read(&mut sink).unwrap(), 0, "the server closed it");
    assert_eq!(d.get(&1).unwrap(), Some(1), "still serving");
}
