//! loom models of the real task handle (`core.rs`, argued in this folder's
//! `README.md`), compiled only by the model-checking build:
//!
//! ```text
//! RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom \
//!     cargo test -p pool-core --lib --release -- loom_model
//! ```
//!
//! `Core` runs unchanged: under `--cfg loom` its atomics, output cell, lock
//! and park/unpark come from loom (`crate::loom`). loom reports a read or
//! move of the output not ordered by the protocol (transitions 2, 5, 6), a
//! lost wake-up as a deadlock (transition 3), and checks the assertions
//! below in every interleaving it explores.

use std::sync::atomic::Ordering::SeqCst;

use loom::sync::Arc;
use loom::sync::atomic::AtomicUsize;
use loom::thread;

use super::core::{Core, run_late_callback};
use crate::error::ErrorKind;

/// Transition 1 against a parked taker (transitions 2-3): claim and cancel
/// exclude each other, and the taker, parked on another thread, wakes with
/// the winner's outcome. Three threads: bounded to 3 preemptions (under a
/// second), unless `LOOM_MAX_PREEMPTIONS` says otherwise.
#[test]
fn claim_and_cancel_exclude_each_other_and_wake_the_taker() {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound.get_or_insert(3);
    builder.check(|| {
        let core = Arc::new(Core::<u32>::new());
        let worker = {
            let core = Arc::clone(&core);
            thread::spawn(move || {
                let claimed = core.start();
                if claimed {
                    core.complete(Ok(7));
                }
                claimed
            })
        };
        let taker = {
            let core = Arc::clone(&core);
            thread::spawn(move || core.take(None))
        };
        let cancelled = core.cancel();
        let ran = worker.join().unwrap();
        assert!(ran != cancelled, "exactly one of claim and cancel wins");
        match taker.join().unwrap() {
            Ok(value) => assert!(ran && value == 7),
            Err(error) => assert!(cancelled && error.kind() == ErrorKind::Cancelled),
        }
    });
}

/// Transitions 2-6: a done-callback, registered before completion or run
/// late, reads the value while the taker moves it out; the two never
/// overlap, the taker is never stranded and the callback always runs.
/// Three threads: bounded to 2 preemptions (5 s; 3 take 40 s, unbounded
/// many minutes), unless `LOOM_MAX_PREEMPTIONS` says otherwise.
#[test]
fn readers_and_the_taker_never_overlap() {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound.get_or_insert(2);
    builder.check(|| {
        let core = Arc::new(Core::<u32>::new());
        let ran = Arc::new(AtomicUsize::new(0));
        let worker = {
            let core = Arc::clone(&core);
            thread::spawn(move || {
                assert!(core.start());
                core.complete(Ok(7));
            })
        };
        let callback = {
            let core = Arc::clone(&core);
            let ran = Arc::clone(&ran);
            thread::spawn(move || {
                let callback = Box::new(move |outcome: Result<&u32, &crate::Error>| {
                    match outcome {
                        Ok(value) => assert_eq!(*value, 7),
                        // Run late, after the taker moved the value out.
                        Err(error) => assert_eq!(error.kind(), ErrorKind::Retrieved),
                    }
                    ran.fetch_add(1, SeqCst);
                });
                if let Some(callback) = core.register_callback(callback) {
                    run_late_callback(&core, callback);
                }
            })
        };
        assert_eq!(core.take(None).unwrap(), 7);
        worker.join().unwrap();
        callback.join().unwrap();
        assert_eq!(ran.load(SeqCst), 1, "the callback ran exactly once");
    });
}
