//! The map family of [`Pool`]: `map`, `map_async`, `starmap`, `imap`,
//! `imap_unordered` and their chunked forms, each a thin wrapper of the
//! one path, [`LinkPool::map`](super::links::LinkPool::map) (see
//! `submit.rs`).

use pool_core::Error;

use super::IMap;
use super::Order;
use super::submit::{Collect, Later, Stream};
use super::{AsyncResult, Callbacks, TaskOptions};
use crate::task::{Apply, Star, StarFn, Wire};

use super::{Pool, TaskFn};

impl Pool {
    /// Applies `f` to every item in worker processes and returns the
    /// results in order (Python's `map`). The items are split into chunks
    /// of Python's default size, `ceil(n / (4 × processes))`, at most
    /// 16,384 items (long inputs move faster in many small chunks). With a time
    /// limit or retries per chunk, it is
    /// [`map_async_with`](Pool::map_async_with)`(f, items, Callbacks::new().timeout(..).retries(..)).get()`.
    ///
    /// # Errors
    ///
    /// The first failing item's error (by position), which names the item.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::Pool;
    ///
    /// fn tenth_of(x: u32) -> u32 { 10 / x }
    ///
    /// let pool = Pool::new(2).unwrap();
    /// assert_eq!(pool.map(tenth_of, [1, 2, 5]).unwrap(), [10, 5, 2]);
    /// let err = pool.map(tenth_of, [1, 0, 2]).unwrap_err();
    /// assert!(err.is_panic());
    /// assert!(err.to_string().contains("item 1"), "{err}");
    /// ```
    pub fn map<F, A, R>(&self, f: F, items: impl IntoIterator<Item = A>) -> Result<Vec<R>, Error>
    where
        F: TaskFn<A, R>,
        A: Wire,
        R: Wire + Sync,
    {
        let _ = f;
        self.links.map::<Apply<F>, _, _, _>(items, None, Collect)
    }

    /// [`map`](Pool::map) with chunks of `chunksize` items.
    ///
    /// # Errors
    ///
    /// As [`map`](Pool::map); [`ErrorKind::InvalidConfig`](pool_core::ErrorKind::InvalidConfig) for a
    /// `chunksize` of 0 (every `*_chunked` form refuses it, the lazy ones
    /// as their first item).
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::Pool;
    ///
    /// fn pid(_: u8) -> u32 { std::process::id() }
    ///
    /// let pool = Pool::new(2).unwrap();
    /// assert_eq!(pool.map_chunked(|x: u32| x + 1, 0..5, 2).unwrap(), [1, 2, 3, 4, 5]);
    /// // One chunk of four items: one worker runs them all.
    /// let pids = pool.map_chunked(pid, 0..4, 4).unwrap();
    /// assert!(pids.iter().all(|&p| p == pids[0]));
    /// ```
    pub fn map_chunked<F, A, R>(
        &self,
        f: F,
        items: impl IntoIterator<Item = A>,
        chunksize: usize,
    ) -> Result<Vec<R>, Error>
    where
        F: TaskFn<A, R>,
        A: Wire,
        R: Wire + Sync,
    {
        let _ = f;
        self.links
            .map::<Apply<F>, _, _, _>(items, Some(chunksize), Collect)
    }

    /// Starts a [`map`](Pool::map) and returns at once (Python's
    /// `map_async`).
    ///
    /// # Errors
    ///
    /// The pool is closed, or an item cannot be serialized.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::Pool;
    ///
    /// let pool = Pool::new(2).unwrap();
    /// let pending = pool.map_async(|x: u64| x * x, 0..5).unwrap();
    /// pending.wait();
    /// assert!(pending.ready());
    /// assert_eq!(pending.get().unwrap(), [0, 1, 4, 9, 16]);
    /// ```
    pub fn map_async<F, A, R>(
        &self,
        f: F,
        items: impl IntoIterator<Item = A>,
    ) -> Result<AsyncResult<Vec<R>>, Error>
    where
        F: TaskFn<A, R>,
        A: Wire,
        R: Wire + Sync,
    {
        self.map_async_with(f, items, Callbacks::new())
    }

    /// [`map_async`](Pool::map_async) with callbacks, which receive all
    /// the results (or the first error).
    ///
    /// # Errors
    ///
    /// As [`map_async`](Pool::map_async).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use poolrt::process::{Callbacks, Pool};
    ///
    /// let pool = Pool::new(2).unwrap();
    /// let (tx, rx) = mpsc::channel();
    /// let callbacks = Callbacks::new().on_result(move |all: &Vec<u32>| tx.send(all.iter().sum::<u32>()).unwrap());
    /// let result = pool.map_async_with(|x: u32| x * 2, 1..=4, callbacks).unwrap();
    /// assert_eq!(result.get().unwrap(), [2, 4, 6, 8]);
    /// assert_eq!(rx.recv().unwrap(), 20, "the callback got every result at once");
    /// ```
    pub fn map_async_with<F, A, R>(
        &self,
        f: F,
        items: impl IntoIterator<Item = A>,
        callbacks: Callbacks<Vec<R>>,
    ) -> Result<AsyncResult<Vec<R>>, Error>
    where
        F: TaskFn<A, R>,
        A: Wire,
        R: Wire + Sync,
    {
        let _ = f;
        self.links
            .map::<Apply<F>, _, _, _>(items, None, Later(callbacks))
    }

    /// Like [`map`](Pool::map) for functions of several parameters: each
    /// item is a tuple spread over them (Python's `starmap`).
    ///
    /// # Errors
    ///
    /// As [`map`](Pool::map).
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::Pool;
    ///
    /// fn power(base: u64, exp: u32) -> u64 { base.pow(exp) }
    ///
    /// let pool = Pool::new(2).unwrap();
    /// assert_eq!(pool.starmap(power, [(2, 10), (3, 3)]).unwrap(), [1024, 27]);
    /// ```
    pub fn starmap<F, A, R>(
        &self,
        f: F,
        items: impl IntoIterator<Item = A>,
    ) -> Result<Vec<R>, Error>
    where
        F: StarFn<A, R>,
        A: Wire,
        R: Wire + Sync,
    {
        let _ = f;
        self.links.map::<Star<F>, _, _, _>(items, None, Collect)
    }

    /// [`starmap`](Pool::starmap) with chunks of `chunksize` items.
    ///
    /// # Errors
    ///
    /// As [`map`](Pool::map).
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::Pool;
    ///
    /// fn add(a: i32, b: i32) -> i32 { a + b }
    ///
    /// let pool = Pool::new(2).unwrap();
    /// assert_eq!(pool.starmap_chunked(add, [(1, 2), (3, 4), (5, 6)], 2).unwrap(), [3, 7, 11]);
    /// ```
    pub fn starmap_chunked<F, A, R>(
        &self,
        f: F,
        items: impl IntoIterator<Item = A>,
        chunksize: usize,
    ) -> Result<Vec<R>, Error>
    where
        F: StarFn<A, R>,
        A: Wire,
        R: Wire + Sync,
    {
        let _ = f;
        self.links
            .map::<Star<F>, _, _, _>(items, Some(chunksize), Collect)
    }

    /// Starts a [`starmap`](Pool::starmap) and returns at once (Python's
    /// `starmap_async`).
    ///
    /// # Errors
    ///
    /// As [`map_async`](Pool::map_async).
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::Pool;
    ///
    /// fn power(base: u64, exp: u32) -> u64 { base.pow(exp) }
    ///
    /// let pool = Pool::new(2).unwrap();
    /// let pending = pool.starmap_async(power, [(2, 8), (10, 3)]).unwrap();
    /// assert_eq!(pending.get().unwrap(), [256, 1000]);
    /// ```
    pub fn starmap_async<F, A, R>(
        &self,
        f: F,
        items: impl IntoIterator<Item = A>,
    ) -> Result<AsyncResult<Vec<R>>, Error>
    where
        F: StarFn<A, R>,
        A: Wire,
        R: Wire + Sync,
    {
        self.starmap_async_with(f, items, Callbacks::new())
    }

    /// [`starmap_async`](Pool::starmap_async) with callbacks and options
    /// (a time limit and retries for each chunk), as
    /// [`map_async_with`](Pool::map_async_with).
    ///
    /// # Errors
    ///
    /// As [`map_async`](Pool::map_async).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use poolrt::process::{Callbacks, Pool};
    ///
    /// fn wait_then_add(ms: u64, x: u64) -> u64 { std::thread::sleep(Duration::from_millis(ms)); x + 1 }
    ///
    /// let pool = Pool::new(2).unwrap();
    /// let quick = Callbacks::new().timeout(Duration::from_secs(60));
    /// assert_eq!(pool.starmap_async_with(wait_then_add, [(0, 1), (0, 2)], quick).unwrap().get().unwrap(), [2, 3]);
    /// let limited = Callbacks::new().timeout(Duration::from_millis(100));
    /// let err = pool.starmap_async_with(wait_then_add, [(60_000, 1)], limited).unwrap().get().unwrap_err();
    /// assert!(err.is_task_timed_out(), "{err}");
    /// ```
    pub fn starmap_async_with<F, A, R>(
        &self,
        f: F,
        items: impl IntoIterator<Item = A>,
        callbacks: Callbacks<Vec<R>>,
    ) -> Result<AsyncResult<Vec<R>>, Error>
    where
        F: StarFn<A, R>,
        A: Wire,
        R: Wire + Sync,
    {
        let _ = f;
        self.links
            .map::<Star<F>, _, _, _>(items, None, Later(callbacks))
    }

    /// Results of `f` over the items, in order, computed lazily with a
    /// bounded number of chunks in flight: works on endless iterators
    /// (Python's `imap`). Chunks grow from 1 to 1,024 items when the
    /// input's length is unknown.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::Pool;
    ///
    /// fn square(x: u64) -> u64 { x * x }
    ///
    /// let pool = Pool::new(2).unwrap();
    /// // An endless input: only what is consumed is computed.
    /// let first: Vec<u64> = pool.imap(square, 1..).take(5).map(Result::unwrap).collect();
    /// assert_eq!(first, [1, 4, 9, 16, 25]);
    /// ```
    pub fn imap<F, A, R, I>(&self, f: F, items: I) -> IMap<'_, I::IntoIter, R>
    where
        F: TaskFn<A, R>,
        I: IntoIterator<Item = A>,
        A: Wire,
        R: Wire,
    {
        let _ = f;
        self.links
            .map::<Apply<F>, _, _, _>(items, None, Stream(Order::Input, TaskOptions::new()))
    }

    /// [`imap`](Pool::imap) with chunks of `chunksize` items.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::Pool;
    ///
    /// fn pid(_: u8) -> u32 { std::process::id() }
    ///
    /// let pool = Pool::new(2).unwrap();
    /// let pids: Vec<u32> = pool.imap_chunked(pid, 0..6, 3).map(Result::unwrap).collect();
    /// // Each chunk of three items ran in one worker.
    /// assert!(pids[..3].iter().all(|&p| p == pids[0]));
    /// assert!(pids[3..].iter().all(|&p| p == pids[3]));
    /// ```
    pub fn imap_chunked<F, A, R, I>(
        &self,
        f: F,
        items: I,
        chunksize: usize,
    ) -> IMap<'_, I::IntoIter, R>
    where
        F: TaskFn<A, R>,
        I: IntoIterator<Item = A>,
        A: Wire,
        R: Wire,
    {
        let _ = f;
        self.links.map::<Apply<F>, _, _, _>(
            items,
            Some(chunksize),
            Stream(Order::Input, TaskOptions::new()),
        )
    }

    /// Like [`imap`](Pool::imap), but results come as they complete
    /// (Python's `imap_unordered`).
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::Pool;
    ///
    /// fn double(x: u32) -> u32 { 2 * x }
    ///
    /// let pool = Pool::new(2).unwrap();
    /// let mut all: Vec<u32> = pool.imap_unordered(double, 0..100).map(Result::unwrap).collect();
    /// all.sort();
    /// assert_eq!(all, (0..100).map(double).collect::<Vec<_>>());
    /// ```
    pub fn imap_unordered<F, A, R, I>(&self, f: F, items: I) -> IMap<'_, I::IntoIter, R>
    where
        F: TaskFn<A, R>,
        I: IntoIterator<Item = A>,
        A: Wire,
        R: Wire,
    {
        let _ = f;
        self.links.map::<Apply<F>, _, _, _>(
            items,
            None,
            Stream(Order::Completion, TaskOptions::new()),
        )
    }

    /// [`imap_unordered`](Pool::imap_unordered) with chunks of `chunksize`
    /// items.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::Pool;
    ///
    /// let pool = Pool::new(2).unwrap();
    /// let mut all: Vec<u32> = pool.imap_unordered_chunked(|x: u32| x * 2, 0..10, 4).map(Result::unwrap).collect();
    /// all.sort_unstable();
    /// assert_eq!(all, [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    /// ```
    pub fn imap_unordered_chunked<F, A, R, I>(
        &self,
        f: F,
        items: I,
        chunksize: usize,
    ) -> IMap<'_, I::IntoIter, R>
    where
        F: TaskFn<A, R>,
        I: IntoIterator<Item = A>,
        A: Wire,
        R: Wire,
    {
        let _ = f;
        self.links.map::<Apply<F>, _, _, _>(
            items,
            Some(chunksize),
            Stream(Order::Completion, TaskOptions::new()),
        )
    }

    /// [`imap`](Pool::imap) (or [`imap_chunked`](Pool::imap_chunked))
    /// with options: a time limit and retries for each chunk, and the
    /// chunk size.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use poolrt::process::{Pool, TaskOptions};
    ///
    /// fn spin_on_two(x: u32) -> u32 { if x == 2 { loop { std::hint::spin_loop() } } x }
    ///
    /// let pool = Pool::new(2).unwrap();
    /// let options = TaskOptions::new().timeout(Duration::from_millis(200)).chunksize(2);
    /// let results: Vec<_> = pool.imap_with(spin_on_two, 0..6, options).collect();
    /// // Items 2 and 3 share the chunk that timed out; the others are fine.
    /// assert!(results[2].as_ref().unwrap_err().is_task_timed_out());
    /// assert!(results[3].as_ref().unwrap_err().is_task_timed_out());
    /// assert_eq!(*results[5].as_ref().unwrap(), 5);
    /// ```
    pub fn imap_with<F, A, R, I>(
        &self,
        f: F,
        items: I,
        options: TaskOptions,
    ) -> IMap<'_, I::IntoIter, R>
    where
        F: TaskFn<A, R>,
        I: IntoIterator<Item = A>,
        A: Wire,
        R: Wire,
    {
        let _ = f;
        self.links
            .map::<Apply<F>, _, _, _>(items, options.chunks(), Stream(Order::Input, options))
    }

    /// [`imap_unordered`](Pool::imap_unordered) (or
    /// [`imap_unordered_chunked`](Pool::imap_unordered_chunked)) with
    /// options: a time limit and retries for each chunk, and the chunk
    /// size.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use poolrt::process::{Pool, TaskOptions};
    ///
    /// fn double(x: u32) -> u32 { 2 * x }
    ///
    /// let pool = Pool::new(2).unwrap();
    /// let options = TaskOptions::new().timeout(Duration::from_secs(60)).retries(2).chunksize(4);
    /// let mut all: Vec<u32> = pool.imap_unordered_with(double, 0..10, options).map(Result::unwrap).collect();
    /// all.sort_unstable();
    /// assert_eq!(all, (0..10).map(double).collect::<Vec<_>>());
    /// ```
    pub fn imap_unordered_with<F, A, R, I>(
        &self,
        f: F,
        items: I,
        options: TaskOptions,
    ) -> IMap<'_, I::IntoIter, R>
    where
        F: TaskFn<A, R>,
        I: IntoIterator<Item = A>,
        A: Wire,
        R: Wire,
    {
        let _ = f;
        self.links.map::<Apply<F>, _, _, _>(
            items,
            options.chunks(),
            Stream(Order::Completion, options),
        )
    }
}
