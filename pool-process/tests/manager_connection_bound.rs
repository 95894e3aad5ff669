//! Over a manager's connection bound, a client is refused at once (its
//! connection closed), not queued; once connections are released, new
//! clients are served again.

use std::os::fd::BorrowedFd;
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use pool_process::Manager;
use pool_process::connection::Client;

const KEY: &[u8] = b"bound";

/// A raw socket to the manager, past the handshake.
fn authenticated(manager: &Manager) -> UnixStream {
    let conn = Client::new()
        .authkey(KEY)
        .connect(manager.address().clone())
        .unwrap();
    // SAFETY: `conn` owns this descriptor and outlives the borrow, which
    // is only used to duplicate it.
    let fd = unsafe { BorrowedFd::borrow_raw(conn.fileno().unwrap()) };
    UnixStream::from(fd.try_clone_to_owned().unwrap())
}

#[test]
fn over_the_connection_bound_a_client_is_refused_at_once() {
    let manager = Manager::builder()
        .address(format!("\0poolrt-test-bound-{}", std::process::id()))
        .authkey(KEY)
        .max_connections(2)
        .start()
        .unwrap();
    let held = [authenticated(&manager), authenticated(&manager)];
    let refused = Client::new()
        .authkey(KEY)
        .connect_timeout(manager.address().clone(), Duration::from_secs(20));
    assert!(refused.is_err(), "a third connection is closed, not served");
    drop(held);
    let deadline = Instant::now() + Duration::from_secs(20);
    while manager.connections().unwrap() > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    let d = manager.dict::<u8, u8>().unwrap();
    d.insert(1, 1).unwrap();
    assert_eq!(d.get(&1).unwrap(), Some(1));
}
