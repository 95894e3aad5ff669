//! `apply` and `apply_async`: values, `get`, `get_timeout` (which gives up
//! while the task goes on), `wait`, `wait_timeout`, `ready`, `successful`.

mod support;

use std::time::Duration;

use pool_core::ErrorKind;
use pool_process::Pool;
use support::{BOUND, Rendezvous, held_pid, worker_pid};

fn square(x: u64) -> u64 {
    x * x
}

fn fails(message: String) -> u32 {
    panic!("{message}")
}

#[test]
fn apply_returns_the_value_computed_in_a_worker() {
    let pool = Pool::new(2).unwrap();
    assert_eq!(pool.apply(square, 12).unwrap(), 144);
    assert_eq!(
        pool.apply(|s: String| s.to_uppercase(), "héllo".to_owned())
            .unwrap(),
        "HÉLLO"
    );
    assert_eq!(
        pool.apply(|v: Vec<u32>| v.iter().sum::<u32>(), vec![1, 2, 3])
            .unwrap(),
        6
    );
    let pid = pool.apply(worker_pid, ()).unwrap();
    assert_ne!(pid, std::process::id(), "the task ran in another process");
    assert!(
        pool.pids().contains(&pid),
        "{pid} is one of {:?}",
        pool.pids()
    );
}

#[test]
fn a_non_capturing_closure_and_structured_values_cross() {
    let pool = Pool::new(1).unwrap();
    let pairs = pool
        .apply(
            |v: Vec<(String, Option<i64>)>| {
                v.into_iter()
                    .map(|(k, n)| (k.len(), n.map(|n| -n)))
                    .collect::<Vec<_>>()
            },
            vec![("ab".to_owned(), Some(3)), ("xyz".to_owned(), None)],
        )
        .unwrap();
    assert_eq!(pairs, [(2, Some(-3)), (3, None)]);
}

#[test]
fn apply_async_get_returns_the_value_once() {
    let pool = Pool::new(2).unwrap();
    let results: Vec<_> = (0..10)
        .map(|i| pool.apply_async(square, i).unwrap())
        .collect();
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r.get_timeout(BOUND).unwrap(), (i * i) as u64);
        assert!(r.ready());
        assert!(r.successful().unwrap());
    }
    assert_eq!(
        results[3].get().unwrap_err().kind(),
        ErrorKind::Retrieved,
        "the value moved out on the first get"
    );
}

#[test]
fn get_timeout_gives_up_and_the_task_goes_on() {
    let pool = Pool::new(1).unwrap();
    let rendezvous = Rendezvous::new();
    let result = pool.apply_async(held_pid, rendezvous.path()).unwrap();
    let held = rendezvous.arrival();
    let err = result
        .get_timeout(Duration::from_millis(20))
        .expect_err("the task is held");
    assert!(err.is_timeout(), "{err:?}");
    assert!(!result.ready());
    assert!(!result.wait_timeout(Duration::from_millis(20)));
    held.release();
    let pid = result.get_timeout(BOUND).unwrap();
    assert_ne!(pid, std::process::id());
    assert_eq!(
        pool.apply(worker_pid, ()).unwrap(),
        pid,
        "the same worker carries on"
    );
}

#[test]
fn wait_and_ready_follow_the_task() {
    let pool = Pool::new(1).unwrap();
    let rendezvous = Rendezvous::new();
    let result = pool.apply_async(held_pid, rendezvous.path()).unwrap();
    let held = rendezvous.arrival();
    assert!(!result.ready());
    held.release();
    result.wait();
    assert!(result.ready());
    assert!(result.wait_timeout(Duration::ZERO));
    assert!(result.successful().unwrap());
    assert!(result.get().is_ok());
}

#[test]
fn successful_is_an_error_before_the_result_is_ready() {
    let pool = Pool::new(1).unwrap();
    let rendezvous = Rendezvous::new();
    let result = pool.apply_async(held_pid, rendezvous.path()).unwrap();
    let held = rendezvous.arrival();
    let err = result.successful().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotReady);
    held.release();
    assert!(result.wait_timeout(BOUND));
    assert!(result.successful().unwrap());
}

#[test]
fn a_failed_task_is_not_successful_and_get_returns_its_error() {
    let pool = Pool::new(1).unwrap();
    let result = pool.apply_async(fails, "no luck".to_owned()).unwrap();
    assert!(result.wait_timeout(BOUND));
    assert!(result.ready());
    assert!(!result.successful().unwrap());
    let err = result.get().unwrap_err();
    assert!(err.is_panic(), "{err:?}");
    assert_eq!(err.panic().unwrap().message(), "no luck");
    assert!(
        result.get().unwrap_err().is_panic(),
        "an error can be read again"
    );
    let err = pool.apply(fails, "again".to_owned()).unwrap_err();
    assert_eq!(err.panic().unwrap().message(), "again");
}

#[test]
fn many_outstanding_results_from_several_threads() {
    let pool = Pool::new(2).unwrap();
    std::thread::scope(|s| {
        for t in 0..4u64 {
            let pool = &pool;
            s.spawn(move || {
                let results: Vec<_> = (0..50)
                    .map(|i| pool.apply_async(square, t * 1000 + i).unwrap())
                    .collect();
                for (i, r) in (0..).zip(&results) {
                    let x = t * 1000 + i;
                    assert_eq!(r.get_timeout(BOUND).unwrap(), x * x);
                }
            });
        }
    });
}
