//! `Array`: Python's `multiprocessing.Array`, a fixed number of
//! elements in shared memory under one robust lock.

use std::sync::Arc;

use pool_core::{Error, ErrorKind};

use crate::shared::sync::word::Taken;

use super::{Cells, Element};

/// An array of numbers in shared memory: Python's
/// `multiprocessing.Array`. Its length is fixed at creation.
///
/// Its lock is robust, as [`Value`](super::Value)'s: after a holder died, the next user
/// takes it over; the elements may be torn, [`ArrayGuard::previous_owner_died`]
/// tells.
///
/// # Examples
///
/// ```
/// use pool_process::{Array, Process};
///
/// fn negate(a: Array<i32>) {
///     let g = a.get_lock();
///     for i in 0..g.len() {
///         g.set(i, -g.get(i));
///     }
/// }
///
/// let arr = Array::new(0..10).unwrap();
/// let p = Process::new(negate, (arr.clone(),));
/// p.start().unwrap();
/// p.join().unwrap();
/// assert_eq!(arr.to_vec(), [0, -1, -2, -3, -4, -5, -6, -7, -8, -9]);
/// ```
pub struct Array<T> {
    pub(super) cells: Arc<Cells<T>>,
}

/// Holds an [`Array`]'s lock; reads and writes through it take no lock.
///
/// # Examples
///
/// ```
/// let a = pool_process::Array::new([1u8, 2, 3]).unwrap();
/// let g = a.get_lock();
/// g.set(0, g.get(1) + g.get(2));
/// assert_eq!(g.to_vec(), [5, 2, 3]);
/// ```
#[must_use = "the lock is released when the guard is dropped"]
pub struct ArrayGuard<'a, T: Element> {
    cells: &'a Cells<T>,
    taken: Taken,
}

fn out_of_range(index: usize, len: usize) -> Error {
    Error::from_kind(ErrorKind::IndexOutOfRange)
        .with_detail(format!("index {index} of an Array of {len}"))
}

impl<T: Element> Array<T> {
    /// A shared array holding `values`.
    ///
    /// # Errors
    ///
    /// The shared memory could not be created.
    ///
    /// # Examples
    ///
    /// ```
    /// let a = pool_process::Array::new([11, 22, 33, 44]).unwrap();
    /// assert_eq!(a.len(), 4);
    /// ```
    pub fn new(values: impl IntoIterator<Item = T>) -> Result<Array<T>, Error> {
        let values: Vec<T> = values.into_iter().collect();
        Ok(Array {
            cells: Arc::new(Cells::create(&values, "Array")?),
        })
    }

    /// The number of elements.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(pool_process::Array::<u8>::new([]).unwrap().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.cells.len
    }

    /// Whether the array has no elements.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(pool_process::Array::<f64>::new([]).unwrap().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.cells.len == 0
    }

    /// Element `index` (Python's `a[i]`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::IndexOutOfRange`] for an index out of range (Python's
    /// `IndexError`).
    ///
    /// # Examples
    ///
    /// ```
    /// let a = pool_process::Array::new([1.0, 2.0]).unwrap();
    /// assert_eq!(a.get(1).unwrap(), 2.0);
    /// assert!(a.get(2).is_err());
    /// ```
    pub fn get(&self, index: usize) -> Result<T, Error> {
        self.get_lock().get_checked(index)
    }

    /// Sets element `index` (Python's `a[i] = x`).
    ///
    /// # Errors
    ///
    /// As for [`get`](Array::get).
    ///
    /// # Examples
    ///
    /// ```
    /// let a = pool_process::Array::new([0i16; 3]).unwrap();
    /// a.set(2, 7).unwrap();
    /// assert_eq!(a.to_vec(), [0, 0, 7]);
    /// assert!(a.set(3, 1).is_err());
    /// ```
    pub fn set(&self, index: usize, value: T) -> Result<(), Error> {
        self.get_lock().set_checked(index, value)
    }

    /// A copy of every element (Python's `a[:]`).
    ///
    /// # Examples
    ///
    /// ```
    /// let a = pool_process::Array::new(0u32..3).unwrap();
    /// assert_eq!(a.to_vec(), [0, 1, 2]);
    /// ```
    pub fn to_vec(&self) -> Vec<T> {
        self.get_lock().to_vec()
    }

    /// Holds the array's lock until the guard is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// let a = pool_process::Array::new([1i64, 2]).unwrap();
    /// let g = a.get_lock();
    /// g.set(0, 5);
    /// assert_eq!(g.get(0), 5);
    /// ```
    pub fn get_lock(&self) -> ArrayGuard<'_, T> {
        let taken = self.cells.lock();
        ArrayGuard {
            cells: &self.cells,
            taken,
        }
    }
}

impl<T: Element> ArrayGuard<'_, T> {
    /// Whether the lock was taken over from a process (thread) that died
    /// holding it: the elements may be torn.
    ///
    /// # Examples
    ///
    /// ```
    /// let a = pool_process::Array::new([1u8]).unwrap();
    /// assert!(!a.get_lock().previous_owner_died());
    /// ```
    pub fn previous_owner_died(&self) -> bool {
        self.taken.owner_died()
    }

    /// The number of elements.
    ///
    /// # Examples
    ///
    /// ```
    /// let a = pool_process::Array::new([0u8; 5]).unwrap();
    /// assert_eq!(a.get_lock().len(), 5);
    /// ```
    pub fn len(&self) -> usize {
        self.cells.len
    }

    /// Whether the array has no elements.
    ///
    /// # Examples
    ///
    /// ```
    /// let a = pool_process::Array::new([0u8; 1]).unwrap();
    /// assert!(!a.get_lock().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.cells.len == 0
    }

    /// Element `index`.
    ///
    /// # Panics
    ///
    /// If `index` is out of range, like slice indexing.
    ///
    /// # Examples
    ///
    /// ```
    /// let a = pool_process::Array::new([4u8, 5]).unwrap();
    /// assert_eq!(a.get_lock().get(1), 5);
    /// ```
    pub fn get(&self, index: usize) -> T {
        self.get_checked(index).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Sets element `index`.
    ///
    /// # Panics
    ///
    /// If `index` is out of range, like slice indexing.
    ///
    /// # Examples
    ///
    /// ```
    /// let a = pool_process::Array::new([4u8, 5]).unwrap();
    /// a.get_lock().set(0, 1);
    /// assert_eq!(a.to_vec(), [1, 5]);
    /// ```
    pub fn set(&self, index: usize, value: T) {
        self.set_checked(index, value)
            .unwrap_or_else(|e| panic!("{e}"));
    }

    fn get_checked(&self, index: usize) -> Result<T, Error> {
        if index >= self.cells.len {
            return Err(out_of_range(index, self.cells.len));
        }
        Ok(self.cells.load(index))
    }

    fn set_checked(&self, index: usize, value: T) -> Result<(), Error> {
        if index >= self.cells.len {
            return Err(out_of_range(index, self.cells.len));
        }
        self.cells.store(index, value);
        Ok(())
    }

    /// A copy of every element.
    ///
    /// # Examples
    ///
    /// ```
    /// let a = pool_process::Array::new([1u8, 2]).unwrap();
    /// assert_eq!(a.get_lock().to_vec(), [1, 2]);
    /// ```
    pub fn to_vec(&self) -> Vec<T> {
        (0..self.cells.len).map(|i| self.cells.load(i)).collect()
    }
}

impl<T: Element> Drop for ArrayGuard<'_, T> {
    fn drop(&mut self) {
        self.cells.mutex().unlock();
    }
}
