//! The Rust names beside Python's (`len` beside `qsize`, `is_closed`
//! beside `closed`…) answer as their Python namesakes do, in every state:
//! one test per type family of the process backend.

use pool_process::connection::Listener;
use pool_process::{Barrier, JoinableQueue, Lock, Pipe, Queue, RLock, SimpleQueue};

#[test]
fn the_queues_len_is_empty_is_full() {
    let q = Queue::new(2).unwrap();
    let joinable = JoinableQueue::new(2).unwrap();
    let simple = SimpleQueue::new().unwrap();
    for n in 0..=2_u8 {
        let n_items = usize::from(n);
        assert_eq!(
            (q.len(), q.is_empty(), q.is_full()),
            (n_items, n == 0, n == 2)
        );
        assert_eq!(
            (q.len(), q.is_empty(), q.is_full()),
            (q.qsize(), q.empty(), q.full())
        );
        assert_eq!(
            (joinable.len(), joinable.is_empty(), joinable.is_full()),
            (n_items, n == 0, n == 2)
        );
        assert_eq!((simple.len(), simple.is_empty()), (n_items, n == 0));
        if n < 2 {
            q.put(n).unwrap();
            joinable.put(n).unwrap();
            simple.put(n).unwrap();
        }
    }
}

#[test]
fn the_locks_is_locked() {
    let lock = Lock::new().unwrap();
    let rlock = RLock::new().unwrap();
    assert!(!lock.is_locked() && !rlock.is_locked());
    let guard = lock.lock();
    rlock.acquire();
    assert!(lock.is_locked() && lock.locked());
    assert!(rlock.is_locked() && rlock.locked());
    drop(guard);
    rlock.release().unwrap();
    assert!(!lock.is_locked() && !rlock.is_locked());
}

#[test]
fn the_barrier_is_broken() {
    let barrier = Barrier::new(2).unwrap();
    assert!(!barrier.is_broken());
    barrier.abort();
    assert!(barrier.is_broken() && barrier.broken());
}

#[test]
fn the_connection_is_closed_is_readable_is_writable() {
    let (reader, writer) = Pipe(false).unwrap();
    assert!(reader.is_readable() && !reader.is_writable());
    assert!(writer.is_writable() && !writer.is_readable());
    assert_eq!(
        (reader.is_readable(), reader.is_writable()),
        (reader.readable(), reader.writable())
    );
    assert!(!reader.is_closed());
    reader.close();
    assert!(reader.is_closed() && reader.closed());
    let listener = Listener::bind("127.0.0.1:0").unwrap();
    assert!(!listener.is_closed());
    listener.close();
    assert!(listener.is_closed() && listener.closed());
}

fn echo(x: u8) -> u8 {
    x
}

fn exit_with(code: i32) {
    std::process::exit(code);
}

#[test]
fn async_result_is_ready_and_process_exit_code() {
    let pool = pool_process::Pool::new(1).unwrap();
    let result = pool.apply_async(echo, 5).unwrap();
    result.wait();
    assert_eq!((result.is_ready(), result.ready()), (true, true));
    assert_eq!(result.get().unwrap(), 5);

    let p = pool_process::Process::new(exit_with, (3,));
    assert_eq!((p.exit_code(), p.exitcode()), (None, None));
    p.start().unwrap();
    assert!(p.join().is_err(), "a non-zero exit is an error");
    assert_eq!((p.exit_code(), p.exitcode()), (Some(3), Some(3)));
}
