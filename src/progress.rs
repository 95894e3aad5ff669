//! Progress bars for long maps, drawn by [indicatif](https://docs.rs/indicatif).
//!
//! One call shows a bar with the items done, the rate and the time left:
//!
//! - on a map's iterator ([`process::Pool::imap`](crate::process::Pool::imap),
//!   [`imap_unordered`](crate::process::Pool::imap_unordered), the `_chunked`
//!   and `_with` forms, [`ProcessPoolExecutor::map`](crate::process::ProcessPoolExecutor::map),
//!   [`ThreadPoolExecutor::map`](crate::thread::ThreadPoolExecutor::map)):
//!   [`.progress()`](ProgressExt::progress), or
//!   [`.progress_with(bar)`](ProgressExt::progress_with) for a bar of your own;
//! - for [`Pool::map`](crate::process::Pool::map), which returns a `Vec`:
//!   [`pool.map_progress(f, items)`](MapProgress::map_progress).
//!
//! The bar advances by one per result handed out, and is finished when
//! the map ends, as its [`ProgressFinish`] says: poolrt's own bar
//! ([`bar`]) is then cleared, so the program's next line is not appended
//! to it. Its length is the map's item count when the input tells
//! it (a `Vec`, a range, anything whose `size_hint` is exact); otherwise
//! it counts without a time left. It draws on standard error, and draws
//! nothing when standard error is not a terminal.
//!
//! Needs the `progress` feature (off by default).
//!
//! # Examples
//!
#![cfg_attr(
    all(feature = "thread", feature = "process", target_os = "linux"),
    doc = "```"
)]
#![cfg_attr(
    not(all(feature = "thread", feature = "process", target_os = "linux")),
    doc = "```ignore"
)]
//! use poolrt::process::Pool;
//! use poolrt::progress::{MapProgress, ProgressDrawTarget, ProgressExt};
//! use poolrt::thread::ThreadPoolExecutor;
//!
//! fn square(x: u64) -> u64 { x * x }
//!
//! let pool = Pool::new(2).unwrap();
//! let squares = pool.map_progress(square, 0..100).unwrap();
//! assert_eq!(squares[9], 81);
//!
//! let mut results = pool.imap_unordered(square, 0..100).progress();
//! assert_eq!(results.bar().length(), Some(100));
//! # results.bar().set_draw_target(ProgressDrawTarget::hidden());
//! let sum: u64 = results.by_ref().map(Result::unwrap).sum();
//! assert_eq!(sum, 328_350);
//! assert_eq!(results.bar().position(), 100);
//!
//! let executor = ThreadPoolExecutor::new(4).unwrap();
//! let lengths: Vec<usize> = executor
//!     .map(|s: &str| s.len(), ["a", "bb", "ccc"])
//!     .progress()
//!     .map(Result::unwrap)
//!     .collect();
//! assert_eq!(lengths, [1, 2, 3]);
//! ```

use std::iter::FusedIterator;

pub use indicatif::{ProgressBar, ProgressDrawTarget, ProgressFinish, ProgressStyle};

/// The bar's template: items done of the total, the rate, the time left.
const TEMPLATE: &str =
    "{msg}[{elapsed_precise}] [{bar:40}] {pos}/{len} items, {per_sec}, {eta} left";

/// The template when the item count is unknown: items done and the rate.
const COUNT_TEMPLATE: &str = "{msg}[{elapsed_precise}] {pos} items, {per_sec}";

/// A bar in poolrt's style for `len` items (a counter without a time left
/// when `len` is `None`), drawn on standard error, cleared when its map
/// ends ([`ProgressFinish::AndClear`]).
///
/// # Examples
///
/// ```
/// let bar = poolrt::progress::bar(Some(1_000));
/// assert_eq!(bar.length(), Some(1_000));
/// assert_eq!(poolrt::progress::bar(None).length(), None);
/// ```
pub fn bar(len: Option<u64>) -> ProgressBar {
    let (bar, template) = match len {
        Some(len) => (ProgressBar::new(len), TEMPLATE),
        None => (ProgressBar::no_length(), COUNT_TEMPLATE),
    };
    let style = ProgressStyle::with_template(template)
        .expect("the template is valid")
        .progress_chars("=> ");
    bar.with_style(style).with_finish(ProgressFinish::AndClear)
}

/// An iterator that advances a progress bar by one per item it hands out,
/// and finishes the bar when it ends (as the bar's [`ProgressFinish`]
/// says). Made by [`ProgressExt`].
#[derive(Debug)]
#[must_use = "iterators are lazy: the map's results come as they are consumed"]
pub struct Progress<I> {
    inner: I,
    bar: ProgressBar,
}

impl<I> Progress<I> {
    /// The bar, to read its position or change its message, style or draw
    /// target.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::progress::{ProgressDrawTarget, ProgressExt};
    ///
    /// let executor = poolrt::thread::ThreadPoolExecutor::new(2).unwrap();
    /// let mut doubled = executor.map(|x: u32| x * 2, 0..10).progress();
    /// doubled.bar().set_draw_target(ProgressDrawTarget::hidden());
    /// assert_eq!(doubled.next().unwrap().unwrap(), 0);
    /// assert_eq!(doubled.bar().position(), 1);
    /// ```
    pub fn bar(&self) -> &ProgressBar {
        &self.bar
    }

    /// The inner iterator, leaving the bar where it is.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::progress::{ProgressDrawTarget, ProgressExt};
    ///
    /// let executor = poolrt::thread::ThreadPoolExecutor::new(2).unwrap();
    /// let bar = poolrt::progress::bar(Some(3));
    /// bar.set_draw_target(ProgressDrawTarget::hidden());
    /// let map = executor.map(|x: u32| x, 0..3).progress_with(bar).into_inner();
    /// assert_eq!(map.count(), 3);
    /// ```
    pub fn into_inner(self) -> I {
        self.inner
    }
}

impl<I: Iterator> Iterator for Progress<I> {
    type Item = I::Item;

    fn next(&mut self) -> Option<I::Item> {
        let next = self.inner.next();
        match next {
            Some(_) => self.bar.inc(1),
            None => {
                if !self.bar.is_finished() {
                    self.bar.finish_using_style();
                }
            }
        }
        next
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<I: FusedIterator> FusedIterator for Progress<I> {}

/// `.progress()` and `.progress_with(bar)` on the iterators of poolrt's
/// maps.
///
/// Only poolrt's map iterators have it, so it does not clash with
/// indicatif's own `ProgressIterator` (for any iterator) unless both are
/// imported in one scope.
pub trait ProgressExt: Iterator + Sized {
    /// Shows a bar in poolrt's [style](bar) as the results come: its
    /// length is the map's item count when the input tells it.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::progress::ProgressExt;
    ///
    /// let executor = poolrt::thread::ThreadPoolExecutor::new(2).unwrap();
    /// let results = executor.map(|x: u32| x + 1, vec![1, 2, 3]).progress();
    /// assert_eq!(results.bar().length(), Some(3));
    /// assert_eq!(results.map(Result::unwrap).sum::<u32>(), 9);
    /// ```
    fn progress(self) -> Progress<Self> {
        let len = match self.size_hint() {
            (low, Some(high)) if low == high => Some(high as u64),
            _ => None,
        };
        self.progress_with(bar(len))
    }

    /// Advances `bar` as the results come, and finishes it at the end as
    /// its [`ProgressFinish`] says (indicatif's default leaves it drawn).
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::progress::{ProgressBar, ProgressDrawTarget, ProgressExt};
    ///
    /// let executor = poolrt::thread::ThreadPoolExecutor::new(2).unwrap();
    /// let bar = ProgressBar::with_draw_target(Some(4), ProgressDrawTarget::hidden());
    /// let n = executor.map(|x: u32| x, 0..4).progress_with(bar.clone()).count();
    /// assert_eq!((n, bar.position()), (4, 4));
    /// assert!(bar.is_finished());
    /// ```
    fn progress_with(self, bar: ProgressBar) -> Progress<Self> {
        Progress { inner: self, bar }
    }
}

#[cfg(feature = "thread")]
impl<I, F, T> ProgressExt for pool_thread::Map<I, F, T>
where
    I: Iterator,
    I::Item: Send + 'static,
    F: Fn(I::Item) -> T + Send + Sync + 'static,
    T: Send + 'static,
{
}

#[cfg(all(feature = "process", target_os = "linux"))]
mod process {
    use pool_core::Error;
    use pool_process::{IMap, Pool, TaskFn, Wire};

    use super::{ProgressBar, ProgressExt, bar};

    impl<I, R> ProgressExt for IMap<'_, I, R>
    where
        I: Iterator,
        I::Item: Wire,
        R: Wire,
    {
    }

    /// [`Pool::map`] with a progress bar: `map_progress` and
    /// `map_progress_with`.
    pub trait MapProgress {
        /// [`Pool::map`], showing a bar in poolrt's [style](bar) of one
        /// step per item. The items are chunked as `map` chunks them
        /// (Python's rule), and the bar advances as each chunk's results
        /// come, in order.
        ///
        /// # Errors
        ///
        /// As [`Pool::map`]: the first item's error, in input order.
        ///
        /// # Examples
        ///
        /// ```
        /// use poolrt::process::Pool;
        /// use poolrt::progress::MapProgress;
        ///
        /// fn square(x: u64) -> u64 { x * x }
        ///
        /// let pool = Pool::new(2).unwrap();
        /// assert_eq!(pool.map_progress(square, 1..=4).unwrap(), [1, 4, 9, 16]);
        /// ```
        fn map_progress<F, A, R>(
            &self,
            f: F,
            items: impl IntoIterator<Item = A>,
        ) -> Result<Vec<R>, Error>
        where
            F: TaskFn<A, R>,
            A: Wire,
            R: Wire;

        /// [`map_progress`](MapProgress::map_progress) advancing `bar`,
        /// whose length is set to the item count.
        ///
        /// # Errors
        ///
        /// As [`Pool::map`].
        ///
        /// # Examples
        ///
        /// ```
        /// use poolrt::process::Pool;
        /// use poolrt::progress::{MapProgress, ProgressBar, ProgressDrawTarget};
        ///
        /// fn square(x: u64) -> u64 { x * x }
        ///
        /// let pool = Pool::new(2).unwrap();
        /// let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        /// assert_eq!(pool.map_progress_with(square, 0..10, bar.clone()).unwrap().len(), 10);
        /// assert_eq!((bar.position(), bar.length()), (10, Some(10)));
        /// ```
        fn map_progress_with<F, A, R>(
            &self,
            f: F,
            items: impl IntoIterator<Item = A>,
            bar: ProgressBar,
        ) -> Result<Vec<R>, Error>
        where
            F: TaskFn<A, R>,
            A: Wire,
            R: Wire;
    }

    impl MapProgress for Pool {
        fn map_progress<F, A, R>(
            &self,
            f: F,
            items: impl IntoIterator<Item = A>,
        ) -> Result<Vec<R>, Error>
        where
            F: TaskFn<A, R>,
            A: Wire,
            R: Wire,
        {
            let items: Vec<A> = items.into_iter().collect();
            let len = items.len() as u64;
            self.map_progress_with(f, items, bar(Some(len)))
        }

        fn map_progress_with<F, A, R>(
            &self,
            f: F,
            items: impl IntoIterator<Item = A>,
            bar: ProgressBar,
        ) -> Result<Vec<R>, Error>
        where
            F: TaskFn<A, R>,
            A: Wire,
            R: Wire,
        {
            let items: Vec<A> = items.into_iter().collect();
            bar.set_length(items.len() as u64);
            let chunksize = python_chunksize(items.len(), self.processes());
            let results = self.imap_chunked(f, items, chunksize).progress_with(bar);
            results.collect()
        }
    }

    /// `Pool.map`'s chunk size in Python: the items split in about four
    /// chunks per worker.
    fn python_chunksize(items: usize, processes: usize) -> usize {
        items.div_ceil(processes.max(1) * 4).max(1)
    }
}

#[cfg(all(feature = "process", target_os = "linux"))]
pub use process::MapProgress;
