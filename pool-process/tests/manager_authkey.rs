//! A manager refuses a client with a wrong key, or with none, before it
//! deserializes anything: over TCP and on a local socket, the client's
//! error is an authentication failure, and the manager serves on.

use pool_core::ErrorKind;
use pool_process::Manager;
use pool_process::connection::AuthenticationError;

#[test]
fn a_wrong_key_is_refused_over_tcp_and_the_manager_serves_on() {
    let manager = Manager::builder()
        .address("127.0.0.1:0")
        .authkey(b"right key")
        .start()
        .unwrap();
    let refused = Manager::connect(manager.address().clone(), b"wrong key").unwrap_err();
    assert!(AuthenticationError::of(&refused).is_some(), "{refused}");
    let right = Manager::connect(manager.address().clone(), b"right key").unwrap();
    let d = right.dict::<u8, u8>().unwrap();
    d.insert(1, 2).unwrap();
    assert_eq!(d.get(&1).unwrap(), Some(2));
}

#[test]
fn no_key_is_refused() {
    let manager = Manager::builder()
        .address("127.0.0.1:0")
        .authkey(b"key")
        .start()
        .unwrap();
    let refused = Manager::connect(manager.address().clone(), b"").unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Closed, "{refused}");
}

#[test]
fn a_local_manager_has_a_key_of_its_own() {
    let manager = Manager::new().unwrap();
    let refused = Manager::connect(manager.address().clone(), b"guess").unwrap_err();
    assert!(AuthenticationError::of(&refused).is_some(), "{refused}");
}

#[test]
fn a_tcp_manager_without_a_key_is_refused_at_start() {
    let error = Manager::builder()
        .address("127.0.0.1:0")
        .start()
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidConfig);
}

#[test]
fn a_connection_made_with_the_right_key_is_not_lent_to_a_wrong_one() {
    let manager = Manager::builder()
        .address("127.0.0.1:0")
        .authkey(b"right")
        .start()
        .unwrap();
    let right = Manager::connect(manager.address().clone(), b"right").unwrap();
    right.dict::<u8, u8>().unwrap();
    let refused = Manager::connect(manager.address().clone(), b"wrong").unwrap_err();
    assert!(AuthenticationError::of(&refused).is_some(), "{refused}");
}
