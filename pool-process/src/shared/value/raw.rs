//! `RawValue` and `RawArray`: Python's `multiprocessing.RawValue` and
//! `RawArray` (`sharedctypes`), shared plain data with no lock.

use std::fmt;
use std::ops::RangeBounds;
use std::sync::Arc;

use pool_core::Error;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Cells, Element, SegmentIn, SegmentOut};

/// A number or plain-data struct ([`Element`]) in shared memory, with no
/// lock: Python's `multiprocessing.RawValue`. Cheaper than a
/// [`Value`](crate::Value), and racy as Python's is: see
/// [`RawArray`] for what a reader may see while another process writes.
///
/// # Examples
///
/// ```
/// use poolrt::process::{Process, RawValue};
///
/// fn answer(v: RawValue<u64>) {
///     v.set(42);
/// }
///
/// let v = RawValue::new(0u64).unwrap();
/// let p = Process::new(answer, (v.clone(),));
/// p.start().unwrap();
/// p.join().unwrap();
/// assert_eq!(v.get(), 42);
/// ```
pub struct RawValue<T> {
    cells: Arc<Cells<T>>,
}

impl<T: Element> RawValue<T> {
    /// A shared value, initially `value`.
    ///
    /// # Errors
    ///
    /// The shared memory could not be created.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(poolrt::process::RawValue::new(-3i8).unwrap().get(), -3);
    /// ```
    pub fn new(value: T) -> Result<RawValue<T>, Error> {
        Ok(RawValue {
            cells: Arc::new(Cells::create(&[value], "RawValue")?),
        })
    }

    /// The value (Python's `v.value`).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(poolrt::process::RawValue::new(2.5f64).unwrap().get(), 2.5);
    /// ```
    pub fn get(&self) -> T {
        self.cells.load(0)
    }

    /// Sets the value (Python's `v.value = x`). Not atomic with a
    /// [`get`](RawValue::get) before it: `v.set(v.get() + 1)` in two
    /// processes at once may lose an increment, as in Python.
    ///
    /// # Examples
    ///
    /// ```
    /// let v = poolrt::process::RawValue::new(0u32).unwrap();
    /// v.set(7);
    /// assert_eq!(v.get(), 7);
    /// ```
    pub fn set(&self, value: T) {
        self.cells.store(0, value);
    }
}

/// An array of numbers or plain-data structs ([`Element`]) in shared
/// memory, with no lock: Python's `multiprocessing.RawArray`. Its length
/// is fixed at creation.
///
/// Without a lock, the processes (and threads) sharing it must keep out
/// of each other's way themselves, for example each writing its own
/// elements, or with a [`Lock`](crate::Lock), a [`Barrier`](crate::Barrier)
/// or a [`Queue`](crate::Queue) saying when. Races are not undefined
/// behaviour, only stale or mixed values: every access copies the
/// elements through the memory's aligned 8-byte words, each read or
/// written atomically. So an element of at most 8 bytes that does not
/// straddle two words (any number type) is always read whole, while a
/// larger element (a struct), or a slice, read while another process
/// writes it may mix old and new words, as Python's `RawArray` may.
///
/// # Examples
///
/// ```
/// use poolrt::process::{Process, RawArray};
///
/// // Each child writes only its own half: no lock is needed.
/// fn fill(a: RawArray<u32>, half: usize) {
///     let values = vec![half as u32 + 1; 4];
///     a.set_slice(half * 4..half * 4 + 4, &values).unwrap();
/// }
///
/// let a = RawArray::<u32>::zeroed(8).unwrap();
/// let children: Vec<_> = (0..2)
///     .map(|half| {
///         let p = Process::new(fill, (a.clone(), half));
///         p.start().unwrap();
///         p
///     })
///     .collect();
/// for p in children {
///     p.join().unwrap();
/// }
/// assert_eq!(a.to_vec(), [1, 1, 1, 1, 2, 2, 2, 2]);
/// ```
pub struct RawArray<T> {
    cells: Arc<Cells<T>>,
}

impl<T: Element> RawArray<T> {
    /// A shared array holding `values`.
    ///
    /// # Errors
    ///
    /// The shared memory could not be created.
    ///
    /// # Examples
    ///
    /// ```
    /// let a = poolrt::process::RawArray::new([1u8, 2, 3]).unwrap();
    /// assert_eq!(a.len(), 3);
    /// ```
    pub fn new(values: impl IntoIterator<Item = T>) -> Result<RawArray<T>, Error> {
        let values: Vec<T> = values.into_iter().collect();
        Ok(RawArray {
            cells: Arc::new(Cells::create(&values, "RawArray")?),
        })
    }

    /// A shared array of `len` zeroed elements: Python's
    /// `RawArray(typecode, len)`.
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
    /// let a = poolrt::process::RawArray::<i32>::zeroed(2).unwrap();
    /// assert_eq!(a.to_vec(), [0, 0]);
    /// ```
    pub fn zeroed(len: usize) -> Result<RawArray<T>, Error> {
        Ok(RawArray {
            cells: Arc::new(Cells::zeroed(len, "RawArray")?),
        })
    }

    /// The number of elements.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(poolrt::process::RawArray::<u8>::zeroed(5).unwrap().len(), 5);
    /// ```
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Whether the array has no elements.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(poolrt::process::RawArray::<u8>::zeroed(0).unwrap().is_empty());
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
    /// let a = poolrt::process::RawArray::new([1.5f32]).unwrap();
    /// assert_eq!(a.get(0).unwrap(), 1.5);
    /// assert!(a.get(1).unwrap_err().is_index_out_of_range());
    /// ```
    pub fn get(&self, index: usize) -> Result<T, Error> {
        let index = self.cells.checked_index(index, "RawArray")?;
        Ok(self.cells.load(index))
    }

    /// Sets element `index` (Python's `a[i] = x`).
    ///
    /// # Errors
    ///
    /// As for [`get`](RawArray::get).
    ///
    /// # Examples
    ///
    /// ```
    /// let a = poolrt::process::RawArray::<u16>::zeroed(2).unwrap();
    /// a.set(1, 9).unwrap();
    /// assert_eq!(a.to_vec(), [0, 9]);
    /// ```
    pub fn set(&self, index: usize, value: T) -> Result<(), Error> {
        let index = self.cells.checked_index(index, "RawArray")?;
        self.cells.store(index, value);
        Ok(())
    }

    /// A copy of the elements of `range` (Python's `a[start:stop]`).
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
    /// let a = poolrt::process::RawArray::new(0i32..5).unwrap();
    /// assert_eq!(a.get_slice(1..=2).unwrap(), [1, 2]);
    /// ```
    pub fn get_slice(&self, range: impl RangeBounds<usize>) -> Result<Vec<T>, Error> {
        let range = self.cells.checked_range(range, None, "RawArray")?;
        Ok(self.cells.load_slice(range))
    }

    /// Sets the elements of `range` to `values` (Python's
    /// `a[start:stop] = values`).
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
    /// let a = poolrt::process::RawArray::<u8>::zeroed(3).unwrap();
    /// a.set_slice(1.., &[4, 5]).unwrap();
    /// assert_eq!(a.to_vec(), [0, 4, 5]);
    /// ```
    pub fn set_slice(&self, range: impl RangeBounds<usize>, values: &[T]) -> Result<(), Error> {
        let range = self
            .cells
            .checked_range(range, Some(values.len()), "RawArray")?;
        self.cells.store_slice(range.start, values);
        Ok(())
    }

    /// A copy of every element (Python's `a[:]`).
    ///
    /// # Examples
    ///
    /// ```
    /// let a = poolrt::process::RawArray::new([3u64, 4]).unwrap();
    /// assert_eq!(a.to_vec(), [3, 4]);
    /// ```
    pub fn to_vec(&self) -> Vec<T> {
        self.cells.load_slice(0..self.cells.len())
    }
}

macro_rules! raw_handle {
    ($ty:ident, $what:literal) => {
        impl<T> Clone for $ty<T> {
            fn clone(&self) -> $ty<T> {
                $ty {
                    cells: self.cells.clone(),
                }
            }
        }

        impl<T> Serialize for $ty<T> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                SegmentOut(self.cells.segment(), $what).serialize(s)
            }
        }

        impl<'de, T: Element> Deserialize<'de> for $ty<T> {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<$ty<T>, D::Error> {
                let SegmentIn(segment) = SegmentIn::deserialize(d)?;
                let cells = Cells::adopt(segment).map_err(serde::de::Error::custom)?;
                Ok($ty {
                    cells: Arc::new(cells),
                })
            }
        }
    };
}

raw_handle!(RawValue, "RawValue");
raw_handle!(RawArray, "RawArray");

impl<T: Element + fmt::Debug> fmt::Debug for RawValue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RawValue").field(&self.get()).finish()
    }
}

impl<T: Element + fmt::Debug> fmt::Debug for RawArray<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RawArray").field(&self.to_vec()).finish()
    }
}
