//! `Array`: Python's `multiprocessing.Array`, a fixed number of
//! elements in shared memory under one lock.

use std::fmt;
use std::ops::RangeBounds;
use std::sync::Arc;

use pool_core::Error;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Cells, Element, Locking, RawArray, SegmentIn, SegmentOut};
use crate::shared::sync::SharedLock;
use crate::shared::sync::word::Taken;

/// An array of numbers, or of `#[repr(C)]` plain-data structs
/// ([`Element`]), in shared memory: Python's `multiprocessing.Array`. Its
/// length is fixed at creation.
///
/// Guarded by its own robust lock, by a process [`Lock`](crate::Lock) or
/// [`RLock`](crate::RLock) it is given ([`with_lock`](Array::with_lock)),
/// or by none ([`without_lock`](Array::without_lock), a [`RawArray`]), as
/// Python's `lock=` argument. After a holder of its own lock died, the
/// next user takes it over; the elements may be torn,
/// [`ArrayGuard::previous_owner_died`] tells.
///
/// Each call on the array takes the lock once; for several steps under
/// one holding, use [`get_lock`](Array::get_lock).
///
/// # Examples
///
/// ```
/// use poolrt::process::{Array, Process};
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
    cells: Arc<Cells<T>>,
    locking: Locking,
}

/// Holds an [`Array`]'s lock; reads and writes through it take no lock.
///
/// # Examples
///
/// ```
/// let a = poolrt::process::Array::new([1u8, 2, 3]).unwrap();
/// let g = a.get_lock();
/// g.set(0, g.get(1) + g.get(2));
/// assert_eq!(g.to_vec(), [5, 2, 3]);
/// ```
#[must_use = "the lock is released when the guard is dropped"]
pub struct ArrayGuard<'a, T: Element> {
    cells: &'a Cells<T>,
    locking: &'a Locking,
    taken: Taken,
}

impl<T: Element> Array<T> {
    /// A shared array holding `values`, with its own lock.
    ///
    /// # Errors
    ///
    /// The shared memory could not be created.
    ///
    /// # Examples
    ///
    /// ```
    /// let a = poolrt::process::Array::new([11, 22, 33, 44]).unwrap();
    /// assert_eq!(a.len(), 4);
    /// ```
    pub fn new(values: impl IntoIterator<Item = T>) -> Result<Array<T>, Error> {
        let values: Vec<T> = values.into_iter().collect();
        Ok(Array {
            cells: Arc::new(Cells::create(&values, "Array")?),
            locking: Locking::Own,
        })
    }

    /// A shared array of `len` zeroed elements, with its own lock:
    /// Python's `Array(typecode, len)`.
    ///
    /// # Errors
    ///
    /// The shared memory could not be created;
    /// [`ErrorKind::InvalidConfig`](pool_core::ErrorKind::InvalidConfig) if
    /// `len` elements overflow the address space.
    ///
    /// # Examples
    ///
    /// ```
    /// let a = poolrt::process::Array::<f64>::zeroed(3).unwrap();
    /// assert_eq!(a.to_vec(), [0.0; 3]);
    /// ```
    pub fn zeroed(len: usize) -> Result<Array<T>, Error> {
        Ok(Array {
            cells: Arc::new(Cells::zeroed(len, "Array")?),
            locking: Locking::Own,
        })
    }

    /// A shared array holding `values`, guarded by `lock`, a process
    /// [`Lock`](crate::Lock) or [`RLock`](crate::RLock) that may guard
    /// other objects too: Python's `Array(typecode, values, lock=lock)`.
    /// (Combine with [`zeroed`](Array::zeroed)'s length by passing
    /// `vec![zero; len]`.)
    ///
    /// # Errors
    ///
    /// The shared memory could not be created.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::{Array, RLock};
    ///
    /// let lock = RLock::new().unwrap();
    /// let a = Array::with_lock([1u8, 2], lock.clone()).unwrap();
    /// let g = a.get_lock();
    /// assert!(lock.locked());
    /// drop(g);
    /// assert!(!lock.locked());
    /// ```
    pub fn with_lock(
        values: impl IntoIterator<Item = T>,
        lock: impl SharedLock,
    ) -> Result<Array<T>, Error> {
        let values: Vec<T> = values.into_iter().collect();
        Ok(Array {
            cells: Arc::new(Cells::create(&values, "Array")?),
            locking: Locking::given(lock),
        })
    }

    /// A shared array with no lock: Python's `Array(typecode, values,
    /// lock=False)`, which returns the raw array, as this returns a
    /// [`RawArray`].
    ///
    /// # Errors
    ///
    /// The shared memory could not be created.
    ///
    /// # Examples
    ///
    /// ```
    /// let raw = poolrt::process::Array::without_lock([1i32, 2]).unwrap();
    /// assert_eq!(raw.to_vec(), [1, 2]);
    /// ```
    pub fn without_lock(values: impl IntoIterator<Item = T>) -> Result<RawArray<T>, Error> {
        RawArray::new(values)
    }

    /// The number of elements.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(poolrt::process::Array::<u8>::new([]).unwrap().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Whether the array has no elements.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(poolrt::process::Array::<f64>::new([]).unwrap().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.cells.len() == 0
    }

    /// Element `index` (Python's `a[i]`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::IndexOutOfRange`](pool_core::ErrorKind::IndexOutOfRange)
    /// for an index out of range (Python's `IndexError`).
    ///
    /// # Examples
    ///
    /// ```
    /// let a = poolrt::process::Array::new([1.0, 2.0]).unwrap();
    /// assert_eq!(a.get(1).unwrap(), 2.0);
    /// assert!(a.get(2).unwrap_err().is_index_out_of_range());
    /// ```
    pub fn get(&self, index: usize) -> Result<T, Error> {
        let index = self.cells.checked_index(index, "Array")?;
        Ok(self.locking.locked(&self.cells, || self.cells.load(index)))
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
    /// let a = poolrt::process::Array::new([0i16; 3]).unwrap();
    /// a.set(2, 7).unwrap();
    /// assert_eq!(a.to_vec(), [0, 0, 7]);
    /// assert!(a.set(3, 1).is_err());
    /// ```
    pub fn set(&self, index: usize, value: T) -> Result<(), Error> {
        let index = self.cells.checked_index(index, "Array")?;
        self.locking
            .locked(&self.cells, || self.cells.store(index, value));
        Ok(())
    }

    /// A copy of the elements of `range`, under one holding of the lock
    /// (Python's `a[start:stop]`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::IndexOutOfRange`](pool_core::ErrorKind::IndexOutOfRange)
    /// if `range` does not lie inside the array (Python clamps it
    /// instead).
    ///
    /// # Examples
    ///
    /// ```
    /// let a = poolrt::process::Array::new(0u32..6).unwrap();
    /// assert_eq!(a.get_slice(2..4).unwrap(), [2, 3]);
    /// assert_eq!(a.get_slice(4..).unwrap(), [4, 5]);
    /// assert!(a.get_slice(4..7).unwrap_err().is_index_out_of_range());
    /// ```
    pub fn get_slice(&self, range: impl RangeBounds<usize>) -> Result<Vec<T>, Error> {
        let range = self.cells.checked_range(range, None, "Array")?;
        Ok(self
            .locking
            .locked(&self.cells, || self.cells.load_slice(range)))
    }

    /// Sets the elements of `range` to `values`, under one holding of the
    /// lock (Python's `a[start:stop] = values`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::IndexOutOfRange`](pool_core::ErrorKind::IndexOutOfRange)
    /// if `range` does not lie inside the array, or `values` is not as
    /// long as `range` (Python's `ValueError`); nothing is written then.
    ///
    /// # Examples
    ///
    /// ```
    /// let a = poolrt::process::Array::<i64>::zeroed(4).unwrap();
    /// a.set_slice(1..3, &[7, 8]).unwrap();
    /// assert_eq!(a.to_vec(), [0, 7, 8, 0]);
    /// assert!(a.set_slice(0..3, &[1, 2]).is_err(), "2 values for 3 elements");
    /// ```
    pub fn set_slice(&self, range: impl RangeBounds<usize>, values: &[T]) -> Result<(), Error> {
        let range = self
            .cells
            .checked_range(range, Some(values.len()), "Array")?;
        self.locking
            .locked(&self.cells, || self.cells.store_slice(range.start, values));
        Ok(())
    }

    /// A copy of every element (Python's `a[:]`).
    ///
    /// # Examples
    ///
    /// ```
    /// let a = poolrt::process::Array::new(0u32..3).unwrap();
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
    /// let a = poolrt::process::Array::new([1i64, 2]).unwrap();
    /// let g = a.get_lock();
    /// g.set(0, 5);
    /// assert_eq!(g.get(0), 5);
    /// ```
    pub fn get_lock(&self) -> ArrayGuard<'_, T> {
        let taken = self.locking.acquire(&self.cells);
        ArrayGuard {
            cells: &self.cells,
            locking: &self.locking,
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
    /// let a = poolrt::process::Array::new([1u8]).unwrap();
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
    /// let a = poolrt::process::Array::new([0u8; 5]).unwrap();
    /// assert_eq!(a.get_lock().len(), 5);
    /// ```
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Whether the array has no elements.
    ///
    /// # Examples
    ///
    /// ```
    /// let a = poolrt::process::Array::new([0u8; 1]).unwrap();
    /// assert!(!a.get_lock().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.cells.len() == 0
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
    /// let a = poolrt::process::Array::new([4u8, 5]).unwrap();
    /// assert_eq!(a.get_lock().get(1), 5);
    /// ```
    pub fn get(&self, index: usize) -> T {
        let index = self.checked(self.cells.checked_index(index, "Array"));
        self.cells.load(index)
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
    /// let a = poolrt::process::Array::new([4u8, 5]).unwrap();
    /// a.get_lock().set(0, 1);
    /// assert_eq!(a.to_vec(), [1, 5]);
    /// ```
    pub fn set(&self, index: usize, value: T) {
        let index = self.checked(self.cells.checked_index(index, "Array"));
        self.cells.store(index, value);
    }

    fn checked(&self, index: Result<usize, Error>) -> usize {
        index.unwrap_or_else(|e| panic!("{e}"))
    }

    /// A copy of the elements of `range`.
    ///
    /// # Errors
    ///
    /// As for [`Array::get_slice`].
    ///
    /// # Examples
    ///
    /// ```
    /// let a = poolrt::process::Array::new([1u8, 2, 3]).unwrap();
    /// assert_eq!(a.get_lock().get_slice(..2).unwrap(), [1, 2]);
    /// ```
    pub fn get_slice(&self, range: impl RangeBounds<usize>) -> Result<Vec<T>, Error> {
        let range = self.cells.checked_range(range, None, "Array")?;
        Ok(self.cells.load_slice(range))
    }

    /// Sets the elements of `range` to `values`.
    ///
    /// # Errors
    ///
    /// As for [`Array::set_slice`].
    ///
    /// # Examples
    ///
    /// ```
    /// let a = poolrt::process::Array::new([1u8, 2, 3]).unwrap();
    /// let g = a.get_lock();
    /// let doubled: Vec<u8> = g.to_vec().iter().map(|x| x * 2).collect();
    /// g.set_slice(.., &doubled).unwrap();
    /// assert_eq!(g.to_vec(), [2, 4, 6]);
    /// ```
    pub fn set_slice(&self, range: impl RangeBounds<usize>, values: &[T]) -> Result<(), Error> {
        let range = self
            .cells
            .checked_range(range, Some(values.len()), "Array")?;
        self.cells.store_slice(range.start, values);
        Ok(())
    }

    /// A copy of every element.
    ///
    /// # Examples
    ///
    /// ```
    /// let a = poolrt::process::Array::new([1u8, 2]).unwrap();
    /// assert_eq!(a.get_lock().to_vec(), [1, 2]);
    /// ```
    pub fn to_vec(&self) -> Vec<T> {
        self.cells.load_slice(0..self.cells.len())
    }
}

impl<T: Element> Drop for ArrayGuard<'_, T> {
    fn drop(&mut self) {
        self.locking.release(self.cells);
    }
}

impl<T> Clone for Array<T> {
    fn clone(&self) -> Array<T> {
        Array {
            cells: self.cells.clone(),
            locking: self.locking.clone(),
        }
    }
}

impl<T: Element + fmt::Debug> fmt::Debug for Array<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Array").field(&self.to_vec()).finish()
    }
}

impl<T> Serialize for Array<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (SegmentOut(self.cells.segment(), "Array"), &self.locking).serialize(s)
    }
}

impl<'de, T: Element> Deserialize<'de> for Array<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Array<T>, D::Error> {
        let (SegmentIn(segment), locking) = <(SegmentIn, Locking)>::deserialize(d)?;
        let cells = Cells::adopt(segment).map_err(serde::de::Error::custom)?;
        Ok(Array {
            cells: Arc::new(cells),
            locking,
        })
    }
}
