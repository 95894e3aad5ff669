//! A pool's workers are forked by the program's fork server (a zygote:
//! one re-executed, single-threaded copy of the program), yet behave as
//! spawned ones: they are this process's own children, they see the
//! environment and working directory of the moment they start, and a
//! fork server killed from outside is reaped and replaced.
//!
//! The tests share this process's one fork server, so they take turns.

mod support;

use std::sync::Mutex;

use pool_process::{Pool, StartMethod};
use rustix::process::{Pid, Signal, kill_process};
use support::{eventually, process_state};

/// The tests of this file take turns: one kills the shared fork server.
static TURN: Mutex<()> = Mutex::new(());

/// What a worker reports about itself.
fn report(name: String) -> (u32, u32, Option<String>, String) {
    (
        std::process::id(),
        rustix::process::getppid().map_or(0, |p| p.as_raw_nonzero().get() as u32),
        std::env::var(name).ok(),
        std::env::current_dir()
            .unwrap()
            .to_string_lossy()
            .into_owned(),
    )
}

/// The children of this process (every thread's).
fn own_children() -> Vec<u32> {
    let mut pids = Vec::new();
    for task in std::fs::read_dir("/proc/self/task").unwrap() {
        let children = task.unwrap().path().join("children");
        let listed = std::fs::read_to_string(children).unwrap_or_default();
        pids.extend(listed.split_whitespace().map(|p| p.parse::<u32>().unwrap()));
    }
    pids
}

/// Whether process `pid` was forked by a fork server: its initial
/// environment block (which `/proc/<pid>/environ` shows) is the zygote's,
/// whose marker names it a zygote.
fn forked(pid: u32) -> bool {
    let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap();
    environ
        .split(|&b| b == 0)
        .any(|entry| entry.starts_with(b"POOLRT_WORKER=zygote:"))
}

/// The fork server: the one child of this process that is no worker of
/// `pools`.
fn fork_server(pools: &[&Pool]) -> u32 {
    let workers: Vec<u32> = pools.iter().flat_map(|pool| pool.pids()).collect();
    let others: Vec<u32> = own_children()
        .into_iter()
        .filter(|pid| !workers.contains(pid))
        .collect();
    assert_eq!(others.len(), 1, "one fork server: {others:?}");
    others[0]
}

#[test]
fn forked_workers_are_our_children_and_see_the_environment_and_directory_of_their_start() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    const LATE: &str = "POOLRT_TEST_FORK_SERVER_LATE";
    let first = Pool::new(1).unwrap();
    let (pid, parent, late, _) = first.apply(report, LATE.to_owned()).unwrap();
    assert_eq!(parent, std::process::id(), "the worker is our child");
    assert!(forked(pid), "the worker was forked by the fork server");
    assert_eq!(late, None);
    let zygote = fork_server(&[&first]);

    // Set after the fork server started: a later worker still sees it, as
    // a spawned one would.
    // SAFETY: no other thread of this process reads or writes the
    // environment now: the pool's threads touch it only while starting a
    // worker, and the other test of this file waits for its turn.
    unsafe { std::env::set_var(LATE, "late") };
    let before = std::env::current_dir().unwrap();
    let elsewhere = std::env::temp_dir().canonicalize().unwrap();
    std::env::set_current_dir(&elsewhere).unwrap();
    let second = Pool::new(1).unwrap();
    let outcome = second.apply(report, LATE.to_owned());
    std::env::set_current_dir(before).unwrap();
    // SAFETY: as above.
    unsafe { std::env::remove_var(LATE) };
    let (pid, parent, late, dir) = outcome.unwrap();
    assert_eq!(parent, std::process::id());
    assert!(forked(pid));
    assert_eq!(late.as_deref(), Some("late"));
    assert_eq!(dir, elsewhere.to_string_lossy());
    assert_eq!(
        fork_server(&[&first, &second]),
        zygote,
        "one fork server serves both"
    );
    for pool in [first, second] {
        pool.close();
        pool.join().unwrap();
    }
}

#[test]
fn a_fork_server_killed_from_outside_is_reaped_and_replaced() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let first = Pool::new(1).unwrap();
    assert_eq!(first.apply(|x: u8| x + 1, 1).unwrap(), 2);
    let zygote = fork_server(&[&first]);
    kill_process(Pid::from_raw(zygote as i32).unwrap(), Signal::KILL).unwrap();
    eventually("the fork server to die", || {
        process_state(zygote).is_none_or(|s| s == 'Z')
    });
    // The running worker is not the fork server's child: it goes on.
    assert_eq!(first.apply(|x: u8| x + 1, 2).unwrap(), 3);

    let second = Pool::new(2).unwrap();
    assert_eq!(second.map(|x: u8| x * 2, 0..4).unwrap(), [0, 2, 4, 6]);
    assert_eq!(
        process_state(zygote),
        None,
        "the dead fork server was reaped"
    );
    let replacement = fork_server(&[&first, &second]);
    assert_ne!(replacement, zygote);
    for pid in second.pids() {
        assert!(
            forked(pid),
            "worker {pid} was forked by the new fork server"
        );
    }
    for pool in [first, second] {
        pool.close();
        pool.join().unwrap();
    }
}

/// A task: the cores this worker may run on.
fn allowed_cores(_: ()) -> Vec<usize> {
    let set = rustix::thread::sched_getaffinity(None).unwrap();
    (0..rustix::thread::CpuSet::MAX_CPU)
        .filter(|&cpu| set.is_set(cpu))
        .collect()
}

#[test]
fn a_forked_worker_may_run_on_the_cores_its_starting_thread_may() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let all = allowed_cores(());
    // The fork server starts (or already runs) with every core allowed.
    let first = Pool::new(1).unwrap();
    assert_eq!(first.apply(allowed_cores, ()).unwrap(), all);
    // A pool started from a thread confined to one core: its link threads
    // inherit the confinement, and so would a spawned worker.
    let one = all[all.len() - 1];
    let confined = std::thread::spawn(move || {
        let mut set = rustix::thread::CpuSet::new();
        set.set(one);
        rustix::thread::sched_setaffinity(None, &set).unwrap();
        let pool = Pool::new(1).unwrap();
        let cores = pool.apply(allowed_cores, ()).unwrap();
        let was_forked = forked(pool.pids()[0]);
        pool.close();
        pool.join().unwrap();
        (cores, was_forked)
    })
    .join()
    .unwrap();
    assert!(confined.1, "the worker was forked");
    assert_eq!(confined.0, [one]);
    // The fork server itself was not confined: a later pool's workers are
    // not either.
    let later = Pool::new(1).unwrap();
    assert_eq!(later.apply(allowed_cores, ()).unwrap(), all);
    for pool in [first, later] {
        pool.close();
        pool.join().unwrap();
    }
}

#[test]
fn spawn_and_another_executable_re_execute_the_binary() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let spawned = Pool::builder()
        .processes(1)
        .start_method(StartMethod::Spawn)
        .build()
        .unwrap();
    let elsewhere = Pool::builder()
        .processes(1)
        .executable(std::env::current_exe().unwrap())
        .build()
        .unwrap();
    for pool in [spawned, elsewhere] {
        let (pid, parent, _, _) = pool.apply(report, "PATH".to_owned()).unwrap();
        assert_eq!(parent, std::process::id());
        assert!(!forked(pid), "worker {pid} re-executed the binary");
        pool.close();
        pool.join().unwrap();
    }
}
