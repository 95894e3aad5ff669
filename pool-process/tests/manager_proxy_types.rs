//! Every manager proxy type, used from a `Process` and from a `Pool`
//! task: namespace, value, queue (with task_done/join), lock, rlock,
//! semaphore, bounded semaphore, event, barrier, condition, and
//! dict/list's fuller methods.

use std::time::Duration;

use pool_core::ErrorKind;
use pool_process::managers::{
    AcquirerProxy, BarrierProxy, ConditionProxy, EventProxy, Namespace, QueueProxy, ValueProxy,
};
use pool_process::{Dict, List, Manager, Pool, Process};

/// What one child does with every type; returns what it saw.
#[allow(clippy::too_many_arguments)]
fn work(
    ns: Namespace,
    v: ValueProxy<i64>,
    q: QueueProxy<String>,
    lock: AcquirerProxy,
    sem: AcquirerProxy,
    ev: EventProxy,
    d: Dict<String, i64>,
    l: List<i64>,
    me: i64,
) {
    lock.acquire().unwrap();
    let before: i64 = v.get().unwrap();
    v.set(before + 1).unwrap();
    lock.release().unwrap();
    assert!(sem.acquire_timeout(Duration::from_secs(30)).unwrap());
    sem.release().unwrap();
    ns.set(&format!("child{me}"), &me).unwrap();
    q.put(format!("from {me}")).unwrap();
    d.setdefault(format!("k{me}"), me).unwrap();
    l.extend([me, me]).unwrap();
    ev.wait_timeout(Duration::from_secs(30)).unwrap();
}

/// Every proxy a pool task gets, and its number.
type Everything = (
    Namespace,
    ValueProxy<i64>,
    QueueProxy<String>,
    AcquirerProxy,
    AcquirerProxy,
    EventProxy,
    Dict<String, i64>,
    List<i64>,
    i64,
);

fn pool_work(args: Everything) -> i64 {
    let (ns, v, q, lock, sem, ev, d, l, me) = args;
    work(ns, v, q, lock, sem, ev, d, l, me);
    me
}

#[test]
fn every_proxy_type_works_from_a_process_and_a_pool_task() {
    let m = Manager::new().unwrap();
    let ns = m.namespace().unwrap();
    let v = m.value(0i64).unwrap();
    let q = m.queue::<String>(0).unwrap();
    let lock = m.lock().unwrap();
    let sem = m.bounded_semaphore(1).unwrap();
    let ev = m.event().unwrap();
    let d = m.dict::<String, i64>().unwrap();
    let l = m.list::<i64>([]).unwrap();
    ev.set().unwrap();
    let p = Process::new(
        work,
        (
            ns.clone(),
            v.clone(),
            q.clone(),
            lock.clone(),
            sem.clone(),
            ev.clone(),
            d.clone(),
            l.clone(),
            1,
        ),
    );
    p.start().unwrap();
    p.join().unwrap();
    assert_eq!(p.exitcode(), Some(0));
    let pool = Pool::new(2).unwrap();
    let results: Vec<_> = (2..6)
        .map(|me| {
            pool.apply_async(
                pool_work,
                (
                    ns.clone(),
                    v.clone(),
                    q.clone(),
                    lock.clone(),
                    sem.clone(),
                    ev.clone(),
                    d.clone(),
                    l.clone(),
                    me,
                ),
            )
            .unwrap()
        })
        .collect();
    for r in results {
        r.get().unwrap();
    }
    assert_eq!(v.get().unwrap(), 5, "every increment under the lock landed");
    assert_eq!(ns.names().unwrap().len(), 5);
    assert_eq!(ns.get::<i64>("child3").unwrap(), 3);
    let mut got: Vec<String> = (0..5)
        .map(|_| q.get_timeout(Duration::from_secs(30)).unwrap())
        .collect();
    got.sort();
    assert_eq!(
        got,
        (1..6).map(|me| format!("from {me}")).collect::<Vec<_>>()
    );
    for _ in 0..5 {
        q.task_done().unwrap();
    }
    assert!(q.join_timeout(Duration::from_secs(30)).unwrap());
    assert_eq!(q.task_done().unwrap_err().kind(), ErrorKind::InvalidState);
    assert_eq!(d.len().unwrap(), 5);
    assert_eq!(l.len().unwrap(), 10);
    l.sort().unwrap();
    assert_eq!(l.slice(None, Some(4)).unwrap(), [1, 1, 2, 2]);
    assert_eq!(l.count(&5).unwrap(), 2);
    assert_eq!(sem.value().unwrap(), 1);
    assert_eq!(
        sem.release().unwrap_err().kind(),
        ErrorKind::InvalidState,
        "bounded"
    );
}

#[test]
fn blocking_calls_have_timeouts_and_wake_when_another_process_acts() {
    let m = Manager::new().unwrap();
    let q = m.queue::<u8>(1).unwrap();
    assert!(
        q.get_timeout(Duration::from_millis(20))
            .unwrap_err()
            .is_timeout()
    );
    q.put(1).unwrap();
    assert!(
        q.put_timeout(2, Duration::from_millis(20))
            .unwrap_err()
            .is_timeout()
    );
    let ev = m.event().unwrap();
    assert!(!ev.wait_timeout(Duration::from_millis(20)).unwrap());
    let p = Process::new(set_later, (ev.clone(),));
    p.start().unwrap();
    assert!(ev.wait_timeout(Duration::from_secs(30)).unwrap());
    p.join().unwrap();
    let rlock = m.rlock().unwrap();
    rlock.acquire().unwrap();
    rlock.acquire().unwrap();
    let p = Process::new(try_rlock, (rlock.clone(),));
    p.start().unwrap();
    p.join().unwrap();
    assert_eq!(p.exitcode(), Some(0));
    rlock.release().unwrap();
    rlock.release().unwrap();
    assert!(rlock.release().is_err());
}

fn set_later(ev: EventProxy) {
    ev.set().unwrap();
}

fn try_rlock(rlock: AcquirerProxy) {
    assert!(!rlock.try_acquire().unwrap(), "held by another process");
    assert!(rlock.release().is_err(), "not the owner");
}

fn barrier_party(barrier: BarrierProxy) -> u64 {
    barrier.wait_timeout(Duration::from_secs(30)).unwrap()
}

fn barrier_child(barrier: BarrierProxy) {
    barrier_party(barrier);
}

fn wait_for_notify(cond: ConditionProxy, waiting: EventProxy) {
    cond.acquire().unwrap();
    waiting.set().unwrap();
    assert!(
        cond.wait_timeout(Duration::from_secs(30)).unwrap(),
        "notified"
    );
    cond.release().unwrap();
}

#[test]
fn barrier_and_condition_work_from_processes_and_a_pool_task() {
    let m = Manager::new().unwrap();
    let barrier = m.barrier(3).unwrap();
    let children: Vec<Process> = (0..2)
        .map(|_| Process::new(barrier_child, (barrier.clone(),)))
        .collect();
    for c in &children {
        c.start().unwrap();
    }
    let mine = barrier.wait_timeout(Duration::from_secs(30)).unwrap();
    assert!(mine < 3);
    for c in &children {
        c.join().unwrap();
        assert_eq!(c.exitcode(), Some(0));
    }
    let pair = m.barrier(2).unwrap();
    let pool = Pool::new(1).unwrap();
    let task = pool.apply_async(barrier_party, pair.clone()).unwrap();
    let mine = pair.wait_timeout(Duration::from_secs(30)).unwrap();
    let theirs = task.get().unwrap();
    assert_eq!(mine + theirs, 1, "indexes 0 and 1");
    assert!(!pair.broken().unwrap());

    let cond = m.condition().unwrap();
    let waiting = m.event().unwrap();
    let child = Process::new(wait_for_notify, (cond.clone(), waiting.clone()));
    child.start().unwrap();
    assert!(waiting.wait_timeout(Duration::from_secs(30)).unwrap());
    // Acquired once the child's wait released the lock.
    cond.acquire().unwrap();
    cond.notify_all().unwrap();
    cond.release().unwrap();
    child.join().unwrap();
    assert_eq!(child.exitcode(), Some(0));
}
