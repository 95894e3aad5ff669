//! The initializer runs in each worker process before its tasks; one that
//! fails (returns `Err` or panics) breaks the pool: tasks fail promptly
//! with an error whose source chain names the initializer's failure, and
//! no worker is restarted in a loop.

mod support;

use std::error::Error as _;
use std::io::Write;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use pool_core::Error;
use pool_process::{Pool, ProcessPoolExecutor};
use support::{BOUND, worker_pid};

/// Set by the initializer in each worker; 0 means it did not run there.
static CONNECTION: AtomicU32 = AtomicU32::new(0);

fn connect(id: u32) {
    CONNECTION.store(id, Ordering::SeqCst);
}

fn connection(_: ()) -> (u32, u32) {
    (std::process::id(), CONNECTION.load(Ordering::SeqCst))
}

/// Appends one line to the file at `path`: counts initializer runs across
/// processes.
fn count_run(path: &str) {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .expect("open the run log");
    writeln!(file, "{}", std::process::id()).expect("log the run");
}

fn init_returns_err(path: String) -> Result<(), String> {
    count_run(&path);
    Err("no database at db://nowhere".to_owned())
}

fn init_panics(path: String) {
    count_run(&path);
    panic!("initializer exploded");
}

/// The error and all its sources, as one line.
fn chain(err: &Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(" <- ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// A fresh path for an initializer run log.
fn run_log() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let path = std::env::temp_dir().join(format!(
        "poolrt-init-{}-{}.log",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_file(&path);
    path.to_str().unwrap().to_owned()
}

fn runs(path: &str) -> usize {
    std::fs::read_to_string(path).map_or(0, |s| s.lines().count())
}

/// Runs `f` on its own thread; fails the test if it takes longer than
/// [`BOUND`].
fn promptly<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(BOUND)
        .unwrap_or_else(|_| panic!("{what} did not return"))
}

#[test]
fn the_initializer_runs_in_each_worker_before_its_tasks() {
    let pool = Pool::builder()
        .processes(2)
        .initializer(connect, 77)
        .build()
        .unwrap();
    assert_eq!(CONNECTION.load(Ordering::SeqCst), 0, "not in the parent");
    let seen = pool.map_chunked(|_: u8| connection(()), 0..40, 1).unwrap();
    assert!(seen.iter().all(|&(_, c)| c == 77), "{seen:?}");
    let (pid, c) = pool.apply(connection, ()).unwrap();
    assert_ne!(pid, std::process::id());
    assert_eq!(c, 77);
}

#[test]
fn a_replacement_worker_runs_the_initializer_too() {
    let pool = Pool::builder()
        .processes(1)
        .maxtasksperchild(1)
        .initializer(connect, 5)
        .build()
        .unwrap();
    let first = pool.apply(connection, ()).unwrap();
    let second = pool.apply(connection, ()).unwrap();
    assert_ne!(first.0, second.0, "a new worker");
    assert_eq!((first.1, second.1), (5, 5));
    let err = pool
        .apply(|code: i32| -> u32 { std::process::exit(code) }, 1)
        .unwrap_err();
    assert!(err.is_worker_lost());
    assert_eq!(pool.apply(connection, ()).unwrap().1, 5);
}

#[test]
fn an_initializer_error_breaks_the_pool_promptly_with_its_message() {
    let log = run_log();
    let pool = Pool::builder()
        .processes(2)
        .initializer(init_returns_err, log.clone())
        .build()
        .unwrap();
    let start = Instant::now();
    let (pool, err) = promptly("apply on a broken pool", move || {
        let err = pool.apply(worker_pid, ()).unwrap_err();
        (pool, err)
    });
    assert!(err.is_broken(), "{err:?}");
    // The first sentence says why.
    assert_eq!(err.to_string(), "pool is broken: worker initializer failed");
    let text = chain(&err);
    assert!(text.contains("no database at db://nowhere"), "{text}");
    assert_eq!(
        text.matches("initializer failed").count(),
        1,
        "the cause is told once: {text}"
    );
    assert!(start.elapsed() < BOUND);
    // Later submits are refused at once, with the same cause.
    for _ in 0..5 {
        let err = pool.apply_async(worker_pid, ()).unwrap_err();
        assert!(err.is_broken());
        assert!(chain(&err).contains("no database"));
    }
    let mapped = pool.map(|x: u8| x, 0..10).unwrap_err();
    assert!(mapped.is_broken());
    pool.close();
    pool.join().unwrap();
    assert!(pool.pids().is_empty());
    // Once joined no link can start a worker any more: count the runs.
    let runs = runs(&log);
    assert!(
        (1..=2).contains(&runs),
        "{runs} initializer runs for 2 workers"
    );
    let _ = std::fs::remove_file(&log);
}

#[test]
fn a_panicking_initializer_breaks_the_pool_with_the_panic() {
    let log = run_log();
    let pool = Pool::builder()
        .processes(1)
        .initializer(init_panics, log.clone())
        .build()
        .unwrap();
    let (pool, err) = promptly("apply on a broken pool", move || {
        let err = pool.apply(worker_pid, ()).unwrap_err();
        (pool, err)
    });
    assert!(err.is_broken(), "{err:?}");
    let text = chain(&err);
    assert!(text.contains("initializer"), "{text}");
    assert!(text.contains("initializer exploded"), "{text}");
    assert_eq!(text.matches("initializer failed").count(), 1, "{text}");
    assert!(text.contains(file!()), "the panic's location: {text}");
    drop(pool);
    assert_eq!(runs(&log), 1, "no respawn loop");
    let _ = std::fs::remove_file(&log);
}

#[test]
fn queued_tasks_of_a_broken_pool_fail_instead_of_hanging() {
    let log = run_log();
    let pool = Pool::builder()
        .processes(2)
        .initializer(init_returns_err, log.clone())
        .build()
        .unwrap();
    // Submitted at once: some may be queued before the pool breaks.
    let results: Vec<_> = (0..20).map(|_| pool.apply_async(worker_pid, ())).collect();
    for r in results {
        match r {
            Ok(r) => assert!(r.get_timeout(BOUND).unwrap_err().is_broken()),
            Err(err) => assert!(err.is_broken()),
        }
    }
    drop(pool);
    assert!(runs(&log) <= 2);
    let _ = std::fs::remove_file(&log);
}

#[test]
fn an_executor_with_a_failing_initializer_is_broken() {
    let log = run_log();
    let executor = ProcessPoolExecutor::builder()
        .processes(1)
        .initializer(init_returns_err, log.clone())
        .build_executor()
        .unwrap();
    let err = match executor.submit(worker_pid, ()) {
        Ok(future) => future.result_timeout(BOUND).unwrap_err(),
        Err(err) => err,
    };
    assert!(err.is_broken(), "{err:?}");
    assert_eq!(err.to_string(), "pool is broken: worker initializer failed");
    assert_eq!(
        chain(&err),
        "pool is broken: worker initializer failed <- no database at db://nowhere"
    );
    drop(executor);
    assert_eq!(runs(&log), 1);
    let _ = std::fs::remove_file(&log);
}

/// Succeeds for the first worker only: fails from the second run on.
fn init_only_once(path: String) -> Result<(), String> {
    count_run(&path);
    if runs(&path) > 1 {
        return Err("the license allows one worker".to_owned());
    }
    Ok(())
}

#[test]
fn a_replacement_that_fails_to_initialize_breaks_the_pool_without_a_respawn_loop() {
    let log = run_log();
    let pool = std::sync::Arc::new(
        Pool::builder()
            .processes(1)
            .maxtasksperchild(1)
            .initializer(init_only_once, log.clone())
            .build()
            .unwrap(),
    );
    // The first worker initialized; its task runs, then it retires.
    assert_eq!(pool.apply(|x: u32| x + 1, 1).unwrap(), 2);
    // Its replacement fails to initialize: the task fails, broken.
    let err = promptly("the failing replacement", {
        let pool = pool.clone();
        move || pool.apply(|x: u32| x + 1, 2).unwrap_err()
    });
    assert!(err.is_broken(), "{}", chain(&err));
    assert_eq!(err.to_string(), "pool is broken: worker initializer failed");
    assert!(
        chain(&err).contains("the license allows one worker"),
        "{}",
        chain(&err)
    );
    // Later tasks fail at once with the same cause; nothing restarts.
    for i in 0..20 {
        let err = match pool.apply_async(|x: u32| x, i) {
            Ok(result) => result.get().unwrap_err(),
            Err(refused) => refused,
        };
        assert!(err.is_broken(), "{}", chain(&err));
    }
    pool.close();
    pool.join().unwrap();
    assert_eq!(
        runs(&log),
        2,
        "one good start and one failed replacement, no loop"
    );
    let _ = std::fs::remove_file(&log);
}
