//! Pinning puts each worker on its own allowed core, as the kernel reports
//! with `sched_getaffinity`.

mod support;

use std::collections::HashSet;

use pool_core::{Scheduler, SchedulerConfig};
use support::{BOUND, Gate, eventually, stop};

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

#[test]
fn each_pinned_worker_runs_on_its_own_core() {
    let allowed = kernel_affinity();
    let n = allowed.len();
    let scheduler =
        Scheduler::new(SchedulerConfig::new(n, |info| Ok(info.core())).pin_cores(true)).unwrap();
    // Hold every worker at once, so each task runs on a different worker.
    let gate = Gate::new();
    let arrived = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let futures: Vec<_> = (0..n)
        .map(|_| {
            let gate = gate.clone();
            let arrived = arrived.clone();
            scheduler
                .submit_with(move |core: &mut Option<usize>| {
                    arrived.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    gate.wait();
                    (*core, kernel_affinity())
                })
                .unwrap()
        })
        .collect();
    eventually("all workers busy", || {
        arrived.load(std::sync::atomic::Ordering::SeqCst) == n
    });
    gate.open();
    let mut seen = HashSet::new();
    for f in &futures {
        let (core, affinity) = f.result_timeout(BOUND).unwrap();
        let core = core.expect("the worker was pinned");
        assert_eq!(
            affinity,
            [core],
            "the kernel confines the worker to one core"
        );
        assert!(allowed.contains(&core));
        assert!(seen.insert(core), "two workers share core {core}");
    }
    stop(&scheduler);
}

#[test]
fn unpinned_workers_keep_the_process_affinity() {
    let allowed = kernel_affinity();
    let scheduler = Scheduler::new(SchedulerConfig::new(1, |info| Ok(info.core()))).unwrap();
    let (core, affinity) = scheduler
        .submit_with(|core: &mut Option<usize>| (*core, kernel_affinity()))
        .unwrap()
        .result_timeout(BOUND)
        .unwrap();
    assert_eq!(core, None);
    assert_eq!(affinity, allowed);
    stop(&scheduler);
}

#[test]
fn allowed_cores_matches_the_kernel() {
    assert_eq!(pool_core::allowed_cores(), kernel_affinity());
}
