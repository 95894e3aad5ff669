//! `max_memory_per_child`: a worker over the limit is replaced after its
//! task (the task's result arrives, no task fails); a task that makes its
//! worker grow past the hard limit while it runs fails with
//! `ErrorKind::MemoryLimit`, naming the pid and the limit (an initializer
//! that does so breaks the pool with that error as its cause); zero is a
//! build error.

mod support;

use pool_core::ErrorKind;
use pool_process::{Pool, ProcessPoolExecutor, TaskFn, Wire};
use std::time::Duration;

use support::{BOUND, gone, worker_pid};

const MIB: usize = 1024 * 1024;
const LIMIT: u64 = 32 << 20;

/// A task: allocates `mib` MiB and keeps it for the rest of the worker's
/// life; returns the worker's pid.
fn leak(mib: usize) -> u32 {
    let kept = Vec::leak(vec![1u8; mib * MIB]);
    std::hint::black_box(kept);
    std::process::id()
}

/// A task: allocates `mib` MiB, uses it and gives it back before it
/// returns; returns the worker's pid.
fn burst(mib: usize) -> u32 {
    let block = std::hint::black_box(vec![1u8; mib * MIB]);
    drop(block);
    std::process::id()
}

/// A task: allocates 512 MiB (past the hard limit of a 32 MiB limit,
/// 288 MiB) and holds on to it without end.
fn hoard(_: ()) -> u32 {
    let hoard = std::hint::black_box(vec![1u8; 512 * MIB]);
    loop {
        std::hint::black_box(&hoard);
        std::hint::spin_loop();
    }
}

/// `f(arg)` on `pool`, bounded.
fn run<F: TaskFn<A, R>, A: Wire, R: Wire + Sync>(pool: &Pool, f: F, arg: A) -> R {
    pool.apply_async(f, arg)
        .unwrap()
        .get_timeout(BOUND)
        .unwrap()
}

fn pool_with_limit() -> Pool {
    Pool::builder()
        .processes(1)
        .max_memory_per_child(LIMIT)
        .build()
        .unwrap()
}

#[test]
fn a_worker_over_the_limit_delivers_its_result_and_is_replaced_before_the_next_task() {
    let pool = pool_with_limit();
    let first = run(&pool, worker_pid, ());
    // Under the limit: the worker stays.
    assert_eq!(run(&pool, leak, 1), first);
    assert_eq!(run(&pool, worker_pid, ()), first);
    // 64 MiB kept, twice the limit (but under the hard limit): the task
    // completes, and the worker retires after it.
    let leaky = run(&pool, leak, 64);
    assert_eq!(leaky, first, "the leaking task ran on the first worker");
    let next = run(&pool, worker_pid, ());
    assert_ne!(next, leaky, "the worker over the limit was replaced");
    gone(leaky);
    // The fresh worker is under the limit and stays.
    assert_eq!(run(&pool, worker_pid, ()), next);
}

#[test]
fn a_worker_whose_memory_went_back_before_the_task_ended_stays() {
    let pool = pool_with_limit();
    let first = run(&pool, worker_pid, ());
    // What counts is the memory the worker holds after the task, not its
    // peak (64 MiB, freed: far above the mmap threshold, it goes back to
    // the kernel at once).
    assert_eq!(run(&pool, burst, 64), first);
    assert_eq!(run(&pool, worker_pid, ()), first);
}

#[test]
fn the_executor_replaces_its_workers_the_same_way() {
    let executor = ProcessPoolExecutor::builder()
        .processes(1)
        .max_memory_per_child(LIMIT)
        .build_executor()
        .unwrap();
    let leaky = executor
        .submit(leak, 64)
        .unwrap()
        .result_timeout(BOUND)
        .unwrap();
    let next = executor
        .submit(worker_pid, ())
        .unwrap()
        .result_timeout(BOUND)
        .unwrap();
    assert_ne!(next, leaky);
}

#[test]
fn a_task_past_the_hard_limit_fails_with_a_memory_error_naming_pid_and_limit() {
    // Should the guard fail, the drop ends the runaway instead of hanging.
    let pool = Pool::builder()
        .processes(1)
        .max_memory_per_child(LIMIT)
        .drop_timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let pid = run(&pool, worker_pid, ());
    let err = pool
        .apply_async(hoard, ())
        .unwrap()
        .get_timeout(BOUND)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MemoryLimit, "{err}");
    assert!(err.is_memory_limit());
    let message = err.to_string();
    assert!(
        message.contains(&format!("worker process {pid}")),
        "{message}"
    );
    assert!(
        message.contains("max_memory_per_child is 32.0 MiB"),
        "{message}"
    );
    assert!(message.contains("hard limit of 288.0 MiB"), "{message}");
    gone(pid);
    // Only that task failed: the pool carries on with a fresh worker.
    let next = run(&pool, worker_pid, ());
    assert_ne!(next, pid);
}

#[test]
fn a_limit_of_zero_is_a_build_error() {
    let err = Pool::builder()
        .processes(1)
        .max_memory_per_child(0)
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{err}");
    assert!(err.to_string().contains("max_memory_per_child"), "{err}");
    let err = ProcessPoolExecutor::builder()
        .max_memory_per_child(0)
        .build_executor()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{err}");
}

/// An initializer: grows past the hard limit of a 32 MiB limit.
fn hoarding_initializer(_: ()) {
    hoard(());
}

#[test]
fn an_initializer_past_the_hard_limit_breaks_the_pool_with_the_memory_error_as_cause() {
    let pool = Pool::builder()
        .processes(1)
        .max_memory_per_child(LIMIT)
        .initializer(hoarding_initializer, ())
        .drop_timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let err = pool
        .apply_async(worker_pid, ())
        .unwrap()
        .get_timeout(BOUND)
        .unwrap_err();
    assert!(err.is_broken(), "{err:?}");
    assert_eq!(err.to_string(), "pool is broken: worker initializer failed");
    let mut causes = std::iter::successors(std::error::Error::source(&err), |e| e.source());
    let memory = causes
        .find_map(|e| {
            e.downcast_ref::<pool_core::Error>()
                .filter(|e| e.is_memory_limit())
        })
        .unwrap_or_else(|| panic!("no memory error among the causes of {err:?}"));
    assert!(
        memory
            .to_string()
            .contains("max_memory_per_child is 32.0 MiB"),
        "{memory}"
    );
}
