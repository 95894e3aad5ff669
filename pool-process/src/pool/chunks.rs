//! Splitting work into chunks, and gathering chunk outcomes.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use parking_lot::Mutex;
use pool_core::{Error, Promise, TaskFuture, promise};

use crate::pool::engine::Engine;
use crate::task::Outcomes;

/// One chunk's outcome: each item's value or error.
pub(crate) type ChunkFuture<R> = TaskFuture<Outcomes<R, Error>>;

/// Python's default for `map`: `ceil(n / (4 × processes))`.
pub(crate) fn python_chunksize(n: usize, processes: usize) -> usize {
    n.div_ceil(4 * processes).max(1)
}

/// Chooses chunk sizes for a lazily consumed input.
///
/// A fixed `chunksize` is used as given. Otherwise an input of known
/// length gets Python's `map` default, and an input of unknown length
/// (perhaps endless) starts with chunks of one item and doubles them up to
/// [`ChunkSizer::MAX_ADAPTIVE`], so short inputs stay responsive and long
/// ones amortise the per-chunk cost (Python's `imap` always uses one).
#[derive(Debug, Clone)]
pub(crate) struct ChunkSizer {
    fixed: Option<usize>,
    next: usize,
}

impl ChunkSizer {
    pub(crate) const MAX_ADAPTIVE: usize = 1024;

    pub(crate) fn new(
        chunksize: Option<usize>,
        len_hint: (usize, Option<usize>),
        processes: usize,
    ) -> ChunkSizer {
        let fixed = chunksize.map(|c| c.max(1)).or(match len_hint {
            (low, Some(high)) if low == high && low > 0 => Some(python_chunksize(low, processes)),
            _ => None,
        });
        ChunkSizer { fixed, next: 1 }
    }

    pub(crate) fn next_size(&mut self) -> usize {
        match self.fixed {
            Some(size) => size,
            None => {
                let size = self.next;
                self.next = (self.next * 2).min(Self::MAX_ADAPTIVE);
                size
            }
        }
    }
}

/// Collects chunk outcomes into one future of all values, in order. The
/// assembly runs on the result-handler thread when the last chunk ends;
/// the first failing item (by position) fails the whole result, as in
/// Python's `map`.
pub(crate) fn gather<R: Send + Sync + 'static>(
    engine: &Engine,
    chunks: Vec<ChunkFuture<R>>,
) -> TaskFuture<Vec<R>> {
    let (promise, combined) = promise::<Vec<R>>();
    if chunks.is_empty() {
        let _ = promise.set_result(Vec::new());
        return combined;
    }
    let chunks = Arc::new(chunks);
    let remaining = Arc::new(AtomicUsize::new(chunks.len()));
    let promise = Arc::new(Mutex::new(Some(promise)));
    let sender = engine.delivery_sender();
    for chunk in chunks.iter() {
        let (chunks, remaining, promise, sender) = (
            chunks.clone(),
            remaining.clone(),
            promise.clone(),
            sender.clone(),
        );
        chunk.add_done_callback(move |_| {
            if remaining.fetch_sub(1, Ordering::AcqRel) != 1 {
                return;
            }
            let assemble = move || {
                if let Some(promise) = promise.lock().take() {
                    assemble(&chunks, promise);
                }
            };
            if let Err(undelivered) = sender.send(Box::new(assemble)) {
                // No handler any more: assemble on a thread of its own,
                // never here (this callback holds the last chunk's value).
                let assemble = undelivered.into_inner();
                std::thread::spawn(assemble);
            }
        });
    }
    combined
}

fn assemble<R: Send + 'static>(chunks: &[ChunkFuture<R>], promise: Promise<Vec<R>>) {
    let mut values = Vec::new();
    for chunk in chunks {
        match chunk.result() {
            Ok(Outcomes::Values(mut chunk_values)) => {
                if values.is_empty() {
                    values.reserve_exact(chunk_values.len() * chunks.len());
                }
                values.append(&mut chunk_values);
            }
            Ok(Outcomes::Mixed(all)) => {
                for item in all {
                    match item {
                        Ok(value) => values.push(value),
                        Err(error) => {
                            promise.set_error(error);
                            return;
                        }
                    }
                }
            }
            Err(error) => {
                promise.set_error(error);
                return;
            }
        }
    }
    let _ = promise.set_result(values);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_default_matches_multiprocessing() {
        // divmod(len, len(pool) * 4), plus one if there is a remainder
        assert_eq!(python_chunksize(1_000_000, 2), 125_000);
        assert_eq!(python_chunksize(10, 4), 1);
        assert_eq!(python_chunksize(17, 2), 3);
        assert_eq!(python_chunksize(0, 2), 1);
    }

    #[test]
    fn sizes_adapt_when_the_length_is_unknown() {
        let mut sizer = ChunkSizer::new(None, (0, None), 2);
        let sizes: Vec<usize> = (0..13).map(|_| sizer.next_size()).collect();
        assert_eq!(
            sizes,
            [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 1024, 1024]
        );
        let mut known = ChunkSizer::new(None, (100, Some(100)), 2);
        assert_eq!(known.next_size(), 13);
        let mut fixed = ChunkSizer::new(Some(7), (100, Some(100)), 2);
        assert_eq!(fixed.next_size(), 7);
        let mut zero = ChunkSizer::new(Some(0), (0, None), 2);
        assert_eq!(zero.next_size(), 1);
    }
}
