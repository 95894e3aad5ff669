//! Python's most common pool idiom: `Pool(initializer=init,
//! initargs=(lock, counter, queue))`, where every worker, replacements
//! included, inherits the objects the parent shares. (Before, the
//! initializer's arguments refused them: "a Lock can only be passed as an
//! argument of a Process".)

use std::sync::OnceLock;

use pool_process::{Barrier, Event, JoinableQueue, Lock, Pool, Queue, Semaphore, Value};

/// What the initializer leaves for the tasks of its worker.
struct Shared {
    lock: Lock,
    counter: Value<u64>,
    results: Queue<u32>,
}

static SHARED: OnceLock<Shared> = OnceLock::new();

fn init((lock, counter, results): (Lock, Value<u64>, Queue<u32>)) {
    let _ = SHARED.set(Shared {
        lock,
        counter,
        results,
    });
}

/// Adds one to the shared counter under the shared lock (a read-modify-
/// write that loses updates without the lock) and reports `x` on the queue.
fn count(x: u32) -> u32 {
    let shared = SHARED.get().expect("the initializer ran in this worker");
    {
        let _held = shared.lock.lock();
        let now = shared.counter.get();
        shared.counter.set(now + 1);
    }
    shared.results.put(x).unwrap();
    std::process::id()
}

#[test]
fn every_worker_and_every_replacement_inherits_the_initializers_shared_objects() {
    let lock = Lock::new().unwrap();
    let counter = Value::new(0u64).unwrap();
    let results = Queue::new(0).unwrap();
    let pool = Pool::builder()
        .processes(2)
        // A new worker every 5 tasks: replacements must inherit too.
        .maxtasksperchild(5)
        .initializer(init, (lock, counter.clone(), results.clone()))
        .build()
        .unwrap();
    let pids = pool.map_chunked(count, 0..100u32, 1).unwrap();
    assert_eq!(
        counter.get(),
        100,
        "no update lost: one lock for all workers"
    );
    let mut seen: Vec<u32> = (0..100).map(|_| results.get().unwrap()).collect();
    seen.sort_unstable();
    assert_eq!(seen, (0..100).collect::<Vec<_>>());
    let workers: std::collections::HashSet<u32> = pids.into_iter().collect();
    assert!(
        workers.len() >= 20,
        "{} workers ran the tasks",
        workers.len()
    );
}

fn init_sync((event, barrier, semaphore, jobs): (Event, Barrier, Semaphore, JoinableQueue<u8>)) {
    // Every object works in the worker: take a job, pass the barrier
    // alone (one party), use the semaphore, and report through the event.
    let job = jobs.get().unwrap();
    assert_eq!(job, 7);
    jobs.task_done().unwrap();
    barrier.wait().unwrap();
    assert!(semaphore.try_acquire());
    event.set();
}

fn nothing(_: ()) {}

#[test]
fn synchronisation_objects_and_queues_reach_the_initializer() {
    let event = Event::new().unwrap();
    let jobs = JoinableQueue::new(0).unwrap();
    jobs.put(7u8).unwrap();
    let semaphore = Semaphore::new(1).unwrap();
    let pool = Pool::builder()
        .processes(1)
        .initializer(
            init_sync,
            (
                event.clone(),
                Barrier::new(1).unwrap(),
                semaphore.clone(),
                jobs.clone(),
            ),
        )
        .build()
        .unwrap();
    pool.apply(nothing, ()).unwrap();
    assert!(event.is_set());
    assert!(jobs.join_timeout(pool_test_support::BOUND));
    assert_eq!(semaphore.value(), 0, "the worker holds the permit");
}

#[test]
fn a_pool_task_still_refuses_a_shared_object() {
    fn takes(lock: Lock) -> bool {
        lock.try_acquire()
    }
    let pool = Pool::new(1).unwrap();
    let error = pool.apply(takes, Lock::new().unwrap()).unwrap_err();
    let text = format!("{error} {:?}", std::error::Error::source(&error));
    assert!(text.contains("or of a pool's initializer"), "{text}");
}
