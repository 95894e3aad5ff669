//! A lock held through a manager proxy by a process that dies (killed,
//! with no chance to release) is released by the server when the dead
//! process's connections close; a waiter in another process gets it.

use std::time::Duration;

use pool_process::managers::{AcquirerProxy, EventProxy};
use pool_process::{Manager, Process};

fn hold_and_hang(lock: AcquirerProxy, held: EventProxy) {
    lock.acquire().unwrap();
    held.set().unwrap();
    // Hang until killed.
    loop {
        std::thread::park();
    }
}

#[test]
fn a_dead_holder_releases_its_lock() {
    let m = Manager::new().unwrap();
    let lock = m.lock().unwrap();
    let held = m.event().unwrap();
    let p = Process::new(hold_and_hang, (lock.clone(), held.clone()));
    p.start().unwrap();
    assert!(held.wait_timeout(Duration::from_secs(30)).unwrap());
    assert!(!lock.try_acquire().unwrap(), "held by the child");
    p.kill().unwrap();
    let died = p.join().unwrap_err();
    assert_eq!(died.kind(), pool_core::ErrorKind::WorkerLost, "{died}");
    assert!(
        lock.acquire_timeout(Duration::from_secs(30)).unwrap(),
        "the server released the dead holder's lock"
    );
    lock.release().unwrap();
}
