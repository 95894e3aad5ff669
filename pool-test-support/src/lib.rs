//! Helpers shared by poolrt's black-box tests, benches and examples, so no
//! crate reaches into another's `tests/` or `benches/` folder.
//!
//! Tests order events, never sleeps: a task blocks on a [`Gate`] until the
//! test opens it, tells the test it started with [`started_signal`], or —
//! in a worker process — meets the test at a [`Rendezvous`]. Every wait is
//! bounded by [`BOUND`], so a bug fails the test instead of hanging it.
//!
//! | module | what it holds |
//! |---|---|
//! | `wait` | [`BOUND`], [`eventually`], [`started_signal`], [`block_on`], [`bounded`] |
//! | `gate` | [`Gate`], a one-shot gate between threads |
//! | `rendezvous` | [`Rendezvous`], [`Held`], [`hold`], [`signal`], [`report_and_hold`]: ordering across processes (Unix) |
//! | `processes` | [`process_state`], [`gone`], [`open_fds`], [`pids_after`]: observing processes (Linux) |
//! | `child` | [`in_child_process`], [`rerun_in_child`], [`is_rerun_child`], [`cap_address_space`], [`output_within`]: one test in a child process, under a resource limit (Linux) |
//! | `cpu` | [`spin`], [`calibrate`], [`cores`], [`load_average`]: a calibrated CPU-bound task for benches and the demo, and how busy the machine is |
//!
//! Helpers that only one crate's tests use stay in that crate's
//! `tests/support/`. This crate is `publish = false` and is only ever a
//! dev-dependency.
//!
//! # Examples
//!
//! ```
//! use pool_test_support::{BOUND, Gate, started_signal};
//!
//! let gate = Gate::new();
//! let (started, wait_started) = started_signal();
//! let task_gate = gate.clone();
//! let task = std::thread::spawn(move || {
//!     started.send(()).unwrap();
//!     task_gate.wait();
//! });
//! wait_started(); // the task is running
//! gate.open(); // and may finish
//! task.join().unwrap();
//! assert!(BOUND.as_secs() > 0);
//! ```
#![forbid(unsafe_code)]

#[cfg(target_os = "linux")]
mod child;
mod cpu;
mod gate;
#[cfg(target_os = "linux")]
mod processes;
#[cfg(unix)]
mod rendezvous;
mod wait;

#[cfg(target_os = "linux")]
pub use child::{
    cap_address_space, in_child_process, is_rerun_child, output_within, rerun_in_child,
};
pub use cpu::{calibrate, cores, load_average, spin};
pub use gate::Gate;
#[cfg(target_os = "linux")]
pub use processes::{assert_idle, gone, open_fds, pids_after, process_state, stat_of};
#[cfg(unix)]
pub use rendezvous::{Held, Rendezvous, hold, report_and_hold, signal};
pub use wait::{BOUND, block_on, bounded, eventually, started_signal};
