//! Scheduler lifecycle: configuration errors, lazy start, eager start,
//! keep-alive, a failing start-up function, contexts, metrics, shutdown.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use pool_core::{CancelFutures, ErrorKind, Scheduler, SchedulerConfig};
use support::{BOUND, Gate, eventually, scheduler, started_signal, stop};

#[test]
fn zero_or_too_many_workers_is_a_clear_error() {
    let err = Scheduler::new(SchedulerConfig::new(0, |_| Ok(()))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig);
    assert_eq!(
        err.to_string(),
        "invalid configuration: max_workers must be at least 1, got 0"
    );
    let err = Scheduler::new(SchedulerConfig::new(70_000, |_| Ok(()))).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid configuration: max_workers must be at most 65535, got 70000"
    );
}

#[test]
fn no_thread_starts_before_work_arrives() {
    let scheduler = scheduler(4);
    assert_eq!(scheduler.metrics().workers, 0);
    scheduler.submit(|| ()).unwrap().result().unwrap();
    assert!(scheduler.metrics().workers >= 1);
    stop(&scheduler);
}

#[test]
fn sequential_work_reuses_idle_threads() {
    let scheduler = scheduler(8);
    let threads = Arc::new(std::sync::Mutex::new(std::collections::HashSet::new()));
    for _ in 0..200 {
        let threads = threads.clone();
        scheduler
            .submit(move || {
                threads.lock().unwrap().insert(std::thread::current().id());
            })
            .unwrap()
            .result_timeout(BOUND)
            .unwrap();
    }
    // One task at a time never needs more than a couple of threads (the
    // first worker may pass the baton to one more while it searches).
    let used = threads.lock().unwrap().len();
    assert!(used <= 2, "{used} threads for sequential work");
    assert!(scheduler.metrics().workers <= 2);
    stop(&scheduler);
}

#[test]
fn start_workers_starts_them_up_front() {
    let scheduler = scheduler(3);
    scheduler.start_workers(10);
    assert_eq!(scheduler.metrics().workers, 3, "capped at max_workers");
    stop(&scheduler);
    assert_eq!(scheduler.metrics().workers, 0);
}

#[test]
fn concurrent_blocked_tasks_start_up_to_max_workers() {
    let scheduler = scheduler(4);
    let gate = Gate::new();
    let running = Arc::new(AtomicUsize::new(0));
    let futures: Vec<_> = (0..6)
        .map(|_| {
            let gate = gate.clone();
            let running = running.clone();
            scheduler
                .submit(move || {
                    running.fetch_add(1, Ordering::SeqCst);
                    gate.wait();
                })
                .unwrap()
        })
        .collect();
    eventually("four tasks running", || running.load(Ordering::SeqCst) == 4);
    let m = scheduler.metrics();
    assert_eq!(m.workers, 4);
    assert_eq!(m.busy, 4);
    assert_eq!(m.queued, 2);
    gate.open();
    for f in &futures {
        f.result_timeout(BOUND).unwrap();
    }
    assert_eq!(running.load(Ordering::SeqCst), 6);
    stop(&scheduler);
}

#[test]
fn keep_alive_lets_idle_threads_exit_and_restart_on_demand() {
    let scheduler = Scheduler::new(
        SchedulerConfig::new(2, |_| Ok(())).keep_alive(Some(Duration::from_millis(20))),
    )
    .unwrap();
    scheduler.submit(|| ()).unwrap().result().unwrap();
    eventually("idle threads exit", || scheduler.metrics().workers == 0);
    assert_eq!(
        scheduler
            .submit(|| 3)
            .unwrap()
            .result_timeout(BOUND)
            .unwrap(),
        3
    );
    stop(&scheduler);
}

#[test]
fn each_worker_gets_its_context() {
    let scheduler = Scheduler::new(SchedulerConfig::new(2, |info| Ok(vec![info.index()]))).unwrap();
    let f = scheduler
        .submit_with(|ctx: &mut Vec<usize>| {
            ctx.push(99);
            ctx.clone()
        })
        .unwrap();
    let ctx = f.result_timeout(BOUND).unwrap();
    assert!(ctx[0] < 2);
    assert_eq!(ctx[1], 99);
    scheduler.shutdown(CancelFutures::No);
    assert!(scheduler.join(Some(BOUND)));
}

#[test]
fn a_failing_start_breaks_the_scheduler_and_fails_queued_tasks() {
    let attempts = Arc::new(AtomicUsize::new(0));
    let counter = attempts.clone();
    let scheduler: Scheduler<()> = Scheduler::new(SchedulerConfig::new(2, move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
        Err(pool_core::Error::new(ErrorKind::Initializer, "no license"))
    }))
    .unwrap();
    for _ in 0..5 {
        // Accepted and then failed, or refused once the pool is broken:
        // the first worker may fail before the later submits.
        let err = match scheduler.submit(|| 1) {
            Ok(f) => f.result_timeout(BOUND).unwrap_err(),
            Err(refused) => refused.reason().clone(),
        };
        assert!(err.is_broken(), "{err:?}");
    }
    let broken = scheduler.broken().expect("broken");
    assert_eq!(
        broken.to_string(),
        "pool is broken: worker initializer failed"
    );
    let refused = scheduler.submit(|| 2).unwrap_err();
    assert!(refused.is_broken());
    assert_eq!((refused.into_inner())(), 2, "the task is handed back");
    assert!(scheduler.join(Some(BOUND)));
    assert!(attempts.load(Ordering::SeqCst) <= 2, "no respawn loop");
}

#[test]
fn submits_racing_a_failing_start_leave_no_job_behind() {
    // Each round: threads submit without pause while the only worker's
    // start fails, once the first submits are in. Every accepted task
    // fails as broken, and join returns: a job pushed just as the pool
    // broke must not stay queued (each worker started for it would leave
    // it to the next one, forever).
    for _ in 0..50 {
        let submitted = Arc::new(AtomicUsize::new(0));
        let seen = submitted.clone();
        let scheduler: Scheduler<()> = Scheduler::new(SchedulerConfig::new(1, move |_| {
            let since = std::time::Instant::now();
            while seen.load(Ordering::SeqCst) < 50 && since.elapsed() < BOUND {
                std::thread::yield_now();
            }
            Err(pool_core::Error::new(ErrorKind::Initializer, "no license"))
        }))
        .unwrap();
        let futures: Vec<_> = std::thread::scope(|s| {
            let submitters: Vec<_> = (0..2)
                .map(|_| {
                    s.spawn(|| {
                        // Until the pool refuses (broken), at most 100,000.
                        let mut futures = Vec::new();
                        while let Ok(future) = scheduler.submit(|| 1) {
                            submitted.fetch_add(1, Ordering::SeqCst);
                            futures.push(future);
                            if futures.len() == 100_000 {
                                break;
                            }
                        }
                        futures
                    })
                })
                .collect();
            submitters
                .into_iter()
                .flat_map(|t| t.join().unwrap())
                .collect()
        });
        for future in futures {
            let err = future.result_timeout(BOUND).unwrap_err();
            assert!(err.is_broken(), "{err:?}");
        }
        assert!(scheduler.join(Some(BOUND)), "join returns");
    }
}

#[test]
fn a_panicking_start_also_breaks_it() {
    let scheduler: Scheduler<()> =
        Scheduler::new(SchedulerConfig::new(1, |_| panic!("init exploded"))).unwrap();
    let err = scheduler
        .submit(|| ())
        .unwrap()
        .result_timeout(BOUND)
        .unwrap_err();
    assert!(err.is_broken());
    assert_eq!(err.to_string(), "pool is broken: task panicked");
    let cause = std::error::Error::source(&err).unwrap().to_string();
    assert!(cause.ends_with("init exploded"), "{cause}");
    assert!(scheduler.join(Some(BOUND)));
}

#[test]
fn shutdown_with_cancel_cancels_queued_tasks_only() {
    let scheduler = scheduler(1);
    let gate = Gate::new();
    let (started, wait_started) = started_signal();
    let task_gate = gate.clone();
    let running = scheduler
        .submit(move || {
            started.send(()).unwrap();
            task_gate.wait();
            "finished"
        })
        .unwrap();
    wait_started();
    let queued: Vec<_> = (0..3)
        .map(|i| scheduler.submit(move || i).unwrap())
        .collect();
    assert_eq!(scheduler.shutdown(CancelFutures::Yes), 3);
    for f in &queued {
        assert!(f.cancelled());
    }
    gate.open();
    assert_eq!(running.result_timeout(BOUND).unwrap(), "finished");
    assert!(scheduler.join(Some(BOUND)));
}

#[test]
fn join_from_a_worker_waits_for_the_others_only() {
    let scheduler = scheduler(2);
    let inner = scheduler.clone();
    let f = scheduler
        .submit(move || {
            inner.shutdown(CancelFutures::No);
            inner.join(Some(BOUND))
        })
        .unwrap();
    assert!(
        f.result_timeout(BOUND).unwrap(),
        "join inside a worker returns"
    );
    assert!(scheduler.join(Some(BOUND)));
}

#[test]
fn metrics_count_completed_and_queued() {
    let scheduler = scheduler(2);
    let futures: Vec<_> = (0..100)
        .map(|i| scheduler.submit(move || i).unwrap())
        .collect();
    for f in &futures {
        f.result_timeout(BOUND).unwrap();
    }
    let m = scheduler.metrics();
    assert_eq!(m.completed, 100);
    assert_eq!(m.queued, 0);
    assert_eq!(m.panicked, 0);
    assert_eq!(m.workers, m.idle + m.busy);
    stop(&scheduler);
}

#[test]
fn timeouts_too_large_to_represent_mean_no_timeout() {
    let scheduler =
        Scheduler::new(SchedulerConfig::new(1, |_| Ok(())).keep_alive(Some(Duration::MAX)))
            .unwrap();
    let f = scheduler.submit(|| 5).unwrap();
    assert_eq!(f.result_timeout(Duration::MAX).unwrap(), 5);
    assert!(f.wait_timeout(Duration::MAX));
    scheduler.shutdown(CancelFutures::No);
    assert!(scheduler.join(Some(Duration::MAX)));
}
