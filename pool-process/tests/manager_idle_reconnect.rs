//! A connection a process keeps for its next call, closed by the server
//! after its idle timeout, is replaced on that next call: the call
//! succeeds, from the owner and from a child that outlives the timeout.

use std::time::{Duration, Instant};

use pool_process::{Dict, Event, Manager, Process};

/// Until the manager holds no connection (a bound, not an order).
fn until_no_connection(manager: &Manager) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while manager.connections().unwrap() > 0 {
        assert!(
            Instant::now() < deadline,
            "the idle connection was not closed"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// One call, then (told by a process-shared event, not through the
/// manager) another after its connection idled out.
fn call_twice(d: Dict<u8, u8>, go: Event) {
    d.insert(1, 1).unwrap();
    assert!(go.wait_timeout(Duration::from_secs(30)));
    d.insert(2, 2).unwrap();
}

#[test]
fn a_connection_the_server_idled_out_is_replaced_on_the_next_call() {
    let manager = Manager::builder()
        .idle_timeout(Some(Duration::from_millis(50)))
        .start()
        .unwrap();
    let d = manager.dict::<u8, u8>().unwrap();
    d.insert(0, 0).unwrap();
    until_no_connection(&manager);
    assert_eq!(d.get(&0).unwrap(), Some(0), "the owner's next call");
    assert_eq!(d.len().unwrap(), 1);
}

#[test]
fn a_child_whose_connection_idled_out_calls_on() {
    let manager = Manager::builder()
        .idle_timeout(Some(Duration::from_millis(50)))
        .start()
        .unwrap();
    let d = manager.dict::<u8, u8>().unwrap();
    let go = Event::new().unwrap();
    let child = Process::new(call_twice, (d.clone(), go.clone()));
    child.start().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while d.get(&1).unwrap().is_none() {
        assert!(Instant::now() < deadline, "the child's first call");
        std::thread::sleep(Duration::from_millis(5));
    }
    // Every connection, the child's and this process's, idles out.
    until_no_connection(&manager);
    go.set();
    child.join().unwrap();
    assert_eq!(child.exitcode(), Some(0));
    assert_eq!(d.get(&2).unwrap(), Some(2));
}
