//! Shared objects sent to a process that is already running, through a
//! `Connection` or a process `Queue` (Python's `multiprocessing.reduction`
//! hands a `Connection` over this way): the receiver gets the same lock,
//! memory, queue or socket, and concurrent receives on different threads
//! each get their own message's descriptors.

mod support;

use std::io::{Read, Write};
use std::os::unix::fs::FileExt;
use std::os::unix::net::UnixStream;

use pool_core::ErrorKind;
use pool_process::connection::{Address, Client, Listener};
use pool_process::{Connection, Event, Fd, Lock, Pipe, Pool, Process, Queue, Value};
use support::BOUND;

/// In a child: waits for a `Connection` on `inbox`, then doubles what
/// comes through it.
fn serve_through_received(inbox: Connection) {
    let conn: Connection = inbox.recv_timeout(BOUND).unwrap();
    let n: u32 = conn.recv_timeout(BOUND).unwrap();
    conn.send(&(n * 2)).unwrap();
}

#[test]
fn a_connection_end_reaches_a_running_child_through_a_pipe() {
    let (inbox, child_inbox) = Pipe(true).unwrap();
    let child = Process::new(serve_through_received, (child_inbox,));
    child.start().unwrap();
    let (mine, theirs) = Pipe(true).unwrap();
    inbox.send(&theirs).unwrap();
    drop(theirs); // from here on the child holds the only copy
    mine.send(&21u32).unwrap();
    assert_eq!(mine.recv_timeout::<u32>(BOUND).unwrap(), 42);
    assert!(child.join_timeout(BOUND).unwrap());
    assert_eq!(child.exitcode(), Some(0));
    let error = mine.recv_timeout::<u32>(BOUND).unwrap_err();
    assert_eq!(
        error.kind(),
        ErrorKind::Closed,
        "the child's copy closed: {error}"
    );
}

/// In a child: takes a lock, a counter and an event from `jobs`, adds 1
/// to the counter 500 times under the lock, then waits for the event.
fn count_under_received_lock(jobs: Queue<(Lock, Value<i64>, Event)>, done: Queue<u32>) {
    let (lock, counter, go_home) = jobs.get_timeout(BOUND).unwrap();
    for _ in 0..500 {
        let guard = lock.lock();
        counter.set(counter.get() + 1);
        drop(guard);
    }
    done.put(std::process::id()).unwrap();
    assert!(go_home.wait_timeout(BOUND));
}

#[test]
fn a_lock_value_and_event_reach_running_children_through_a_queue() {
    let jobs = Queue::new(0).unwrap();
    let done = Queue::new(0).unwrap();
    let children: Vec<Process> = (0..2)
        .map(|_| Process::new(count_under_received_lock, (jobs.clone(), done.clone())))
        .collect();
    for child in &children {
        child.start().unwrap();
    }
    let (lock, counter, go_home) = (
        Lock::new().unwrap(),
        Value::new(0i64).unwrap(),
        Event::new().unwrap(),
    );
    for _ in &children {
        jobs.put((lock.clone(), counter.clone(), go_home.clone()))
            .unwrap();
    }
    for _ in &children {
        done.get_timeout(BOUND).unwrap();
    }
    // 1000 exactly: both children counted under the same lock, in the
    // same memory (a read-modify-write without the lock loses updates).
    assert_eq!(counter.get(), 1000);
    // The lock is the children's too: held here, they would wait on it.
    lock.acquire();
    assert!(lock.locked());
    lock.release().unwrap();
    go_home.set();
    for child in &children {
        assert!(child.join_timeout(BOUND).unwrap());
        assert_eq!(child.exitcode(), Some(0));
    }
}

/// In a child: takes a reply queue and a socket from `inbox`, and
/// answers through both.
fn answer_through_received(inbox: Connection) {
    let (replies, socket): (Queue<String>, Fd) = inbox.recv_timeout(BOUND).unwrap();
    replies
        .put(format!("hello from {}", std::process::id()))
        .unwrap();
    let mut socket = UnixStream::from(socket.into_inner());
    socket.write_all(b"through the socket").unwrap();
}

#[test]
fn a_queue_and_a_socket_reach_a_running_child_through_a_pipe() {
    let (inbox, child_inbox) = Pipe(false).unwrap();
    let child = Process::new(answer_through_received, (inbox,));
    child.start().unwrap();
    let replies: Queue<String> = Queue::new(0).unwrap();
    let (mut mine, theirs) = UnixStream::pair().unwrap();
    child_inbox
        .send(&(replies.clone(), Fd::new(theirs)))
        .unwrap();
    let expected = format!("hello from {}", child.pid().unwrap());
    assert_eq!(replies.get_timeout(BOUND).unwrap(), expected);
    mine.set_read_timeout(Some(BOUND)).unwrap();
    let mut heard = String::new();
    mine.read_to_string(&mut heard).unwrap();
    assert_eq!(
        heard, "through the socket",
        "the child's copy closed at its exit"
    );
    assert!(child.join_timeout(BOUND).unwrap());
}

/// In a child: forwards the connection it gets from `jobs` to the sender,
/// with a word, through a queue it gets the same way.
fn forward(jobs: Queue<(Connection, Queue<(Connection, String)>)>) {
    let (conn, back) = jobs.get_timeout(BOUND).unwrap();
    back.put((conn, "forwarded".to_owned())).unwrap();
}

#[test]
fn a_connection_goes_out_and_back_through_queues() {
    let jobs = Queue::new(0).unwrap();
    let child = Process::new(forward, (jobs.clone(),));
    child.start().unwrap();
    let back = Queue::new(0).unwrap();
    let (a, b) = Pipe(true).unwrap();
    jobs.put((b, back.clone())).unwrap();
    let (b, word) = back.get_timeout(BOUND).unwrap();
    assert_eq!(word, "forwarded");
    a.send(&"still connected").unwrap();
    assert_eq!(b.recv_timeout::<String>(BOUND).unwrap(), "still connected");
    assert!(child.join_timeout(BOUND).unwrap());
}

/// A file holding `tag`, for the concurrency test.
fn tagged_file(tag: &str) -> std::path::PathBuf {
    let path =
        std::env::temp_dir().join(format!("poolrt-send-shared-{}-{tag}", std::process::id()));
    std::fs::write(&path, tag).unwrap();
    path
}

#[test]
fn concurrent_receives_each_get_their_own_descriptors() {
    const ROUNDS: usize = 300;
    let tags = ["alpha", "bravo"];
    let paths: Vec<_> = tags.iter().map(|tag| tagged_file(tag)).collect();
    std::thread::scope(|s| {
        for (tag, path) in tags.iter().zip(&paths) {
            let (tx, rx) = Pipe(false).map(|(rx, tx)| (tx, rx)).unwrap();
            s.spawn(move || {
                for _ in 0..ROUNDS {
                    let file = std::fs::File::open(path).unwrap();
                    tx.send(&(tag.to_string(), Fd::new(file))).unwrap();
                }
            });
            s.spawn(move || {
                for _ in 0..ROUNDS {
                    let (said, fd): (String, Fd) = rx.recv_timeout(BOUND).unwrap();
                    let file = std::fs::File::from(fd.into_inner());
                    let mut contents = vec![0u8; 5];
                    file.read_exact_at(&mut contents, 0).unwrap();
                    assert_eq!(said, *tag);
                    assert_eq!(contents, tag.as_bytes(), "a descriptor of another message");
                }
            });
        }
    });
    for path in paths {
        std::fs::remove_file(path).unwrap();
    }
}

#[test]
fn a_tcp_connection_refuses_shared_objects_with_the_reason() {
    let listener = Listener::bind("127.0.0.1:0").unwrap();
    let Address::Tcp(address) = listener.address().clone() else {
        panic!("not TCP: {:?}", listener.address());
    };
    let (client, server) = std::thread::scope(|s| {
        let accepted = s.spawn(|| listener.accept_timeout(BOUND).unwrap());
        let client = Client::new()
            .connect_timeout(Address::Tcp(address), BOUND)
            .unwrap();
        (client, accepted.join().unwrap())
    });
    let error = client.send(&Lock::new().unwrap()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Serialize);
    let text = format!("{error} {:?}", std::error::Error::source(&error));
    assert!(text.contains("only a Unix socket carries"), "{text}");
    client.send(&"plain values still go").unwrap();
    assert_eq!(
        server.recv_timeout::<String>(BOUND).unwrap(),
        "plain values still go"
    );
}

fn lock_is_free(lock: Lock) -> bool {
    !lock.locked()
}

#[test]
fn a_pool_task_still_refuses_shared_objects() {
    let pool = Pool::new(1).unwrap();
    let error = pool.apply(lock_is_free, Lock::new().unwrap()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Serialize);
    let text = format!("{error} {:?}", std::error::Error::source(&error));
    assert!(text.contains("Lock can only be passed"), "{text}");
    assert!(text.contains("not as a pool task's argument"), "{text}");
}

#[test]
fn every_shared_object_stays_the_same_object_through_a_pipe() {
    use pool_process::{
        Array, Barrier, BoundedSemaphore, Condition, JoinableQueue, RLock, Semaphore, SimpleQueue,
    };
    let (a, b) = Pipe(true).unwrap();
    let rlock = RLock::new().unwrap();
    let sem = Semaphore::new(2).unwrap();
    let bounded = BoundedSemaphore::new(1).unwrap();
    let cond = Condition::new().unwrap();
    let barrier = Barrier::new(2).unwrap();
    let array = Array::new([1u32, 2, 3]).unwrap();
    let joinable: JoinableQueue<u8> = JoinableQueue::new(0).unwrap();
    let simple: SimpleQueue<u8> = SimpleQueue::new().unwrap();
    a.send(&(
        (rlock.clone(), sem.clone(), bounded.clone(), cond.clone()),
        (
            barrier.clone(),
            array.clone(),
            joinable.clone(),
            simple.clone(),
        ),
    ))
    .unwrap();
    type Sync = (RLock, Semaphore, BoundedSemaphore, Condition);
    type Data = (Barrier, Array<u32>, JoinableQueue<u8>, SimpleQueue<u8>);
    let ((rlock2, sem2, bounded2, cond2), (barrier2, array2, joinable2, simple2)) =
        b.recv_timeout::<(Sync, Data)>(BOUND).unwrap();

    rlock.acquire();
    assert!(rlock2.locked());
    rlock.release().unwrap();
    assert!(sem2.try_acquire());
    assert_eq!(sem.value(), 1);
    assert!(bounded.try_acquire());
    assert!(!bounded2.try_acquire());
    bounded2.release().unwrap();
    let guard = cond.lock();
    // Its lock is an RLock, as Python's: ask from another thread.
    let taken = std::thread::scope(|s| s.spawn(|| cond2.try_lock().is_some()).join().unwrap());
    assert!(!taken, "the condition's lock is shared");
    drop(guard);
    std::thread::scope(|s| {
        let other = s.spawn(|| barrier2.wait_timeout(BOUND).unwrap());
        let mine = barrier.wait_timeout(BOUND).unwrap();
        assert_eq!(mine + other.join().unwrap(), 1, "indices 0 and 1");
    });
    array2.set(1, 20).unwrap();
    assert_eq!(array.to_vec(), [1, 20, 3]);
    joinable2.put(5).unwrap();
    assert_eq!(joinable.get_timeout(BOUND).unwrap(), 5);
    joinable.task_done().unwrap();
    simple.put(6).unwrap();
    assert_eq!(simple2.get().unwrap(), 6);
}

#[test]
fn large_messages_carry_their_objects_with_a_timeout_or_without() {
    let (a, b) = Pipe(true).unwrap();
    let lock = Lock::new().unwrap();
    let big = vec![7u8; 3 << 20]; // more than the socket's buffer
    std::thread::scope(|s| {
        let reader = s.spawn(|| {
            let got: Vec<(Lock, Vec<u8>)> =
                (0..3).map(|_| b.recv_timeout(BOUND).unwrap()).collect();
            got
        });
        a.send(&(lock.clone(), big.clone())).unwrap();
        a.send(&(lock.clone(), vec![1u8])).unwrap();
        a.send_timeout(&(lock.clone(), big.clone()), BOUND).unwrap();
        let got = reader.join().unwrap();
        assert_eq!(got.len(), 3);
        assert_eq!(got[1].1, [1]);
        for (received, bytes) in &got {
            lock.acquire();
            assert!(!received.try_acquire(), "the same lock");
            lock.release().unwrap();
            assert!(bytes == &big || bytes == &[1]);
        }
    });
}
