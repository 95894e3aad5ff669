//! One test body, instantiated for `poolrt::thread` and `poolrt::process`:
//! every type both backends have takes and returns the same types,
//! errors included, so switching backend changes the import and nothing
//! else. The `let _: poolrt::X = ...` lines pin the shared types.
//!
//! Threads synchronise on the primitives under test, never on sleeps; a
//! duration here is only a bound or the length of a wait that must time
//! out.

/// The shared test body. `$m` is the backend module, `$W` its
/// thread-or-process type, and `$($fn_args)*` what follows a fn target in
/// `$W::new` (nothing for a thread, whose closures capture; `, ()` for a
/// process, as Python's `args=()`).
macro_rules! backend_tests {
    ($m:path, $W:ident $(, $fn_args:expr)?) => {
        use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
        use std::time::Duration;

        use poolrt::{Daemon, ErrorKind};
        use serde::{Deserialize, Serialize};

        use $m as m;

        /// A wait that must time out.
        const SHORT: Duration = Duration::from_millis(20);
        /// A wait that must not.
        const BOUND: Duration = Duration::from_secs(30);

        #[test]
        fn lock_acquire_release_try_and_timeout() {
            let lock: m::Lock = m::Lock::new().unwrap();
            lock.acquire();
            assert!(lock.locked());
            assert!(!lock.try_acquire());
            assert!(!lock.acquire_timeout(SHORT));
            let released: Result<(), poolrt::ReleaseError> = lock.release();
            released.unwrap();
            let err: poolrt::ReleaseError = lock.release().unwrap_err();
            assert!(err.is_unlocked());
            assert!(lock.try_acquire());
            lock.release().unwrap();
            {
                let _guard = lock.lock();
                assert!(lock.locked());
                assert!(lock.try_lock().is_none());
                assert!(lock.lock_timeout(SHORT).is_none());
            }
            assert!(lock.lock_timeout(BOUND).is_some());
            assert!(!lock.locked());
        }

        #[test]
        fn rlock_is_reentrant_and_owned() {
            let rlock: m::RLock = m::RLock::new().unwrap();
            rlock.acquire();
            assert!(rlock.try_acquire());
            assert!(rlock.acquire_timeout(SHORT));
            std::thread::scope(|s| {
                let other = s.spawn(|| (rlock.try_acquire(), rlock.release()));
                let (took, release) = other.join().unwrap();
                assert!(!took);
                let err: poolrt::ReleaseError = release.unwrap_err();
                assert!(err.is_not_owner());
            });
            for _ in 0..3 {
                rlock.release().unwrap();
            }
            assert!(rlock.release().unwrap_err().is_not_owner());
        }

        #[test]
        fn semaphore_counts_in_usize() {
            let sem: m::Semaphore = m::Semaphore::new(2usize).unwrap();
            sem.acquire();
            assert!(sem.try_acquire());
            let value: usize = sem.value();
            assert_eq!(value, 0);
            assert!(!sem.acquire_timeout(SHORT));
            sem.release();
            sem.release_n(2usize);
            assert_eq!(sem.value(), 3);
            assert!(sem.acquire_timeout(BOUND));
        }

        #[test]
        fn bounded_semaphore_refuses_an_over_release() {
            let sem: m::BoundedSemaphore = m::BoundedSemaphore::new(1usize).unwrap();
            let err: poolrt::ReleaseError = sem.release().unwrap_err();
            assert!(err.is_too_many_releases());
            sem.acquire();
            assert!(!sem.try_acquire());
            assert!(!sem.acquire_timeout(SHORT));
            sem.release().unwrap();
            assert_eq!(sem.value(), 1usize);
            assert_eq!(sem.initial_value(), 1usize);
            assert!(sem.release_n(1usize).unwrap_err().is_too_many_releases());
            // All or nothing, from below the bound too (Python's
            // `BoundedSemaphore(1).release(3)` raises `ValueError`).
            sem.acquire();
            assert!(sem.release_n(3usize).unwrap_err().is_too_many_releases());
            assert_eq!(sem.value(), 0usize, "nothing was released");
            sem.release_n(1usize).unwrap();
            assert_eq!(sem.value(), 1usize);
        }

        #[test]
        fn event_set_clear_and_wait_timeout() {
            let event: m::Event = m::Event::new().unwrap();
            assert!(!event.is_set());
            assert!(!event.wait_timeout(SHORT));
            std::thread::scope(|s| {
                let waiter = s.spawn(|| event.wait_timeout(BOUND));
                event.set();
                assert!(waiter.join().unwrap());
            });
            assert!(event.is_set());
            event.wait();
            event.clear();
            assert!(!event.is_set());
            assert!(!event.wait_timeout(SHORT));
        }

        #[test]
        fn condition_wait_for_and_notify() {
            let cond: m::Condition = m::Condition::new().unwrap();
            let ready = AtomicBool::new(false);
            let waiting = m::Event::new().unwrap();
            std::thread::scope(|s| {
                let waiter = s.spawn(|| {
                    let mut guard = cond.lock();
                    waiting.set();
                    guard.wait_for_timeout(|| ready.load(SeqCst), BOUND)
                });
                assert!(waiting.wait_timeout(BOUND));
                let guard = cond.lock(); // the waiter is inside its wait now
                ready.store(true, SeqCst);
                let _woken: usize = guard.notify_all();
                drop(guard);
                assert!(waiter.join().unwrap());
            });
            let mut guard = cond.try_lock().unwrap();
            assert!(!guard.wait_timeout(SHORT));
            assert!(!guard.wait_for_timeout(|| false, SHORT));
            guard.wait_for(|| true);
            assert_eq!(guard.notify(1), 0);
            drop(guard);
            assert!(cond.lock_timeout(BOUND).is_some());
        }

        #[test]
        fn barrier_wait_abort_reset_and_broken() {
            let barrier = m::Barrier::new(2usize).unwrap();
            assert_eq!(barrier.parties(), 2usize);
            assert_eq!(barrier.n_waiting(), 0usize);
            std::thread::scope(|s| {
                let other = s.spawn(|| barrier.wait_timeout(BOUND));
                let mine: Result<usize, poolrt::BrokenBarrierError> = barrier.wait();
                let mut indices = [mine.unwrap(), other.join().unwrap().unwrap()];
                indices.sort_unstable();
                assert_eq!(indices, [0, 1]);
            });
            let err: poolrt::BrokenBarrierError = barrier.wait_timeout(SHORT).unwrap_err();
            assert!(err.is_timeout());
            assert!(barrier.broken());
            assert!(!barrier.wait().unwrap_err().is_timeout());
            barrier.reset();
            assert!(!barrier.broken());
            barrier.abort();
            assert!(barrier.broken());
            assert!(barrier.wait_timeout(BOUND).is_err());
            let zero: poolrt::Error = m::Barrier::new(0).unwrap_err();
            assert_eq!(zero.kind(), ErrorKind::InvalidConfig);
        }

        #[test]
        fn queue_put_get_nowait_timeout_and_sizes() {
            let q: m::Queue<u32> = m::Queue::new(2).unwrap();
            assert!(q.empty());
            q.put(1).unwrap();
            q.put_timeout(2, BOUND).unwrap();
            assert_eq!(q.qsize(), 2);
            assert!(q.full());
            let full: poolrt::PutError<u32> = q.put_nowait(3).unwrap_err();
            assert!(full.is_full());
            assert_eq!(full.into_inner(), 3);
            let late: poolrt::PutError<u32> = q.put_timeout(4, SHORT).unwrap_err();
            assert!(matches!(late, poolrt::PutError::Full(4)));
            let first: Result<u32, poolrt::GetError> = q.get();
            assert_eq!(first.unwrap(), 1);
            assert_eq!(q.get_nowait().unwrap(), 2);
            let empty: poolrt::GetError = q.get_nowait().unwrap_err();
            assert!(empty.is_empty());
            assert!(q.get_timeout(SHORT).unwrap_err().is_empty());
            std::thread::scope(|s| {
                let getter = s.spawn(|| q.get_timeout(BOUND));
                q.put_nowait(5).unwrap();
                assert_eq!(getter.join().unwrap().unwrap(), 5);
            });
            assert!(q.empty() && !q.full());
        }

        #[test]
        fn simple_queue_put_get() {
            let q: m::SimpleQueue<String> = m::SimpleQueue::new().unwrap();
            let put: Result<(), poolrt::PutError<String>> = q.put("a".to_owned());
            put.unwrap();
            q.put("b".to_owned()).unwrap();
            assert_eq!(q.qsize(), 2);
            let got: Result<String, poolrt::GetError> = q.get();
            assert_eq!(got.unwrap(), "a");
            assert_eq!(q.get_nowait().unwrap(), "b");
            assert!(q.empty());
            assert!(q.get_nowait().unwrap_err().is_empty());
            assert!(q.get_timeout(SHORT).unwrap_err().is_empty());
        }

        /// The counterpart of a subclass with its own `run`.
        #[derive(Serialize, Deserialize)]
        struct Job {
            fail: bool,
        }

        impl m::Target for Job {
            type Outcome = Result<(), String>;
            fn run(self) -> Result<(), String> {
                if self.fail { Err("job failed".to_owned()) } else { Ok(()) }
            }
        }

        fn work() {}

        #[test]
        fn lifecycle_with_the_subclass_trait() {
            let w = m::$W::builder().name("job").daemon(Daemon::Yes).run(Job { fail: false });
            assert_eq!(w.name(), "job");
            assert!(w.is_daemon());
            assert!(!w.is_alive());
            let unstarted: poolrt::Error = w.join_timeout(SHORT).unwrap_err();
            assert_eq!(unstarted.kind(), ErrorKind::InvalidState);
            let started: Result<(), poolrt::Error> = w.start();
            started.unwrap();
            assert_eq!(w.start().unwrap_err().kind(), ErrorKind::InvalidState);
            let finished: Result<bool, poolrt::Error> = w.join_timeout(BOUND);
            assert!(finished.unwrap());
            let joined: Result<(), poolrt::Error> = w.join();
            joined.unwrap();
            assert!(!w.is_alive());

            let failing = m::$W::from_target(Job { fail: true });
            failing.start().unwrap();
            let err = failing.join().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Failed);
            assert!(err.to_string().contains("job failed"), "{err}");
        }

        #[test]
        fn lifecycle_with_a_fn_target() {
            let w = m::$W::new(work $(, $fn_args)?);
            assert!(!w.is_alive());
            w.start().unwrap();
            assert!(w.join_timeout(BOUND).unwrap());
            w.join().unwrap();
            let not_daemon = m::$W::builder().daemon(Daemon::No).run(Job { fail: false });
            assert!(!not_daemon.is_daemon());
        }
    };
}

#[cfg(feature = "thread")]
mod thread_backend {
    backend_tests!(poolrt::thread, Thread);
}

#[cfg(all(feature = "process", target_os = "linux"))]
mod process_backend {
    backend_tests!(poolrt::process, Process, ());
}
