//! `Pool::metrics` and `ProcessPoolExecutor::metrics`: the counters follow
//! what the pool did (completed, failed, retried, deaths, replacements),
//! the worker view follows the live processes (pid, tasks, memory), and
//! busy/idle/queued follow a held task.

mod support;

use pool_process::{Pool, ProcessMetrics, ProcessPoolExecutor};
use support::{Rendezvous, Tally, eventually, first_time, held_pid, report_and_hold};

fn square(x: u64) -> u64 {
    x * x
}

fn fails(message: String) -> u32 {
    panic!("{message}")
}

/// Exits its worker: a death.
fn exits(_: ()) -> u32 {
    std::process::exit(3)
}

/// Exits its worker the first time (per tally), then returns its pid.
fn flaky(tally: String) -> u32 {
    if first_time(&tally, "flaky") {
        std::process::exit(3);
    }
    std::process::id()
}

/// Touches `mib` MiB, reports its pid and holds (so the memory stays).
fn holds_memory((path, mib): (String, usize)) -> usize {
    let block = vec![1u8; mib << 20];
    report_and_hold(&path, u64::from(std::process::id()));
    std::hint::black_box(&block).len()
}

/// The snapshot once the pool is quiet: no link busy any more.
fn quiet(metrics: impl Fn() -> ProcessMetrics) -> ProcessMetrics {
    eventually("a quiet pool", || {
        let m = metrics();
        // An executor's task run by its waiter (the direct lane) leaves
        // a no-op job queued for a moment: the scheduler's own view
        // settles once it has run.
        m.busy == 0 && m.scheduler.busy == 0 && m.scheduler.queued == 0
    });
    metrics()
}

#[test]
fn counters_follow_successes_and_failures() {
    let pool = Pool::new(2).unwrap();
    let fresh = pool.metrics();
    assert_eq!(
        (
            fresh.completed,
            fresh.failed,
            fresh.retried,
            fresh.deaths,
            fresh.replacements
        ),
        (0, 0, 0, 0, 0)
    );
    for x in 0..5 {
        assert_eq!(pool.apply(square, x).unwrap(), x * x);
    }
    assert!(pool.apply(fails, "expected by the test".into()).is_err());
    let m = quiet(|| pool.metrics());
    assert_eq!((m.completed, m.failed), (6, 1));
    assert_eq!(
        (m.retried, m.deaths, m.replacements),
        (0, 0, 0),
        "a panic kills no worker"
    );
    assert_eq!(m.queued, 0);
    assert_eq!(m.idle, m.alive);
    assert_eq!(m.workers.iter().map(|w| w.tasks).sum::<u64>(), 6);
    let mut pids: Vec<u32> = m.workers.iter().map(|w| w.pid).collect();
    pids.sort_unstable();
    let mut live = pool.pids();
    live.sort_unstable();
    assert_eq!(pids, live);
    assert!(
        m.workers
            .iter()
            .all(|w| w.resident.is_some_and(|bytes| bytes > 0))
    );
}

#[test]
fn busy_idle_and_queued_follow_a_held_task() {
    let pool = Pool::new(1).unwrap();
    let meet = Rendezvous::new();
    let held = pool.apply_async(held_pid, meet.path()).unwrap();
    let holder = meet.arrival();
    let queued = pool.apply_async(square, 3).unwrap();
    let m = pool.metrics();
    assert_eq!((m.alive, m.busy, m.idle, m.queued), (1, 1, 0, 1));
    assert_eq!(m.completed, 0);
    holder.release();
    assert_eq!(held.get().unwrap(), m.workers[0].pid);
    assert_eq!(queued.get().unwrap(), 9);
    let m = quiet(|| pool.metrics());
    assert_eq!(
        (m.alive, m.busy, m.idle, m.queued, m.completed),
        (1, 0, 1, 0, 2)
    );
    assert_eq!(m.workers[0].tasks, 2);
}

#[test]
fn a_death_is_counted_and_its_replacement_starts_from_zero() {
    let pool = Pool::new(1).unwrap();
    let first = pool.apply(held_pid_now, ()).unwrap();
    assert!(pool.apply(exits, ()).unwrap_err().is_worker_lost());
    let m = pool.metrics();
    assert_eq!((m.deaths, m.failed, m.completed), (1, 1, 2));
    let second = pool.apply(held_pid_now, ()).unwrap();
    assert_ne!(first, second, "a new worker process");
    let m = quiet(|| pool.metrics());
    assert_eq!((m.deaths, m.replacements), (1, 1));
    assert_eq!(m.workers.len(), 1);
    assert_eq!((m.workers[0].pid, m.workers[0].tasks), (second, 1));
}

fn held_pid_now(_: ()) -> u32 {
    std::process::id()
}

#[test]
fn a_retried_task_counts_a_retry_and_no_failure() {
    let tally = Tally::new();
    let pool = Pool::builder().processes(1).retries(2).build().unwrap();
    let pid = pool.apply(flaky, tally.path()).unwrap();
    let m = quiet(|| pool.metrics());
    assert_eq!((m.retried, m.failed, m.completed), (1, 0, 1));
    assert_eq!((m.deaths, m.replacements), (1, 1));
    assert_eq!(m.workers[0].pid, pid);

    // Out of retries: every attempt dies; the last one is the failure.
    let err = pool.apply(exits, ()).unwrap_err();
    assert!(err.is_worker_lost(), "{err}");
    let m = quiet(|| pool.metrics());
    assert_eq!((m.retried, m.failed, m.completed), (1 + 2, 1, 2));
    assert_eq!(m.deaths, 1 + 3);
}

#[test]
fn retirements_are_replacements_not_deaths() {
    let pool = Pool::builder()
        .processes(1)
        .maxtasksperchild(1)
        .build()
        .unwrap();
    let pids: Vec<u32> = (0..3)
        .map(|_| pool.apply(held_pid_now, ()).unwrap())
        .collect();
    assert!(pids[0] != pids[1] && pids[1] != pids[2], "{pids:?}");
    let m = quiet(|| pool.metrics());
    assert_eq!(m.deaths, 0);
    // The third worker's replacement is starting, not yet taken over.
    assert_eq!(m.replacements, 2);
    assert_eq!(m.completed, 3);
}

#[test]
fn a_worker_holding_memory_shows_it() {
    const MIB: usize = 64;
    let pool = Pool::new(1).unwrap();
    let meet = Rendezvous::new();
    let result = pool.apply_async(holds_memory, (meet.path(), MIB)).unwrap();
    let mut holder = meet.arrival();
    let pid = holder.read_u64();
    let m = pool.metrics();
    let worker = m.workers[0];
    assert_eq!(u64::from(worker.pid), pid);
    let resident = worker.resident.expect("readable while the worker lives");
    assert!(resident >= (MIB as u64) << 20, "{resident} bytes");
    holder.release();
    assert_eq!(result.get().unwrap(), MIB << 20);
}

#[test]
fn the_executor_gives_the_same_view() {
    let executor = ProcessPoolExecutor::new(2).unwrap();
    let futures: Vec<_> = (0..4)
        .map(|x| executor.submit(square, x).unwrap())
        .collect();
    for (x, future) in (0..4).zip(futures) {
        assert_eq!(future.result().unwrap(), x * x);
    }
    assert!(executor.submit(exits, ()).unwrap().result().is_err());
    let m = quiet(|| executor.metrics());
    assert_eq!((m.completed, m.failed, m.deaths), (5, 1, 1));
    assert_eq!(
        m.scheduler.completed, 5,
        "the scheduler's own view is there too"
    );
    assert_eq!(m.workers.len(), m.alive);
    executor.shutdown();
    let m = executor.metrics();
    assert_eq!((m.alive, m.busy, m.idle), (0, 0, 0));
    assert!(m.workers.is_empty());
}
