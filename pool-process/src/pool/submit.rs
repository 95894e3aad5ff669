//! The one submission path of the map family: [`LinkPool::map`].
//!
//! Every map — the pool's `map`, `map_async`, `map_async_with`,
//! `starmap`, `starmap_async`, `imap`, `imap_unordered`, their
//! `*_chunked` forms, and the executor's `map` — is one call of
//! [`LinkPool::map`] with four choices:
//!
//! | choice | values |
//! |--------|--------|
//! | the runner type `X` | [`Apply`](crate::task::Apply) (`f(x)`) or [`Star`](crate::task::Star) (`f(*x)`) |
//! | the chunk size | `None` (Python's defaults, see [`ChunkSizer`](super::chunks::ChunkSizer)) or `Some(n)` |
//! | the delivery | [`Collect`], [`Later`] or [`Stream`] |
//! | the order | input order, or completion order for a [`Stream`] |
//! | the options | each chunk's time limit and retries ([`TaskOptions`], from [`Callbacks`] for [`Later`]) |
//!
//! The steps are the same for all:
//!
//! 1. The runner type picks the chunk entry, named by one offset
//!    (`task::offset::<Chunk<X, A, R>>()`); past this point nothing is
//!    generic over the task, and nothing is dynamic per item.
//! 2. A [`Feed`] cuts the items into chunks and submits each to the
//!    links, encoding it at once (an item that cannot be serialized is an
//!    error of the call, naming the items).
//! 3. The delivery decides when: [`Collect`] and [`Later`] collect the
//!    input and submit every chunk now (so a closed pool is refused at
//!    the call); [`Stream`] submits as results are consumed.
//! 4. Results come back per chunk: assembled in order on the result
//!    handler once the last chunk is done ([`Collect`] then waits for
//!    them, [`Later`] hands out an [`AsyncResult`]), or handed out one by
//!    one ([`Stream`]).

use std::sync::Arc;

use pool_core::Error;

use super::async_result::AsyncResult;
use super::callbacks::Callbacks;
use super::chunks::{self, ChunkFuture, Feed, Held, Pulled};
use super::imap::{IMap, Order};
use super::links::LinkPool;
use super::options::TaskOptions;
use crate::link::{Limits, StopFlag};
use crate::task::{self, Chunk, Runner, Wire};

/// How a map's results reach the caller.
pub(crate) trait Delivery<'p, I: Iterator, R> {
    /// What the map call returns.
    type Output;

    /// Submits `items` to the chunk entry at `entry`, and returns the
    /// results as this delivery hands them out.
    fn deliver(
        self,
        links: &'p LinkPool,
        entry: u64,
        items: I,
        chunksize: Option<usize>,
    ) -> Self::Output;
}

/// Every result at once, in order, once all are in (`map`, `starmap`):
/// [`Later`] without callbacks, waited for at once. (Assembling on the
/// caller's thread instead, chunk by chunk, measured ~5% slower on P2:
/// each wake-up takes a core from a worker.)
pub(crate) struct Collect;

/// Every result in order, later, as an [`AsyncResult`] whose callbacks
/// run on the result handler (`map_async`, `starmap_async`).
pub(crate) struct Later<R>(pub(crate) Callbacks<Vec<R>>);

/// One result at a time, computed as they are consumed, in the given
/// order (`imap`, `imap_unordered`, the executor's `map`), each chunk
/// bounded by the options.
pub(crate) struct Stream(pub(crate) Order, pub(crate) TaskOptions);

impl LinkPool {
    /// Runs `X` over `items` in chunks of `chunksize` (or the default) and
    /// delivers the results as `delivery` says: the map family's one path
    /// (module docs).
    pub(crate) fn map<'p, X, I, R, D>(
        &'p self,
        items: I,
        chunksize: Option<usize>,
        delivery: D,
    ) -> D::Output
    where
        I: IntoIterator,
        I::Item: Wire,
        R: Wire,
        X: Runner<I::Item, R>,
        D: Delivery<'p, I::IntoIter, R>,
    {
        let entry = task::offset::<Chunk<X, I::Item, R>>();
        delivery.deliver(self, entry, items.into_iter(), chunksize)
    }
}

/// The eager deliveries' first half: takes the whole input (its length
/// sets the default chunk size, as in Python) and submits every chunk.
fn submit_all<A: Wire, R: Wire>(
    links: &LinkPool,
    entry: u64,
    items: impl Iterator<Item = A>,
    chunksize: Option<usize>,
    limits: Limits,
) -> Result<Vec<ChunkFuture<R>>, Error> {
    links.check_open()?;
    chunks::check_chunksize(chunksize)?;
    let mut feed = Feed::new(links, entry, Held::collect(items), chunksize).with_limits(limits);
    let mut futures = Vec::new();
    while let Some(submitted) = feed.submit_next() {
        futures.push(submitted?.0);
    }
    Ok(futures)
}

impl<'p, I, R> Delivery<'p, I, R> for Collect
where
    I: Iterator,
    I::Item: Wire,
    R: Wire + Sync,
{
    type Output = Result<Vec<R>, Error>;

    fn deliver(
        self,
        links: &'p LinkPool,
        entry: u64,
        items: I,
        chunksize: Option<usize>,
    ) -> Self::Output {
        Later(Callbacks::new())
            .deliver(links, entry, items, chunksize)?
            .get()
    }
}

impl<'p, I, R> Delivery<'p, I, R> for Later<R>
where
    I: Iterator,
    I::Item: Wire,
    R: Wire + Sync,
{
    type Output = Result<AsyncResult<Vec<R>>, Error>;

    fn deliver(
        self,
        links: &'p LinkPool,
        entry: u64,
        items: I,
        chunksize: Option<usize>,
    ) -> Self::Output {
        let stop = Arc::new(StopFlag::default());
        let futures = submit_all(links, entry, items, chunksize, self.0.limits(&stop))?;
        Ok(AsyncResult::new(
            links,
            chunks::gather(links, futures),
            self.0,
            stop,
        ))
    }
}

impl<'p, I, R> Delivery<'p, I, R> for Stream
where
    I: Iterator,
    I::Item: Wire,
    R: Wire,
{
    type Output = IMap<'p, I, R>;

    fn deliver(
        self,
        links: &'p LinkPool,
        entry: u64,
        items: I,
        chunksize: Option<usize>,
    ) -> Self::Output {
        let buffer = self.1.buffer();
        let feed = chunks::check_chunksize(chunksize)
            .and_then(|()| check_buffersize(buffer))
            .map(|()| {
                Feed::new(links, entry, Pulled::new(items), chunksize)
                    .with_limits(self.1.limits(None))
            });
        IMap::new(links, feed, self.0, buffer)
    }
}

/// Refuses a buffer of 0 chunks, as Python's `buffersize` refuses it.
fn check_buffersize(buffersize: Option<usize>) -> Result<(), Error> {
    match buffersize {
        Some(0) => Err(Error::from_kind(pool_core::ErrorKind::InvalidConfig)
            .with_detail("buffersize must be 1 or more, got 0")),
        _ => Ok(()),
    }
}
