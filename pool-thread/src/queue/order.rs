//! The orders an [`OrderedQueue`](super::OrderedQueue) can hand items out
//! in: [`Fifo`], [`Lifo`] and [`Priority`].

use std::collections::VecDeque;

use super::heap::Heap;

mod sealed {
    /// Keeps [`Order`](super::Order) implemented only here.
    pub trait Sealed {}
}

/// The order in which a queue hands items out, and the buffer that keeps
/// it. Implemented by [`Fifo`], [`Lifo`] and [`Priority`] only.
///
/// # Examples
///
/// ```
/// use poolrt::thread::{Fifo, OrderedQueue};
///
/// // `Queue<T>` is `OrderedQueue<Fifo<T>>`.
/// let q: OrderedQueue<Fifo<u8>> = poolrt::thread::Queue::new(0).unwrap();
/// q.put(1).unwrap();
/// ```
pub trait Order: sealed::Sealed + Default {
    /// The items the queue holds.
    type Item;

    #[doc(hidden)]
    fn push(&mut self, item: Self::Item);

    #[doc(hidden)]
    fn pop(&mut self) -> Option<Self::Item>;

    #[doc(hidden)]
    fn len(&self) -> usize;

    #[doc(hidden)]
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// First in, first out: the order of [`Queue`](crate::Queue).
///
/// # Examples
///
/// ```
/// let q: poolrt::thread::OrderedQueue<poolrt::thread::Fifo<u8>> = Default::default();
/// q.put(1).unwrap();
/// q.put(2).unwrap();
/// assert_eq!(q.get().unwrap(), 1);
/// ```
#[derive(Debug)]
pub struct Fifo<T>(VecDeque<T>);

/// Last in, first out: the order of [`LifoQueue`](crate::LifoQueue).
///
/// # Examples
///
/// ```
/// let q: poolrt::thread::OrderedQueue<poolrt::thread::Lifo<u8>> = Default::default();
/// q.put(1).unwrap();
/// q.put(2).unwrap();
/// assert_eq!(q.get().unwrap(), 2);
/// ```
#[derive(Debug)]
pub struct Lifo<T>(Vec<T>);

/// Smallest first, arrival order among equals: the order of
/// [`PriorityQueue`](crate::PriorityQueue).
///
/// # Examples
///
/// ```
/// let q: poolrt::thread::OrderedQueue<poolrt::thread::Priority<u8>> = Default::default();
/// q.put(2).unwrap();
/// q.put(1).unwrap();
/// assert_eq!(q.get().unwrap(), 1);
/// ```
pub struct Priority<T>(Heap<T>);

impl<T> Default for Fifo<T> {
    fn default() -> Self {
        Fifo(VecDeque::new())
    }
}

impl<T> Default for Lifo<T> {
    fn default() -> Self {
        Lifo(Vec::new())
    }
}

impl<T: Ord> Default for Priority<T> {
    fn default() -> Self {
        Priority(Heap::new())
    }
}

impl<T> sealed::Sealed for Fifo<T> {}
impl<T> sealed::Sealed for Lifo<T> {}
impl<T: Ord> sealed::Sealed for Priority<T> {}

impl<T> Order for Fifo<T> {
    type Item = T;

    fn push(&mut self, item: T) {
        self.0.push_back(item);
    }

    fn pop(&mut self) -> Option<T> {
        self.0.pop_front()
    }

    fn len(&self) -> usize {
        self.0.len()
    }
}

impl<T> Order for Lifo<T> {
    type Item = T;

    fn push(&mut self, item: T) {
        self.0.push(item);
    }

    fn pop(&mut self) -> Option<T> {
        self.0.pop()
    }

    fn len(&self) -> usize {
        self.0.len()
    }
}

impl<T: Ord> Order for Priority<T> {
    type Item = T;

    fn push(&mut self, item: T) {
        self.0.push(item);
    }

    fn pop(&mut self) -> Option<T> {
        self.0.pop()
    }

    fn len(&self) -> usize {
        self.0.len()
    }
}
