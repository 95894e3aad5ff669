//! `pin_cores(true)`: each worker process runs on exactly one allowed
//! core, as the kernel reports with `sched_getaffinity` inside the task,
//! and workers held at the same time are on distinct cores. Without it,
//! workers keep the parent's whole affinity.

mod support;

use std::collections::BTreeSet;

use pool_process::Pool;
use support::{BOUND, Rendezvous, hold};

/// The cores the calling thread may run on, straight from the kernel.
fn kernel_affinity() -> Vec<usize> {
    // SAFETY: `cpu_set_t` is plain data for which all-zero is valid.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: pid 0 is the calling thread; the size and pointer describe
    // `set`, which outlives the call.
    let rc =
        unsafe { libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) };
    assert_eq!(rc, 0, "sched_getaffinity failed");
    (0..libc::CPU_SETSIZE as usize)
        // SAFETY: `i` is below CPU_SETSIZE and `set` is initialised.
        .filter(|&i| unsafe { libc::CPU_ISSET(i, &set) })
        .collect()
}

/// A task: reads its affinity, then holds until released, so that every
/// worker runs one such task at the same time.
fn affinity_while_held(path: String) -> (u32, Vec<usize>) {
    let cores = kernel_affinity();
    hold(&path);
    (std::process::id(), cores)
}

/// Runs one held task on each of `n` workers at once; returns each
/// worker's pid and affinity.
fn affinities(pool: &Pool, n: usize) -> Vec<(u32, Vec<usize>)> {
    let rendezvous = Rendezvous::new();
    let results: Vec<_> = (0..n)
        .map(|_| {
            pool.apply_async(affinity_while_held, rendezvous.path())
                .unwrap()
        })
        .collect();
    let held: Vec<_> = (0..n).map(|_| rendezvous.arrival()).collect();
    held.into_iter().for_each(support::Held::release);
    results
        .iter()
        .map(|r| r.get_timeout(BOUND).unwrap())
        .collect()
}

#[test]
fn each_pinned_worker_runs_on_its_own_allowed_core() {
    let allowed = kernel_affinity();
    let n = allowed.len().min(4);
    let pool = Pool::builder()
        .processes(n)
        .pin_cores(true)
        .build()
        .unwrap();
    let seen = affinities(&pool, n);
    let pids: BTreeSet<u32> = seen.iter().map(|(pid, _)| *pid).collect();
    assert_eq!(pids.len(), n, "every worker ran one task: {seen:?}");
    let mut cores = BTreeSet::new();
    for (pid, set) in &seen {
        assert_eq!(set.len(), 1, "worker {pid} is pinned to one core: {set:?}");
        assert!(allowed.contains(&set[0]), "{set:?} within {allowed:?}");
        cores.insert(set[0]);
    }
    assert_eq!(cores.len(), n, "distinct cores: {seen:?}");
    // The parent itself is not pinned by building the pool.
    assert_eq!(kernel_affinity(), allowed);
}

#[test]
fn a_replaced_worker_is_pinned_again() {
    let allowed = kernel_affinity();
    let pool = Pool::builder()
        .processes(1)
        .pin_cores(true)
        .maxtasksperchild(1)
        .build()
        .unwrap();
    for _ in 0..3 {
        let (pid, set) = pool
            .apply(|_: ()| (std::process::id(), kernel_affinity()), ())
            .unwrap();
        assert_eq!(set, [allowed[0]], "worker {pid}");
    }
}

#[test]
fn unpinned_workers_keep_the_parents_affinity() {
    let allowed = kernel_affinity();
    let pool = Pool::new(2).unwrap();
    for (pid, set) in affinities(&pool, 2) {
        assert_eq!(set, allowed, "worker {pid}");
    }
}
