//! `Heap`: the buffer of a `PriorityQueue`, smallest first, first in first
//! out among equals.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A min-heap whose entries carry a sequence number, so that equal items
/// leave in the order they came.
pub(crate) struct Heap<T> {
    heap: BinaryHeap<Entry<T>>,
    next: u64,
}

impl<T: Ord> Heap<T> {
    pub(crate) fn new() -> Heap<T> {
        Heap {
            heap: BinaryHeap::new(),
            next: 0,
        }
    }
}

struct Entry<T> {
    item: T,
    seq: u64,
}

impl<T: Ord> Ord for Entry<T> {
    /// Reversed, because `BinaryHeap` pops the greatest: the smallest item,
    /// then the smallest sequence number, is the greatest entry.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .item
            .cmp(&self.item)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

impl<T: Ord> PartialOrd for Entry<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T: Ord> PartialEq for Entry<T> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<T: Ord> Eq for Entry<T> {}

impl<T: Ord> Heap<T> {
    pub(crate) fn push(&mut self, item: T) {
        let seq = self.next;
        self.next += 1;
        self.heap.push(Entry { item, seq });
    }

    pub(crate) fn pop(&mut self) -> Option<T> {
        self.heap.pop().map(|entry| entry.item)
    }

    pub(crate) fn len(&self) -> usize {
        self.heap.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_priorities_leave_in_arrival_order() {
        let mut heap = Heap::new();
        for (i, name) in ["a", "b", "c", "d"].into_iter().enumerate() {
            heap.push((i % 2, name));
        }
        let order: Vec<_> = std::iter::from_fn(|| heap.pop()).map(|(_, n)| n).collect();
        assert_eq!(order, ["a", "c", "b", "d"]);
    }
}
