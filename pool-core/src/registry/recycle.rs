//! Freeing small tasks' memory on a submitting thread.
//!
//! A task submitted from outside the pool is allocated on the submitter's
//! thread. When its future was dropped (fire and forget), the worker that
//! ran it holds the last reference and used to free it there: with glibc's
//! allocator every such free lands in the submitter's arena from another
//! thread, and the submitter's next allocation misses its thread cache. A
//! profile of T1 with futures dropped put a third of the time in
//! `malloc`/`free`, half of the submitter's.
//!
//! So a worker holding a finished job's only reference clears it (drops
//! its outcome, reporting an unread failure, exactly as the last drop
//! would: [`Job::clear`]) and keeps the empty cell. Every
//! [`BATCH`] cells it hands the batch to the registry; the next submit
//! from outside the pool takes one batch and frees it on its own thread,
//! where the memory came from and where it is about to be allocated again.
//!
//! Bounded: a worker keeps under [`BATCH`] cells and the registry at most
//! [`BATCHES`] batches, of cells of at most 256 bytes each; beyond that a
//! worker frees its batch itself, as before. Jobs that cannot be cleared
//! (a scoped task's guard, a tracing span, a large closure) are freed at
//! once.

use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering::{Relaxed, Release};

use parking_lot::Mutex;

use crate::job::{Job, JobRef};

/// Cells a worker gathers before handing them over.
pub(super) const BATCH: usize = 64;

/// Batches the registry holds for submitters at most.
const BATCHES: usize = 16;

/// Cleared cells waiting for a submitting thread to free them.
pub(super) struct Recycler<C: 'static> {
    /// Set while `batches` is not empty: a submit that finds it clear
    /// costs one load.
    ready: AtomicBool,
    batches: Mutex<Vec<Vec<JobRef<C>>>>,
}

impl<C: 'static> Recycler<C> {
    pub(super) fn new() -> Recycler<C> {
        Recycler {
            ready: AtomicBool::new(false),
            batches: Mutex::new(Vec::new()),
        }
    }

    /// Offers a finished job, from the worker that ran it. Returns it in
    /// the worker's batch, or drops it now when it cannot be cleared.
    pub(super) fn retire(&self, batch: &mut Vec<JobRef<C>>, mut job: JobRef<C>) {
        let Some(only) = std::sync::Arc::get_mut(&mut job) else {
            return;
        };
        if !Job::clear(only) {
            return;
        }
        batch.push(job);
        if batch.len() >= BATCH {
            let full = std::mem::replace(batch, Vec::with_capacity(BATCH));
            self.hand_over(full);
        }
    }

    fn hand_over(&self, full: Vec<JobRef<C>>) {
        let mut batches = self.batches.lock();
        if batches.len() < BATCHES {
            batches.push(full);
            // Release: not needed for the cells (the lock orders them);
            // keeps the flag's meaning simple to state.
            self.ready.store(true, Release);
            return;
        }
        drop(batches);
        // Nobody submits from outside at the moment: free them here.
        drop(full);
    }

    /// Frees one waiting batch on the calling (submitting) thread.
    pub(super) fn free_one(&self) {
        // Relaxed: a hint; a batch missed now is taken by a later submit.
        if !self.ready.load(Relaxed) {
            return;
        }
        let batch = {
            let mut batches = self.batches.lock();
            let batch = batches.pop();
            if batches.is_empty() {
                self.ready.store(false, Relaxed);
            }
            batch
        };
        drop(batch);
    }
}
