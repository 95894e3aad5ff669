//! `?` works for every poolrt error: each error type the public API
//! returns is `std::error::Error + Send + Sync + 'static`, so it converts
//! into `anyhow::Error` and into `Box<dyn Error + Send + Sync>`, including
//! a `SubmitError` carrying a closure that is not `Sync`.
#![cfg(feature = "thread")]

use std::cell::Cell;
use std::error::Error as StdError;
use std::sync::mpsc;

use poolrt::thread::ThreadPoolExecutor;
use poolrt::{ErrorKind, SubmitError};

type BoxError = Box<dyn StdError + Send + Sync>;

/// Compiles only for errors `?` can box or turn into `anyhow::Error`.
fn assert_question_mark_ready<E: StdError + Send + Sync + 'static>() {}

#[test]
#[allow(deprecated)]
fn every_public_error_type_is_send_sync_and_static() {
    type Task = Box<dyn FnOnce() + Send>;
    assert_question_mark_ready::<poolrt::Error>();
    assert_question_mark_ready::<poolrt::Panic>();
    assert_question_mark_ready::<SubmitError<Task>>();
    // A task that is `Send` but not `Sync`.
    assert_question_mark_ready::<SubmitError<Cell<u8>>>();
    assert_question_mark_ready::<SubmitError<mpsc::Receiver<u8>>>();
    assert_question_mark_ready::<poolrt::GetError>();
    assert_question_mark_ready::<poolrt::PutError<String>>();
    assert_question_mark_ready::<poolrt::ReleaseError>();
    assert_question_mark_ready::<poolrt::BrokenBarrierError>();
    assert_question_mark_ready::<poolrt::thread::TaskDoneError>();
    assert_question_mark_ready::<poolrt::thread::Empty>();
    assert_question_mark_ready::<poolrt::thread::ShutDown<String>>();
    #[cfg(all(feature = "process", target_os = "linux"))]
    {
        assert_question_mark_ready::<poolrt::process::WorkerExit>();
        assert_question_mark_ready::<poolrt::process::connection::AuthenticationError>();
    }
}

/// Submits a task holding a `Receiver` (`Send`, not `Sync`) to a shut-down
/// executor, propagating the refusal with `?` into anyhow.
fn submit_with_anyhow(executor: &ThreadPoolExecutor) -> anyhow::Result<u8> {
    let (tx, rx) = mpsc::channel::<u8>();
    tx.send(7).unwrap();
    let future = executor.submit(move || rx.recv().unwrap())?;
    Ok(future.result()?)
}

/// The same with a `Cell`, into a boxed error.
fn submit_with_box(executor: &ThreadPoolExecutor) -> Result<u8, BoxError> {
    let cell = Cell::new(5);
    let future = executor.submit(move || cell.get())?;
    Ok(future.result()?)
}

/// The same into poolrt's own `Error`, dropping the task.
fn submit_with_poolrt_error(executor: &ThreadPoolExecutor) -> Result<u8, poolrt::Error> {
    let cell = Cell::new(3);
    let future = executor.submit(move || cell.get())?;
    future.result()
}

#[test]
fn a_refused_non_sync_task_propagates_with_question_mark() {
    let executor = ThreadPoolExecutor::new(1).unwrap();
    assert_eq!(submit_with_anyhow(&executor).unwrap(), 7);
    assert_eq!(submit_with_box(&executor).unwrap(), 5);
    assert_eq!(submit_with_poolrt_error(&executor).unwrap(), 3);

    executor.shutdown();
    let err = submit_with_anyhow(&executor).unwrap_err();
    assert_eq!(err.to_string(), "executor has shut down");
    let err = submit_with_box(&executor).unwrap_err();
    assert_eq!(err.to_string(), "executor has shut down");
    assert_eq!(
        submit_with_poolrt_error(&executor).unwrap_err().kind(),
        ErrorKind::Shutdown
    );
}

#[test]
fn a_refused_non_sync_task_can_still_be_taken_back() {
    let executor = ThreadPoolExecutor::new(1).unwrap();
    executor.shutdown();
    let (tx, rx) = mpsc::channel::<u8>();
    let refused = executor.submit(move || rx.recv().unwrap()).unwrap_err();
    assert!(refused.is_shutdown());
    tx.send(9).unwrap();
    assert_eq!((refused.into_inner())(), 9, "the closure came back intact");
}

/// A task failure propagates with `?` and keeps its cause for anyhow.
fn failing_task(executor: &ThreadPoolExecutor) -> anyhow::Result<u8> {
    let future = executor.submit(|| -> u8 { panic!("expected by the test") })?;
    Ok(future.result()?)
}

#[test]
fn a_task_panic_propagates_with_question_mark_and_keeps_its_cause() {
    let executor = ThreadPoolExecutor::new(1).unwrap();
    let err = failing_task(&executor).unwrap_err();
    let poolrt_err = err
        .downcast_ref::<poolrt::Error>()
        .expect("a poolrt::Error");
    assert!(poolrt_err.is_panic());
    assert_eq!(
        poolrt_err.panic().unwrap().message(),
        "expected by the test"
    );
}

#[cfg(all(feature = "process", target_os = "linux"))]
#[test]
fn process_pool_errors_propagate_with_question_mark() {
    fn run(pool: &poolrt::process::Pool) -> anyhow::Result<u32> {
        Ok(pool.apply(|x: u32| x + 1, 1)?)
    }
    fn run_boxed(pool: &poolrt::process::Pool) -> Result<u32, BoxError> {
        Ok(pool.apply(|x: u32| x * 10, 4)?)
    }
    let pool = poolrt::process::Pool::new(1).unwrap();
    assert_eq!(run(&pool).unwrap(), 2);
    assert_eq!(run_boxed(&pool).unwrap(), 40);
    pool.close();
    let err = run(&pool).unwrap_err();
    assert!(
        err.downcast_ref::<poolrt::Error>().is_some(),
        "a closed pool refuses with a poolrt::Error: {err}"
    );
}
