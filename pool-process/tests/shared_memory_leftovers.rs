//! A program that created blocks and ends without unlinking them leaves
//! nothing in `/dev/shm`, even when it is SIGKILLed: its tracker unlinks
//! them (Python's resource tracker, `track=True`). Blocks made with
//! `create_untracked` (`track=False`) stay, as in Python. A tracker
//! killed by hand is replaced at the next block, and told every block.

mod shared_memory_support;

use pool_process::{Process, SharedMemory};
use pool_test_support::{Rendezvous, eventually, hold, process_state};
use shared_memory_support::{BOUND, in_dev_shm, unique, wait_until_gone};

/// In a child: creates `tracked` and `untracked`, then blocks until the
/// test releases it or kills it.
fn create_and_hold(tracked: String, untracked: String, rendezvous: String) {
    let a = SharedMemory::create(Some(&tracked), 4096).unwrap();
    let b = SharedMemory::create_untracked(Some(&untracked), 4096).unwrap();
    a.write_at(0, b"left behind").unwrap();
    hold(&rendezvous);
    // Released: return without unlinking or even closing.
    std::mem::forget((a, b));
}

/// Runs `create_and_hold` in a child; once both blocks exist, `end`s it.
fn create_in_a_child_then(what: &str, end: impl FnOnce(&Process, pool_test_support::Held)) {
    let tracked = unique(&format!("{what}-tracked"));
    let untracked = unique(&format!("{what}-untracked"));
    let rendezvous = Rendezvous::new();
    let child = Process::new(
        create_and_hold,
        (tracked.clone(), untracked.clone(), rendezvous.path()),
    );
    child.start().unwrap();
    let held = rendezvous.arrival();
    assert!(in_dev_shm(&tracked) && in_dev_shm(&untracked));
    end(&child, held);
    // A killed child's join reports its death as an error.
    let _ = child.join_timeout(BOUND);
    assert!(!child.is_alive(), "the child ended");

    wait_until_gone(&tracked);
    // The untracked one outlives its creator; this test cleans it up.
    let survivor = SharedMemory::open(&untracked).unwrap();
    survivor.unlink().unwrap();
}

#[test]
fn a_sigkilled_creator_leaves_no_tracked_block_behind() {
    create_in_a_child_then("killed", |child, _held| child.kill().unwrap());
}

#[test]
fn a_creator_that_returns_without_unlinking_leaves_no_tracked_block_behind() {
    create_in_a_child_then("returned", |_child, held| held.release());
}

/// In a child: creates tracked blocks `replaced` and `marker`, then
/// returns once released.
fn create_two_and_hold(replaced: String, marker: String, rendezvous: String) {
    let a = SharedMemory::create(Some(&replaced), 8).unwrap();
    let b = SharedMemory::create(Some(&marker), 8).unwrap();
    hold(&rendezvous);
    std::mem::forget((a, b));
}

#[test]
fn a_tracker_leaves_alone_a_block_another_program_made_under_a_tracked_name() {
    // The tracker goes through names in order: `marker` sorts after
    // `replaced`, so once `marker` is gone, `replaced` was dealt with.
    let replaced = unique("a-replaced");
    let marker = unique("z-marker");
    let rendezvous = Rendezvous::new();
    let child = Process::new(
        create_two_and_hold,
        (replaced.clone(), marker.clone(), rendezvous.path()),
    );
    child.start().unwrap();
    let held = rendezvous.arrival();
    // Another program (this test, untracked) unlinks the child's block and
    // makes its own under the same name.
    SharedMemory::open(&replaced).unwrap().unlink().unwrap();
    let ours = SharedMemory::create_untracked(Some(&replaced), 16).unwrap();
    held.release();
    assert!(child.join_timeout(BOUND).unwrap());
    assert_eq!(child.exitcode(), Some(0));
    wait_until_gone(&marker);
    assert!(in_dev_shm(&replaced), "the other program's block survived");
    assert_eq!(SharedMemory::open(&replaced).unwrap().size(), 16);
    ours.unlink().unwrap();
}

/// The children of this process (its tracker, in a child that made a
/// block).
fn own_children() -> Vec<u32> {
    let mut pids = Vec::new();
    for task in std::fs::read_dir("/proc/self/task").unwrap() {
        let children = task.unwrap().path().join("children");
        let listed = std::fs::read_to_string(children).unwrap_or_default();
        pids.extend(listed.split_whitespace().map(|p| p.parse::<u32>().unwrap()));
    }
    pids
}

/// In a child: creates `first`, kills its tracker by hand, creates
/// `second` (which starts a new tracker, told about both), then blocks.
fn kill_the_tracker_between(first: String, second: String, rendezvous: String) {
    let a = SharedMemory::create(Some(&first), 8).unwrap();
    let trackers = own_children();
    assert_eq!(trackers.len(), 1, "one tracker: {trackers:?}");
    let tracker = trackers[0];
    let pid = rustix::process::Pid::from_raw(tracker as i32).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::KILL).unwrap();
    // Dead (a zombie until the next announcement reaps it).
    eventually("the tracker to die", || {
        process_state(tracker).is_none_or(|s| s == 'Z')
    });
    let b = SharedMemory::create(Some(&second), 8).unwrap();
    let now = own_children();
    assert_eq!(now.len(), 1, "the dead tracker reaped, a new one: {now:?}");
    assert_ne!(now[0], tracker);
    hold(&rendezvous);
    std::mem::forget((a, b));
}

#[test]
fn a_tracker_killed_by_hand_is_replaced_and_the_new_one_knows_every_block() {
    let first = unique("before-restart");
    let second = unique("after-restart");
    let rendezvous = Rendezvous::new();
    let child = Process::new(
        kill_the_tracker_between,
        (first.clone(), second.clone(), rendezvous.path()),
    );
    child.start().unwrap();
    let _held = rendezvous.arrival();
    assert!(in_dev_shm(&first) && in_dev_shm(&second));
    child.kill().unwrap();
    let _ = child.join_timeout(BOUND);
    assert!(!child.is_alive());
    wait_until_gone(&first);
    wait_until_gone(&second);
}
