//! No zombies and no leaked descriptors from `Process` and the shared
//! objects: after many processes that used every kind of shared object
//! have been joined (or killed), each is gone from `/proc` and this
//! process has as many open descriptors as before.
//!
//! Descriptor counts are process-wide, so this file holds one test.

mod support;

use pool_process::{
    Array, Connection, Event, Fd, JoinableQueue, Lock, Manager, Pipe, Process, Queue, RLock,
    Semaphore, Value,
};
use support::{eventually, open_fds, process_state};

#[allow(clippy::too_many_arguments)]
fn use_everything(
    q: Queue<u32>,
    jq: JoinableQueue<u32>,
    lock: Lock,
    rlock: RLock,
    sem: Semaphore,
    event: Event,
    total: Value<u64>,
    arr: Array<u8>,
) {
    let _g = lock.lock();
    rlock.acquire();
    sem.acquire();
    q.put(std::process::id()).unwrap();
    jq.put(1).unwrap();
    total.set(total.get() + 1);
    arr.set(0, 1).unwrap();
    event.set();
    sem.release();
    rlock.release().unwrap();
}

fn use_pipe_and_fd(conn: Connection, fd: Fd, d: pool_process::Dict<u32, u32>) {
    conn.send(&std::process::id()).unwrap();
    drop(std::fs::File::from(fd.into_inner()));
    d.insert(std::process::id(), 1).unwrap();
}

fn forever() {
    loop {
        std::thread::park();
    }
}

#[test]
fn processes_and_shared_objects_leave_no_zombie_and_no_descriptor() {
    // Warm up what opens descriptors once per process (the exit hook, the
    // manager's connection cache) outside the count.
    let warm = Process::new(forever, ());
    warm.start().unwrap();
    warm.kill().unwrap();
    let _ = warm.join();

    let before = open_fds();
    let mut pids = Vec::new();
    {
        let q = Queue::new(0).unwrap();
        let jq = JoinableQueue::new(0).unwrap();
        let lock = Lock::new().unwrap();
        let rlock = RLock::new().unwrap();
        let sem = Semaphore::new(1).unwrap();
        let event = Event::new().unwrap();
        let total = Value::new(0u64).unwrap();
        let arr = Array::new([0u8; 4]).unwrap();
        let manager = Manager::new().unwrap();
        let d = manager.dict().unwrap();
        for _ in 0..8 {
            let p = Process::new(
                use_everything,
                (
                    q.clone(),
                    jq.clone(),
                    lock.clone(),
                    rlock.clone(),
                    sem.clone(),
                    event.clone(),
                    total.clone(),
                    arr.clone(),
                ),
            );
            p.start().unwrap();
            p.join().unwrap();
            pids.push(p.pid().unwrap());
            let (here, there) = Pipe(true).unwrap();
            let file = std::fs::File::open("/proc/self/exe").unwrap();
            let p = Process::new(use_pipe_and_fd, (there, Fd::new(file), d.clone()));
            p.start().unwrap();
            assert_eq!(here.recv::<u32>().unwrap(), p.pid().unwrap());
            p.join().unwrap();
            pids.push(p.pid().unwrap());
        }
        let killed = Process::new(forever, ());
        killed.start().unwrap();
        killed.kill().unwrap();
        assert!(killed.join().is_err());
        pids.push(killed.pid().unwrap());
        assert_eq!(total.get(), 8);
        assert_eq!(d.len().unwrap(), 8);
        assert_eq!(q.qsize(), 8);
    }
    for pid in &pids {
        assert_eq!(process_state(*pid), None, "process {pid} is still there");
    }
    // The manager's server threads end with it; their descriptors close
    // as they go.
    eventually("descriptors back to the count before", || {
        open_fds() <= before
    });
}
