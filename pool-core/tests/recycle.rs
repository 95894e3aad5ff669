//! Fire-and-forget tasks (futures dropped): their memory goes back to a
//! submitting thread to be freed (`registry/recycle.rs`), but what they
//! hold (the closure, the result) is still dropped when the task ends, on
//! the worker, with no later submit needed.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread::{self, ThreadId};

use support::{BOUND, Gate, scheduler, stop};

/// Tells a channel which thread dropped it.
struct DropSignal(mpsc::Sender<ThreadId>);

impl Drop for DropSignal {
    fn drop(&mut self) {
        let _ = self.0.send(thread::current().id());
    }
}

#[test]
fn a_dropped_futures_result_is_dropped_on_the_worker_when_the_task_ends() {
    let scheduler = scheduler(1);
    let gate = Gate::new();
    let (ran_on, worker) = mpsc::channel();
    let (dropped_on, dropped) = mpsc::channel();
    let opened = gate.clone();
    let future = scheduler
        .submit(move || {
            ran_on.send(thread::current().id()).unwrap();
            opened.wait();
            DropSignal(dropped_on)
        })
        .unwrap();
    drop(future);
    let worker = worker.recv_timeout(BOUND).unwrap();
    gate.open();
    // No other submit follows: the result must not wait for one.
    assert_eq!(dropped.recv_timeout(BOUND).unwrap(), worker);
    stop(&scheduler);
}

/// Counts drops and says when the `n`th happened.
struct Counted {
    drops: Arc<AtomicUsize>,
    n: usize,
    all: mpsc::Sender<()>,
}

impl Drop for Counted {
    fn drop(&mut self) {
        if self.drops.fetch_add(1, Ordering::SeqCst) + 1 == self.n {
            let _ = self.all.send(());
        }
    }
}

#[test]
fn many_fire_and_forget_tasks_drop_every_result_without_a_later_submit() {
    // More tasks than the recycler ever holds (16 batches of 64 cells).
    const N: usize = 20_000;
    let scheduler = scheduler(2);
    let drops = Arc::new(AtomicUsize::new(0));
    let (all, done) = mpsc::channel();
    for _ in 0..N {
        let (drops, all) = (drops.clone(), all.clone());
        drop(
            scheduler
                .submit(move || Counted { drops, n: N, all })
                .unwrap(),
        );
    }
    drop(all);
    done.recv_timeout(BOUND).expect("every result was dropped");
    assert_eq!(drops.load(Ordering::SeqCst), N);
    assert_eq!(scheduler.metrics().completed, N as u64);
    stop(&scheduler);
}

#[test]
fn kept_futures_read_their_values_between_recycled_tasks() {
    let scheduler = scheduler(2);
    let mut kept = Vec::new();
    for i in 0..5_000u64 {
        if i % 3 == 0 {
            kept.push((i, scheduler.submit(move || i * 2).unwrap()));
        } else {
            drop(scheduler.submit(move || vec![i; 4]).unwrap());
        }
    }
    for (i, future) in kept {
        assert_eq!(future.result_timeout(BOUND).unwrap(), i * 2);
    }
    stop(&scheduler);
}
