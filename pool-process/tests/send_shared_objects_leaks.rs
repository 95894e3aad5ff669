//! Shared objects sent through a `Connection` or a process `Queue` leak no
//! descriptor: the sender keeps none of the copies it sent, a typed
//! receive that fails keeps the message's descriptors with the message
//! (and the next receive gets them), a byte receive or a dropped message
//! closes them, and a queue shut down with `Immediate::Yes` frees those
//! of the items it drops.
//!
//! Descriptor counts are process-wide, so this file holds one test.

mod support;

use pool_core::ErrorKind;
use pool_process::{Immediate, Lock, Pipe, Queue};
use support::{in_flight, open_fds};

#[test]
fn sent_descriptors_are_kept_with_their_message_or_closed() {
    let lock = Lock::new().unwrap();
    let (a, b) = Pipe(true).unwrap();
    let q: Queue<(Lock, Lock)> = Queue::new(0).unwrap();
    let base = open_fds();
    assert_eq!(in_flight(), 0);

    // Through a pipe: the sender keeps no copy.
    a.send(&(lock.clone(), 7u8)).unwrap();
    assert_eq!(open_fds(), base, "the sender's copy was closed");
    assert_eq!(in_flight(), 1);

    // A typed receive that fails keeps the descriptor with the message.
    let error = b.recv::<u64>().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Deserialize);
    assert_eq!(in_flight(), 0);
    assert_eq!(open_fds(), base + 1, "kept with the message");
    let (got, seven) = b.recv::<(Lock, u8)>().unwrap();
    assert_eq!(seven, 7);
    assert_eq!(open_fds(), base + 1, "the lock's own; the message's closed");
    lock.acquire();
    assert!(!got.try_acquire(), "the same lock");
    lock.release().unwrap();
    drop(got);
    assert_eq!(open_fds(), base);

    // A byte receive closes the message's descriptors.
    a.send(&lock).unwrap();
    let bytes = b.recv_bytes(None).unwrap();
    assert!(!bytes.is_empty());
    assert_eq!(open_fds(), base);
    assert_eq!(in_flight(), 0);

    // A failed receive's descriptors close when the connection is dropped.
    a.send(&lock).unwrap();
    assert!(b.recv::<(u8, u8)>().is_err());
    assert_eq!(open_fds(), base + 1);
    drop(b);
    assert_eq!(
        open_fds(),
        base - 1,
        "b's socket and the kept descriptor closed"
    );

    // A message nobody reads: freed with the socket.
    let (c, d) = Pipe(true).unwrap();
    c.send(&lock).unwrap();
    assert_eq!(in_flight(), 1);
    drop(d);
    assert_eq!(in_flight(), 0);
    drop(c);
    assert_eq!(open_fds(), base - 1, "a's socket is left of the first pipe");

    // Through a queue: items taken close the message's copies, items
    // dropped by an immediate shutdown close theirs.
    let base = open_fds();
    for _ in 0..3 {
        q.put((lock.clone(), lock.clone())).unwrap();
    }
    assert_eq!(open_fds(), base);
    assert_eq!(in_flight(), 9, "each item: its memfd and two locks");
    let (one, two) = q.get().unwrap();
    assert_eq!(open_fds(), base + 2);
    drop((one, two));
    assert_eq!(open_fds(), base);
    assert_eq!(in_flight(), 6);
    q.shutdown(Immediate::Yes).unwrap();
    assert_eq!(in_flight(), 0);
    assert_eq!(open_fds(), base);
}
