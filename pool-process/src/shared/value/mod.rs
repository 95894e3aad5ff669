//! `Value` and `Array`: Python's `multiprocessing.Value` and `Array`,
//! numbers in shared memory, each object guarded by its own lock.
//!
//! Layout: a [`CellsHeader`] (the mutex word, the element count, the
//! element size, checked when a child maps it, the mutex's owner stamp),
//! then the elements from byte 64.
//!
//! The lock is robust (`shared/sync/README.md`): a process that dies
//! holding it does not block the others; the next one takes it over. The
//! elements are plain numbers, each valid whatever its bytes, so the
//! object stays usable, but what the dead holder was writing may be torn
//! (a half-written element, or a multi-element update half done); its
//! guard says so with `previous_owner_died()`.

use std::fmt;
use std::marker::PhantomData;
use std::mem::offset_of;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicU32, AtomicU64};

use pool_core::Error;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{create_error, deserialize_segment, serialize_fd};
use crate::shared::sync::word::{RawMutex, Taken};
use crate::sys::segment::{Segment, shared_layout};

shared_layout! {
    /// The words before a `Value`'s or `Array`'s elements.
    struct CellsHeader {
        /// The [`RawMutex`] word guarding the elements.
        lock: AtomicU32,
        /// The number of elements.
        len: AtomicU64,
        /// Bytes per element.
        size: AtomicU64,
        /// The [`RawMutex`]'s companion: the holder's stamp.
        owner: AtomicU64,
    }
}

/// Where the elements start.
const DATA: usize = 64;

const _: () = assert!(offset_of!(CellsHeader, lock) == 0);
const _: () = assert!(offset_of!(CellsHeader, len) == 8);
const _: () = assert!(offset_of!(CellsHeader, size) == 16);
const _: () = assert!(offset_of!(CellsHeader, owner) == 24);
const _: () = assert!(size_of::<CellsHeader>() == 32);
const _: () = assert!(size_of::<CellsHeader>() <= DATA);

mod sealed {
    pub trait Sealed {}
}

/// The element types of [`Value`] and [`Array`]: Python's type codes
/// (`'i'`, `'d'`, ...) as Rust number types.
///
/// # Examples
///
/// ```
/// use pool_process::Element;
///
/// let mut bytes = [0u8; 8];
/// 3.5f64.store(&mut bytes);
/// assert_eq!(f64::load(&bytes), 3.5);
/// ```
pub trait Element: Copy + Send + Sync + fmt::Debug + sealed::Sealed + 'static {
    /// Bytes per element.
    const SIZE: usize;
    /// Writes the value into `bytes` (`SIZE` long), native byte order.
    fn store(self, bytes: &mut [u8]);
    /// Reads a value from `bytes` (`SIZE` long).
    fn load(bytes: &[u8]) -> Self;
}

macro_rules! elements {
    ($($t:ty),*) => {$(
        impl sealed::Sealed for $t {}
        impl Element for $t {
            const SIZE: usize = size_of::<$t>();
            fn store(self, bytes: &mut [u8]) {
                bytes.copy_from_slice(&self.to_ne_bytes());
            }
            fn load(bytes: &[u8]) -> $t {
                <$t>::from_ne_bytes(bytes.try_into().expect("SIZE bytes"))
            }
        }
    )*};
}

elements!(i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);

/// The shared cells of a `Value` (one) or an `Array` (many).
struct Cells<T> {
    segment: Segment,
    len: usize,
    _t: PhantomData<T>,
}

impl<T: Element> Cells<T> {
    fn create(values: &[T], what: &str) -> Result<Cells<T>, Error> {
        let bytes = DATA + values.len().max(1) * T::SIZE;
        let segment =
            Segment::create("poolrt-shared-value", bytes).map_err(|e| create_error(what, e))?;
        let header = segment.header::<CellsHeader>();
        header.len.store(values.len() as u64, Relaxed);
        header.size.store(T::SIZE as u64, Relaxed);
        let cells = Cells {
            segment,
            len: values.len(),
            _t: PhantomData,
        };
        for (i, v) in values.iter().enumerate() {
            cells.store(i, *v);
        }
        Ok(cells)
    }

    fn adopt(segment: Segment) -> Result<Cells<T>, String> {
        if segment.len() < DATA {
            return Err("the inherited memory is not a Value or Array".to_owned());
        }
        let header = segment.header::<CellsHeader>();
        let len = header.len.load(Relaxed) as usize;
        let size = header.size.load(Relaxed) as usize;
        if size != T::SIZE || DATA + len * size > segment.len() {
            return Err(format!(
                "the inherited memory does not hold {len} values of {} bytes",
                T::SIZE
            ));
        }
        Ok(Cells {
            segment,
            len,
            _t: PhantomData,
        })
    }

    fn mutex(&self) -> RawMutex<'_> {
        let header = self.segment.header::<CellsHeader>();
        RawMutex::new(&header.lock, &header.owner)
    }

    /// Takes the lock, from a dead holder if need be.
    fn lock(&self) -> Taken {
        self.mutex().lock(None).unwrap_or(Taken::Clean)
    }

    fn load(&self, i: usize) -> T {
        let mut bytes = [0u8; 8];
        let bytes = &mut bytes[..T::SIZE];
        self.segment.read(DATA + i * T::SIZE, bytes);
        T::load(bytes)
    }

    fn store(&self, i: usize, value: T) {
        let mut bytes = [0u8; 8];
        let bytes = &mut bytes[..T::SIZE];
        value.store(bytes);
        self.segment.write(DATA + i * T::SIZE, bytes);
    }

    fn locked<R>(&self, f: impl FnOnce() -> R) -> R {
        self.lock();
        let result = f();
        self.mutex().unlock();
        result
    }
}

/// A number in shared memory: Python's `multiprocessing.Value`.
///
/// Its lock is robust: if a process dies holding it, the next user takes
/// it over and goes on; the value is then what the dead holder left,
/// possibly torn (half of a write). [`ValueGuard::previous_owner_died`]
/// tells.
///
/// [`get`](Value::get) and [`set`](Value::set) each take the value's lock;
/// for a read-modify-write, hold it with [`get_lock`](Value::get_lock),
/// as Python's `with v.get_lock(): v.value += 1`. Pass it to a child as an
/// argument of its [`Process`](crate::Process); clones share the value.
///
/// # Examples
///
/// ```
/// use pool_process::{Process, Value};
///
/// fn set_pi(v: Value<f64>) {
///     v.set(3.1415927);
/// }
///
/// let num = Value::new(0.0).unwrap();
/// let p = Process::new(set_pi, (num.clone(),));
/// p.start().unwrap();
/// p.join().unwrap();
/// assert_eq!(num.get(), 3.1415927);
/// ```
pub struct Value<T> {
    cells: Arc<Cells<T>>,
}

/// Holds a [`Value`]'s lock; reads and writes through it take no lock.
///
/// # Examples
///
/// ```
/// let v = pool_process::Value::new(1u32).unwrap();
/// let guard = v.get_lock();
/// guard.set(guard.get() + 1);
/// drop(guard);
/// assert_eq!(v.get(), 2);
/// ```
#[must_use = "the lock is released when the guard is dropped"]
pub struct ValueGuard<'a, T: Element> {
    cells: &'a Cells<T>,
    taken: Taken,
}

impl<T: Element> Value<T> {
    /// A shared value, initially `value`.
    ///
    /// # Errors
    ///
    /// The shared memory could not be created.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(pool_process::Value::new(7i64).unwrap().get(), 7);
    /// ```
    pub fn new(value: T) -> Result<Value<T>, Error> {
        Ok(Value {
            cells: Arc::new(Cells::create(&[value], "Value")?),
        })
    }

    /// The value (Python's `v.value`).
    ///
    /// # Examples
    ///
    /// ```
    /// let v = pool_process::Value::new(1.5f32).unwrap();
    /// assert_eq!(v.get(), 1.5);
    /// ```
    pub fn get(&self) -> T {
        self.cells.locked(|| self.cells.load(0))
    }

    /// Sets the value (Python's `v.value = x`).
    ///
    /// # Examples
    ///
    /// ```
    /// let v = pool_process::Value::new(0u8).unwrap();
    /// v.set(9);
    /// assert_eq!(v.get(), 9);
    /// ```
    pub fn set(&self, value: T) {
        self.cells.locked(|| self.cells.store(0, value));
    }

    /// Holds the value's lock until the guard is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// let v = pool_process::Value::new(10i32).unwrap();
    /// {
    ///     let g = v.get_lock();
    ///     g.set(g.get() * 2);
    /// }
    /// assert_eq!(v.get(), 20);
    /// ```
    pub fn get_lock(&self) -> ValueGuard<'_, T> {
        let taken = self.cells.lock();
        ValueGuard {
            cells: &self.cells,
            taken,
        }
    }
}

impl<T: Element> ValueGuard<'_, T> {
    /// Whether the lock was taken over from a process (thread) that died
    /// holding it: the value may be torn.
    ///
    /// # Examples
    ///
    /// ```
    /// let v = pool_process::Value::new(1u8).unwrap();
    /// assert!(!v.get_lock().previous_owner_died());
    /// ```
    pub fn previous_owner_died(&self) -> bool {
        self.taken.owner_died()
    }

    /// The value.
    ///
    /// # Examples
    ///
    /// ```
    /// let v = pool_process::Value::new(4u16).unwrap();
    /// assert_eq!(v.get_lock().get(), 4);
    /// ```
    pub fn get(&self) -> T {
        self.cells.load(0)
    }

    /// Sets the value.
    ///
    /// # Examples
    ///
    /// ```
    /// let v = pool_process::Value::new(4u16).unwrap();
    /// v.get_lock().set(5);
    /// assert_eq!(v.get(), 5);
    /// ```
    pub fn set(&self, value: T) {
        self.cells.store(0, value);
    }
}

impl<T: Element> Drop for ValueGuard<'_, T> {
    fn drop(&mut self) {
        self.cells.mutex().unlock();
    }
}

macro_rules! shared_cells {
    ($ty:ident, $what:literal) => {
        impl<T> Clone for $ty<T> {
            fn clone(&self) -> $ty<T> {
                $ty {
                    cells: self.cells.clone(),
                }
            }
        }

        impl<T: Element> fmt::Debug for $ty<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let g = self.cells.locked(|| {
                    (0..self.cells.len)
                        .map(|i| self.cells.load(i))
                        .collect::<Vec<T>>()
                });
                f.debug_tuple($what).field(&g).finish()
            }
        }

        impl<T> Serialize for $ty<T> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                serialize_fd(&self.cells.segment, $what, s)
            }
        }

        impl<'de, T: Element> Deserialize<'de> for $ty<T> {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<$ty<T>, D::Error> {
                let segment = deserialize_segment(d, $what)?;
                let cells = Cells::adopt(segment).map_err(serde::de::Error::custom)?;
                Ok($ty {
                    cells: Arc::new(cells),
                })
            }
        }
    };
}

shared_cells!(Value, "Value");
shared_cells!(Array, "Array");

mod array;

pub use array::{Array, ArrayGuard};
