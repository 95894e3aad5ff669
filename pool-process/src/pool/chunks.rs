//! Splitting a map's items into chunks and submitting them ([`Feed`]),
//! and gathering chunk outcomes.

use std::any::Any;
use std::ops::Range;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use parking_lot::Mutex;
use pool_core::{Error, ErrorKind, Promise, TaskFuture, promise};

use crate::link::Limits;
use crate::pool::links::LinkPool;
use crate::task::{Outcomes, Wire};
use crate::wire::codec::{self, Encoded, SharedItems};

/// One chunk's outcome: each item's value or error.
pub(crate) type ChunkFuture<R> = TaskFuture<Outcomes<R, Error>>;

/// Python's default for `map`: `ceil(n / (4 × processes))`.
pub(crate) fn python_chunksize(n: usize, processes: usize) -> usize {
    n.div_ceil(4 * processes).max(1)
}

/// Chooses chunk sizes for a lazily consumed input.
///
/// A fixed `chunksize` is used as given. Otherwise an input of known
/// length gets Python's `map` default, at most `cap` items when the pool
/// sets one (remote workers pipeline smaller chunks better) and at most
/// [`ChunkSizer::MAX_DEFAULT`] otherwise, and an input of unknown length
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

    /// The largest default chunk of an input of known length. Python's
    /// default makes four chunks per process whatever the length: a
    /// million `u64`s are 1 MB chunks, ten million 10 MB ones, and each
    /// such chunk is a fresh allocation faulted in page by page in both
    /// processes (past glibc's mmap threshold), while the parent encodes
    /// the next and decodes the last alone. Capped, a long map is many
    /// small chunks that reuse warm memory and overlap in the pipeline.
    pub(crate) const MAX_DEFAULT: usize = 16_384;

    pub(crate) fn new(
        chunksize: Option<usize>,
        len_hint: (usize, Option<usize>),
        processes: usize,
        cap: Option<usize>,
    ) -> ChunkSizer {
        let fixed = chunksize.or(match len_hint {
            (low, Some(high)) if low == high && low > 0 => {
                Some(python_chunksize(low, processes).min(cap.unwrap_or(Self::MAX_DEFAULT).max(1)))
            }
            _ => None,
        });
        ChunkSizer { fixed, next: 1 }
    }

    /// Whether every chunk has the same size (given, or Python's default
    /// for an input of known length), rather than growing.
    pub(crate) fn is_fixed(&self) -> bool {
        self.fixed.is_some()
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

/// Where a [`Feed`] takes its chunks from.
pub(crate) trait Source {
    type Item;
    /// The next `n` items (fewer at the end of the input, none after it).
    fn take(&mut self, n: usize) -> &[Self::Item];
    /// The items taken last, encoded as a slice of them.
    fn encode_taken(&self) -> Result<Encoded, String>;
    /// The items taken last are submitted: drop them now.
    fn release(&mut self);
    /// How many items are left, as `Iterator::size_hint` says it.
    fn len_hint(&self) -> (usize, Option<usize>);
}

/// Items already collected (the eager maps): each chunk is a slice of
/// them. Bytes and primitive numbers are shared with the chunks' requests
/// ([`SharedItems`]), so a chunk is copied only into the shared region;
/// other items are encoded chunk by chunk.
pub(crate) struct Held<A> {
    items: HeldItems<A>,
    /// The items taken last.
    taken: Range<usize>,
}

enum HeldItems<A> {
    Own(Vec<A>),
    Shared(SharedItems),
}

impl<A: 'static> Held<A> {
    /// Collects the whole input, into huge pages when it is large (a
    /// long map's input is fresh memory, faulted in as it is written).
    pub(crate) fn collect(items: impl Iterator<Item = A>) -> Held<A> {
        let mut all = crate::sys::bulk::with_capacity(items.size_hint().0);
        all.extend(items);
        Held::new(all)
    }

    fn new(items: Vec<A>) -> Held<A> {
        let items = match SharedItems::new(items) {
            Ok(shared) => HeldItems::Shared(shared),
            Err(items) => HeldItems::Own(items),
        };
        Held { items, taken: 0..0 }
    }

    fn all(&self) -> &[A] {
        match &self.items {
            HeldItems::Own(items) => items,
            HeldItems::Shared(shared) => shared.items(),
        }
    }
}

impl<A: Wire> Source for Held<A> {
    type Item = A;

    fn take(&mut self, n: usize) -> &[A] {
        let start = self.taken.end;
        let end = start.saturating_add(n).min(self.all().len());
        self.taken = start..end;
        &self.all()[start..end]
    }

    fn encode_taken(&self) -> Result<Encoded, String> {
        match &self.items {
            HeldItems::Own(items) => codec::encode_slice(&items[self.taken.clone()]),
            HeldItems::Shared(shared) => Ok(shared.encode(self.taken.clone())),
        }
    }

    fn release(&mut self) {}

    fn len_hint(&self) -> (usize, Option<usize>) {
        let left = self.all().len() - self.taken.end;
        (left, Some(left))
    }
}

/// Items pulled from an iterator only as chunks are needed (the lazy
/// maps), through one reused buffer.
///
/// A panic of the iterator ends the input where it happened: it is kept
/// (see [`Feed::input_panic`]) so the map can hand out the results of the
/// items before it first and then resume the panic, as Python's `imap`
/// yields those results and then raises the iterator's exception.
pub(crate) struct Pulled<I: Iterator> {
    items: I,
    buffer: Vec<I::Item>,
    panic: Option<Box<dyn Any + Send>>,
}

impl<I: Iterator> Pulled<I> {
    pub(crate) fn new(items: I) -> Pulled<I> {
        Pulled {
            items,
            buffer: Vec::new(),
            panic: None,
        }
    }
}

impl<I: Iterator> Source for Pulled<I>
where
    I::Item: Wire,
{
    type Item = I::Item;

    fn take(&mut self, n: usize) -> &[I::Item] {
        self.buffer.clear();
        if self.panic.is_none() {
            let (items, buffer) = (&mut self.items, &mut self.buffer);
            // Unwind safety: after a panic the iterator is never used
            // again, and the buffer holds whole items only.
            let pulled = panic::catch_unwind(AssertUnwindSafe(|| {
                buffer.extend(items.by_ref().take(n));
            }));
            self.panic = pulled.err();
        }
        &self.buffer
    }

    fn encode_taken(&self) -> Result<Encoded, String> {
        codec::encode_slice(&self.buffer)
    }

    fn release(&mut self) {
        self.buffer.clear();
    }

    fn len_hint(&self) -> (usize, Option<usize>) {
        self.items.size_hint()
    }
}

/// Submits a map's items chunk by chunk to one chunk entry: the part of
/// the map family every delivery shares.
pub(crate) struct Feed<'p, S> {
    links: &'p LinkPool,
    /// The offset of the task's chunk entry.
    entry: u64,
    source: S,
    sizer: ChunkSizer,
    /// The position of the next chunk's first item.
    next_index: usize,
    ended: bool,
    /// The bounds of every chunk (time limit, stop flag).
    limits: Limits,
}

impl<'p, S: Source> Feed<'p, S>
where
    S::Item: Wire,
{
    /// Chunk sizes follow `chunksize`, or the defaults ([`ChunkSizer`]).
    pub(crate) fn new(
        links: &'p LinkPool,
        entry: u64,
        source: S,
        chunksize: Option<usize>,
    ) -> Feed<'p, S> {
        let sizer = ChunkSizer::new(
            chunksize,
            source.len_hint(),
            links.processes,
            links.config.max_default_chunk,
        );
        Feed {
            links,
            entry,
            source,
            sizer,
            next_index: 0,
            ended: false,
            limits: Limits::default(),
        }
    }

    /// Whether its chunks keep one size ([`ChunkSizer::is_fixed`]).
    pub(crate) fn fixed_chunks(&self) -> bool {
        self.sizer.is_fixed()
    }

    /// Bounds every chunk by `limits` (each chunk is one request).
    pub(crate) fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Submits the next chunk: its future and length, `None` once the
    /// input has ended, or why the chunk was refused.
    pub(crate) fn submit_next<R: Wire>(
        &mut self,
    ) -> Option<Result<(ChunkFuture<R>, usize), Error>> {
        if self.ended {
            return None;
        }
        let size = self.sizer.next_size();
        let len = self.source.take(size).len();
        self.ended = len < size;
        if len == 0 {
            return None;
        }
        let first = self.next_index;
        self.next_index += len;
        let encoded = self.source.encode_taken();
        let submitted =
            self.links
                .chunk::<S::Item, R>(self.entry, encoded, len, first, &self.limits);
        self.source.release();
        Some(submitted.map(|future| (future, len)))
    }

    /// True once the input has run out.
    /// How many input items are still to submit, as `size_hint` says it.
    pub(crate) fn left(&self) -> (usize, Option<usize>) {
        if self.ended {
            (0, Some(0))
        } else {
            self.source.len_hint()
        }
    }

    pub(crate) fn ended(&self) -> bool {
        self.ended
    }
}

impl<I: Iterator> Feed<'_, Pulled<I>> {
    /// The panic that ended the input, if one did (taken once).
    pub(crate) fn input_panic(&mut self) -> Option<Box<dyn Any + Send>> {
        self.source.panic.take()
    }
}

/// Refuses a chunk size of 0, as Python does (`Chunksize must be 1+`).
pub(crate) fn check_chunksize(chunksize: Option<usize>) -> Result<(), Error> {
    match chunksize {
        Some(0) => Err(Error::from_kind(ErrorKind::InvalidConfig)
            .with_detail("chunksize must be 1 or more, got 0")),
        _ => Ok(()),
    }
}

/// Collects chunk outcomes into one future of all values, in order. The
/// assembly runs on the result-handler thread as the chunks end: each
/// chunk done in order is appended at once (and its own vector freed), so
/// the copying overlaps the work of the chunks still running and the
/// memory of a long map is reused. The first failing item (by position)
/// fails the whole result, as in Python's `map`.
pub(crate) fn gather<R: Send + Sync + 'static>(
    links: &LinkPool,
    chunks: Vec<ChunkFuture<R>>,
) -> TaskFuture<Vec<R>> {
    let (promise, combined) = promise::<Vec<R>>();
    if chunks.is_empty() {
        let _ = promise.set_result(Vec::new());
        return combined;
    }
    let remaining = Arc::new(AtomicUsize::new(chunks.len()));
    let assembly = Arc::new(Assembly {
        chunks,
        state: Mutex::new(Assembled {
            next: 0,
            values: Vec::new(),
            first_error: None,
            promise: Some(promise),
        }),
    });
    let sender = links.delivery_sender();
    for chunk in assembly.chunks.iter() {
        let (assembly, remaining, sender) = (assembly.clone(), remaining.clone(), sender.clone());
        chunk.add_done_callback(move |_| {
            // Never here: this callback holds the chunk's value, which
            // `advance` takes.
            let last = remaining.fetch_sub(1, Ordering::AcqRel) == 1;
            let job = {
                let assembly = assembly.clone();
                move || assembly.advance()
            };
            if sender.send(Box::new(job)).is_ok() || !last {
                // Delivered; or no handler any more, and the last chunk's
                // thread below assembles every chunk.
                return;
            }
            let job = {
                let assembly = assembly.clone();
                move || assembly.advance()
            };
            let started = std::thread::Builder::new()
                .name("poolrt-assemble".to_owned())
                .spawn(job);
            if let Err(e) = started {
                assembly.fail(
                    Error::new(ErrorKind::Spawn, e)
                        .with_detail("could not start a thread to assemble the results of a map"),
                );
            }
        });
    }
    combined
}

/// A map's chunks being assembled into one vector, in order.
struct Assembly<R: Send + 'static> {
    chunks: Vec<ChunkFuture<R>>,
    state: Mutex<Assembled<R>>,
}

/// How far the assembly has come (under the lock).
struct Assembled<R: Send + 'static> {
    /// The first chunk not yet appended.
    next: usize,
    values: Vec<R>,
    first_error: Option<Error>,
    promise: Option<Promise<Vec<R>>>,
}

impl<R: Send + Sync + 'static> Assembly<R> {
    /// Fails the map without reading its chunks.
    fn fail(&self, error: Error) {
        if let Some(promise) = self.state.lock().promise.take() {
            promise.set_error(error);
        }
    }

    /// Appends every chunk that is done, in order from the first not yet
    /// appended; once the last is, settles the promise: every chunk's
    /// values, or the first failing item's error, given once every chunk
    /// has been read, so none is left unretrieved.
    fn advance(&self) {
        let mut state = self.state.lock();
        let state = &mut *state;
        while let Some(chunk) = self.chunks.get(state.next)
            && chunk.done()
        {
            state.next += 1;
            let outcome = chunk.result();
            if state.first_error.is_some() {
                continue;
            }
            match outcome {
                Ok(Outcomes::Values(mut chunk_values)) => {
                    if state.values.capacity() == 0 {
                        // Every chunk but the last is as long as the first.
                        state.values =
                            crate::sys::bulk::with_capacity(chunk_values.len() * self.chunks.len());
                    }
                    state.values.append(&mut chunk_values);
                }
                Ok(Outcomes::Mixed(all)) => {
                    for item in all {
                        match item {
                            Ok(value) => state.values.push(value),
                            Err(error) => {
                                state.first_error = Some(error);
                                break;
                            }
                        }
                    }
                }
                Err(error) => state.first_error = Some(error),
            }
        }
        if state.next < self.chunks.len() {
            return;
        }
        if let Some(promise) = state.promise.take() {
            match state.first_error.take() {
                None => {
                    let _ = promise.set_result(std::mem::take(&mut state.values));
                }
                Some(error) => {
                    promise.set_error(error);
                }
            }
        }
    }
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
        let mut sizer = ChunkSizer::new(None, (0, None), 2, None);
        let sizes: Vec<usize> = (0..13).map(|_| sizer.next_size()).collect();
        assert_eq!(
            sizes,
            [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 1024, 1024]
        );
        let mut known = ChunkSizer::new(None, (100, Some(100)), 2, None);
        assert_eq!(known.next_size(), 13);
        let mut long = ChunkSizer::new(None, (1_000_000, Some(1_000_000)), 2, None);
        assert_eq!(
            long.next_size(),
            ChunkSizer::MAX_DEFAULT,
            "capped by default"
        );
        let mut wide = ChunkSizer::new(None, (1_000_000, Some(1_000_000)), 2, Some(50_000));
        assert_eq!(
            wide.next_size(),
            50_000,
            "the pool's cap replaces the default one"
        );
        let mut fixed = ChunkSizer::new(Some(7), (100, Some(100)), 2, None);
        assert_eq!(fixed.next_size(), 7);
        let mut capped = ChunkSizer::new(None, (100, Some(100)), 2, Some(5));
        assert_eq!(capped.next_size(), 5, "the pool's cap bounds the default");
        let mut asked = ChunkSizer::new(Some(50), (100, Some(100)), 2, Some(5));
        assert_eq!(asked.next_size(), 50, "not a size the caller asked for");
    }
}
