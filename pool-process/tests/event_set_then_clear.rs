//! `Event::set()` followed at once by `clear()` wakes every process that
//! was waiting at the `set()` (CPython's gh-57711).

mod support;

use pool_process::{Array, Event, Process, Value};
use support::BOUND;

/// This thread's kernel id.
fn thread_id() -> u64 {
    let link = std::fs::read_link("/proc/thread-self").unwrap();
    link.file_name().unwrap().to_str().unwrap().parse().unwrap()
}

/// Whether thread `tid` sleeps in a futex wait.
fn asleep_in_futex(tid: u64) -> bool {
    std::fs::read_to_string(format!("/proc/{tid}/wchan")).is_ok_and(|w| w.contains("futex"))
}

/// Records its thread id in slot `i`, waits, and counts itself if woken.
fn wait_once(event: Event, tids: Array<u64>, i: usize, woken: Value<u32>) {
    tids.set(i, thread_id()).unwrap();
    if event.wait_timeout(BOUND) {
        let g = woken.get_lock();
        g.set(g.get() + 1);
    }
}

#[test]
fn set_then_clear_wakes_every_process_waiting_at_the_set() {
    const WAITERS: usize = 3;
    let event = Event::new().unwrap();
    let tids = Array::new([0u64; WAITERS]).unwrap();
    let woken = Value::new(0u32).unwrap();
    let children: Vec<Process> = (0..WAITERS)
        .map(|i| Process::new(wait_once, (event.clone(), tids.clone(), i, woken.clone())))
        .collect();
    for c in &children {
        c.start().unwrap();
    }
    // Once a child recorded its id, the only futex it can sleep on is the
    // event's: wait until all three sleep there.
    support::eventually("every child asleep in Event::wait", || {
        let tids = tids.to_vec();
        tids.iter().all(|&tid| tid != 0 && asleep_in_futex(tid))
    });
    event.set();
    event.clear();
    for c in &children {
        assert!(c.join_timeout(BOUND).unwrap(), "a waiter was never woken");
        assert_eq!(c.exitcode(), Some(0));
    }
    assert_eq!(woken.get(), WAITERS as u32);
    assert!(!event.is_set());
}
