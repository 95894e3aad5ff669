//! The idle protocol never loses a wake-up: jobs submitted while workers are
//! going to sleep, from many threads, from inside tasks and in bursts, all
//! run. Each wait is bounded, so a lost wake-up fails instead of hanging.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use pool_core::{ReturnWhen, TaskFuture, wait};
use support::{BOUND, scheduler, stop};

#[test]
fn one_at_a_time_submits_always_wake_a_sleeper() {
    // Every submit lands on a pool whose workers are spinning down or
    // asleep: the exact window where a lost wake-up would hang.
    let scheduler = scheduler(2);
    for i in 0..20_000u32 {
        let f = scheduler.submit(move || i).unwrap();
        assert_eq!(f.result_timeout(BOUND).unwrap(), i);
    }
    stop(&scheduler);
}

#[test]
fn concurrent_submitters_from_many_threads() {
    let scheduler = scheduler(3);
    let ran = Arc::new(AtomicUsize::new(0));
    std::thread::scope(|s| {
        for _ in 0..4 {
            let scheduler = scheduler.clone();
            let ran = ran.clone();
            s.spawn(move || {
                for round in 0..200 {
                    let futures: Vec<TaskFuture<()>> = (0..=round % 7)
                        .map(|_| {
                            let ran = ran.clone();
                            scheduler
                                .submit(move || {
                                    ran.fetch_add(1, Ordering::Relaxed);
                                })
                                .unwrap()
                        })
                        .collect();
                    let waited = wait(&futures, Some(BOUND), ReturnWhen::AllCompleted);
                    assert!(waited.not_done.is_empty(), "a job was stranded");
                }
            });
        }
    });
    // 4 threads × Σ_{r<200} (r % 7 + 1)
    let per_thread: usize = (0..200).map(|r| r % 7 + 1).sum();
    assert_eq!(ran.load(Ordering::Relaxed), 4 * per_thread);
    stop(&scheduler);
}

#[test]
fn tasks_submitted_from_inside_tasks_run() {
    let scheduler = scheduler(2);
    for _ in 0..500 {
        let inner_scheduler = scheduler.clone();
        let outer = scheduler
            .submit(move || {
                // Goes to this worker's own deque; another worker must be
                // woken to steal it, or this worker runs it after we return.
                inner_scheduler.submit(|| 5).unwrap()
            })
            .unwrap();
        let inner = outer.result_timeout(BOUND).unwrap();
        assert_eq!(inner.result_timeout(BOUND).unwrap(), 5);
    }
    stop(&scheduler);
}

#[test]
fn a_waiting_task_gets_its_inner_task_stolen_by_another_worker() {
    let scheduler = scheduler(2);
    for _ in 0..200 {
        let inner_scheduler = scheduler.clone();
        let outer = scheduler
            .submit(move || {
                let inner = inner_scheduler.submit(|| 7).unwrap();
                // Blocks this worker: the other one must steal `inner`.
                inner.result_timeout(BOUND).unwrap()
            })
            .unwrap();
        assert_eq!(outer.result_timeout(BOUND).unwrap(), 7);
    }
    let metrics = scheduler.metrics();
    assert!(metrics.stolen >= 200, "{metrics:?}");
    stop(&scheduler);
}

#[test]
fn bursts_separated_by_idle_periods() {
    let scheduler = scheduler(4);
    for burst in 1..=50usize {
        let futures: Vec<_> = (0..burst * 20)
            .map(|i| scheduler.submit(move || i).unwrap())
            .collect();
        let sum: usize = futures
            .iter()
            .map(|f| f.result_timeout(BOUND).unwrap())
            .sum();
        assert_eq!(sum, (0..burst * 20).sum());
        // Let every worker reach the sleeper list before the next burst.
        support::eventually("workers asleep", || {
            let m = scheduler.metrics();
            m.asleep == m.workers
        });
    }
    stop(&scheduler);
}
