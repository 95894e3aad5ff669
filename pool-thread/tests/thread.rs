//! `Thread`: lifecycle, names, idents, panics, errors, daemon flags and
//! `join_non_daemon`.

mod support;

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use pool_thread::{Daemon, ErrorKind, Event, Target, Thread, current_thread, get_ident};
use support::{BOUND, SHORT, finishes};

#[test]
fn a_started_thread_runs_its_target_and_joins() {
    let number = Arc::new(AtomicUsize::new(1000));
    let t = Thread::new({
        let number = number.clone();
        move || number.store(100, SeqCst)
    });
    assert!(!t.is_alive());
    assert_eq!(t.ident(), None);
    t.start().unwrap();
    t.join().unwrap();
    assert_eq!(number.load(SeqCst), 100);
    assert!(!t.is_alive());
}

#[test]
fn a_custom_run_type_is_a_target() {
    struct Adder {
        to: Arc<AtomicUsize>,
        n: usize,
    }
    impl Target for Adder {
        type Outcome = ();
        fn run(self) {
            self.to.fetch_add(self.n, SeqCst);
        }
    }
    let total = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (1..=3)
        .map(|n| {
            Thread::new(Adder {
                to: total.clone(),
                n,
            })
        })
        .collect();
    for t in &threads {
        t.start().unwrap();
    }
    for t in &threads {
        t.join().unwrap();
    }
    assert_eq!(total.load(SeqCst), 6);
}

#[test]
fn is_alive_while_running_and_join_timeout_says_whether_it_finished() {
    let go = Arc::new(Event::new().unwrap());
    let t = Thread::new({
        let go = go.clone();
        move || go.wait()
    });
    t.start().unwrap();
    assert!(t.is_alive());
    assert!(!t.join_timeout(SHORT).unwrap());
    assert!(t.is_alive());
    go.set();
    assert!(t.join_timeout(BOUND).unwrap());
    assert!(!t.is_alive());
}

#[test]
fn unnamed_threads_are_numbered_thread_n_in_creation_order() {
    let numbers: Vec<usize> = (0..3)
        .map(|_| {
            let t = Thread::new(|| {});
            t.name().strip_prefix("Thread-").unwrap().parse().unwrap()
        })
        .collect();
    assert!(numbers[0] >= 1);
    assert!(numbers.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn current_thread_inside_a_thread_is_its_own_handle() {
    let t = Thread::builder().name("t.7").target(|| {
        let me = current_thread();
        assert_eq!(me.name(), "t.7");
        assert_eq!(
            std::thread::current().name(),
            Some("t.7"),
            "the OS thread too"
        );
        assert!(me.is_alive());
        assert!(me.ident().is_some());
    });
    let handle = t.clone();
    t.start().unwrap();
    t.join().unwrap();
    assert_eq!(t, handle);
}

#[test]
fn idents_are_unique_nonzero_and_native_ids_are_os_thread_ids() {
    let threads: Vec<_> = (0..4).map(|_| Thread::new(|| {})).collect();
    for t in &threads {
        t.start().unwrap();
    }
    let idents: HashSet<u64> = threads.iter().map(|t| t.ident().unwrap()).collect();
    assert_eq!(idents.len(), 4);
    assert!(!idents.contains(&0));
    assert!(!idents.contains(&get_ident()));
    if cfg!(target_os = "linux") {
        let natives: HashSet<u64> = threads.iter().map(|t| t.native_id().unwrap()).collect();
        assert_eq!(natives.len(), 4);
        assert!(!natives.contains(&u64::from(std::process::id())));
    }
    for t in threads {
        t.join().unwrap();
    }
}

#[test]
fn a_panic_in_the_target_is_reported_by_every_join() {
    fn doomed() {
        panic!("target failed")
    }
    let t = Thread::builder().name("doomed").target(doomed);
    t.start().unwrap();
    for _ in 0..2 {
        let err = t.join().unwrap_err();
        assert!(err.is_panic());
        assert_eq!(err.kind(), ErrorKind::Panicked);
        let panic = err.panic().unwrap();
        assert_eq!(panic.message(), "target failed");
        assert_eq!(panic.thread_name(), Some("doomed"));
        assert!(panic.location().unwrap().contains("thread.rs"));
        assert!(std::error::Error::source(&err).is_some());
    }
    assert!(!t.is_alive());
}

#[test]
fn joining_an_unstarted_thread_is_an_error() {
    let t = Thread::new(|| {});
    let err = t.join().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidState);
    assert!(t.join_timeout(SHORT).unwrap_err().kind() == ErrorKind::InvalidState);
}

#[test]
fn starting_twice_is_an_error() {
    let t = Thread::new(|| {});
    t.start().unwrap();
    let err = t.start().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidState);
    t.join().unwrap();
    assert!(t.start().unwrap_err().kind() == ErrorKind::InvalidState);
}

#[test]
fn a_thread_cannot_join_itself() {
    let refused = Arc::new(AtomicUsize::new(0));
    let t = Thread::new({
        let refused = refused.clone();
        move || {
            if current_thread().join().unwrap_err().kind() == ErrorKind::InvalidState {
                refused.store(1, SeqCst);
            }
        }
    });
    t.start().unwrap();
    t.join().unwrap();
    assert_eq!(refused.load(SeqCst), 1);
    let me = current_thread();
    assert!(me.join().unwrap_err().kind() == ErrorKind::InvalidState);
    assert!(me.join_timeout(SHORT).unwrap_err().kind() == ErrorKind::InvalidState);
}

#[test]
fn a_thread_the_os_refuses_reports_a_spawn_error() {
    if !cfg!(target_os = "linux") {
        return;
    }
    let t = Thread::builder()
        .stack_size(usize::MAX)
        .daemon(Daemon::No)
        .target(|| {});
    let err = t.start().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Spawn);
    assert!(std::error::Error::source(&err).is_some());
    assert!(t.join().unwrap_err().kind() == ErrorKind::InvalidState);
    assert!(!t.is_alive());
    assert!(
        pool_thread::join_non_daemon_timeout(BOUND),
        "it was unregistered"
    );
}

#[test]
fn the_daemon_flag_is_inherited_from_the_creating_thread() {
    let seen = Arc::new(AtomicUsize::new(0));
    for (daemon, bit) in [(Daemon::Yes, 1), (Daemon::No, 2)] {
        let seen = seen.clone();
        let t = Thread::builder().daemon(daemon).target(move || {
            if Thread::new(|| {}).is_daemon() {
                seen.fetch_or(bit, SeqCst);
            }
        });
        t.start().unwrap();
        t.join().unwrap();
    }
    assert_eq!(seen.load(SeqCst), 1, "only the daemon's child is a daemon");
}

#[test]
fn threads_poolrt_did_not_start_are_daemons_named_after_the_os_thread() {
    let named = std::thread::Builder::new()
        .name("std-named".into())
        .spawn(|| {
            let me = current_thread();
            (me.name().to_owned(), me.is_daemon(), me.ident().is_some())
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(named, ("std-named".to_owned(), true, true));
    let unnamed = std::thread::spawn(|| current_thread().name().to_owned())
        .join()
        .unwrap();
    assert!(unnamed.starts_with("Dummy-"), "{unnamed}");
}

#[test]
fn a_foreign_threads_handle_finishes_when_the_thread_exits() {
    let (tx, rx) = std::sync::mpsc::channel();
    let go = Arc::new(Event::new().unwrap());
    let os = {
        let go = go.clone();
        std::thread::spawn(move || {
            tx.send(current_thread()).unwrap();
            go.wait();
        })
    };
    let handle = rx.recv().unwrap();
    assert!(handle.is_alive());
    assert!(!handle.join_timeout(SHORT).unwrap());
    go.set();
    assert!(handle.join_timeout(BOUND).unwrap());
    os.join().unwrap();
}

#[test]
fn join_non_daemon_waits_for_non_daemon_threads_only() {
    let release_daemon = Arc::new(Event::new().unwrap());
    let release_worker = Arc::new(Event::new().unwrap());
    let daemon = Thread::builder().daemon(Daemon::Yes).target({
        let e = release_daemon.clone();
        move || e.wait()
    });
    let worker = Thread::builder().daemon(Daemon::No).target({
        let e = release_worker.clone();
        move || e.wait()
    });
    daemon.start().unwrap();
    worker.start().unwrap();
    assert!(!pool_thread::join_non_daemon_timeout(SHORT));
    release_worker.set();
    finishes("join_non_daemon", pool_thread::join_non_daemon);
    assert!(!worker.is_alive());
    assert!(daemon.is_alive(), "daemon threads are not waited for");
    release_daemon.set();
    daemon.join().unwrap();
}

#[test]
fn join_non_daemon_also_waits_for_threads_started_meanwhile() {
    let last = Arc::new(AtomicUsize::new(0));
    let parent = Thread::builder().daemon(Daemon::No).target({
        let last = last.clone();
        move || {
            let child = Thread::new(move || {
                last.store(2, SeqCst);
            });
            child.start().unwrap();
        }
    });
    parent.start().unwrap();
    finishes("join_non_daemon", pool_thread::join_non_daemon);
    assert_eq!(last.load(SeqCst), 2);
}
