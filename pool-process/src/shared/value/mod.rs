//! `Value`, `Array`, `RawValue` and `RawArray`: Python's
//! `multiprocessing.Value`, `Array`, `RawValue` and `RawArray`, plain
//! data in shared memory (`cells.rs`), each `Value`/`Array` guarded by its
//! own lock or one it was given.
//!
//! The own lock is robust (`shared/sync/README.md`): a process that dies
//! holding it does not block the others; the next one takes it over. The
//! elements are plain data ([`bytemuck::Pod`]), valid whatever their
//! bytes, so the object stays usable, but what the dead holder was
//! writing may be torn (a half-written element, or a multi-element update
//! half done); its guard says so with `previous_owner_died()`.

use std::fmt;
use std::sync::Arc;

use pool_core::Error;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{deserialize_segment, serialize_fd};
use crate::shared::sync::word::Taken;
use crate::shared::sync::{AnyLock, SharedLock};
use crate::sys::segment::Segment;

mod array;
mod cells;
mod raw;

pub use array::{Array, ArrayGuard};
pub use raw::{RawArray, RawValue};

use cells::Cells;

/// The element types of [`Value`], [`Array`], [`RawValue`] and
/// [`RawArray`]: any plain-data type, checked by the
/// [`bytemuck`](https://docs.rs/bytemuck) crate's [`Pod`](bytemuck::Pod):
/// Python's type codes (`'i'`, `'d'`, ...) as Rust number types, and the
/// user's own `#[repr(C)]` structs of them (Python's `ctypes.Structure`),
/// with `#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]`.
/// Pointers, references, `bool`, `char` and enums are not plain data.
///
/// # Examples
///
/// ```
/// use bytemuck::{Pod, Zeroable};
/// use poolrt::process::{Array, Element};
///
/// #[derive(Clone, Copy, Debug, PartialEq, Pod, Zeroable)]
/// #[repr(C)]
/// struct Point {
///     x: f64,
///     y: f64,
/// }
///
/// fn shareable<T: Element>() {}
/// shareable::<u8>();
/// shareable::<Point>();
///
/// let points = Array::new([Point { x: 1.0, y: 2.0 }]).unwrap();
/// assert_eq!(points.get(0).unwrap().y, 2.0);
/// ```
pub trait Element: bytemuck::Pod + Send + Sync {}

impl<T: bytemuck::Pod + Send + Sync> Element for T {}

/// Which lock guards a `Value` or `Array`.
#[derive(Clone, Serialize, Deserialize)]
enum Locking {
    /// Its own robust mutex, in its header.
    Own,
    /// The [`SharedLock`] it was given.
    Given(AnyLock),
}

impl Locking {
    fn given(lock: impl SharedLock) -> Locking {
        Locking::Given(AnyLock::from_shared(lock))
    }

    fn acquire<T: Element>(&self, cells: &Cells<T>) -> Taken {
        match self {
            Locking::Own => cells.lock(),
            Locking::Given(lock) => lock.acquire(),
        }
    }

    fn release<T: Element>(&self, cells: &Cells<T>) {
        match self {
            Locking::Own => {
                cells.mutex().unlock();
            }
            Locking::Given(lock) => lock.release(),
        }
    }

    fn locked<T: Element, R>(&self, cells: &Cells<T>, f: impl FnOnce() -> R) -> R {
        self.acquire(cells);
        let result = f();
        self.release(cells);
        result
    }
}

/// A segment on the wire: its descriptor's index.
struct SegmentOut<'a>(&'a Segment, &'static str);

impl Serialize for SegmentOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_fd(self.0, self.1, s)
    }
}

/// A segment off the wire.
struct SegmentIn(Segment);

impl<'de> Deserialize<'de> for SegmentIn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<SegmentIn, D::Error> {
        deserialize_segment(d, "Value or Array").map(SegmentIn)
    }
}

/// A number, or a `#[repr(C)]` plain-data struct ([`Element`]), in shared
/// memory: Python's `multiprocessing.Value`.
///
/// Guarded by its own robust lock ([`new`](Value::new)) or by a process
/// [`Lock`](crate::Lock) or [`RLock`](crate::RLock) it is given
/// ([`with_lock`](Value::with_lock), Python's `Value(..., lock=lock)`),
/// or by none ([`without_lock`](Value::without_lock), Python's
/// `lock=False`, which is a [`RawValue`]). If a process dies holding the
/// lock, the next user takes it over and goes on; the value is then what
/// the dead holder left, possibly torn (half of a write).
/// [`ValueGuard::previous_owner_died`] tells.
///
/// [`get`](Value::get) and [`set`](Value::set) each take the lock; for a
/// read-modify-write, hold it with [`get_lock`](Value::get_lock), as
/// Python's `with v.get_lock(): v.value += 1`. Pass it to a child as an
/// argument of its [`Process`](crate::Process); clones share the value.
///
/// # Examples
///
/// ```
/// use poolrt::process::{Process, Value};
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
    locking: Locking,
}

/// Holds a [`Value`]'s lock; reads and writes through it take no lock.
///
/// # Examples
///
/// ```
/// let v = poolrt::process::Value::new(1u32).unwrap();
/// let guard = v.get_lock();
/// guard.set(guard.get() + 1);
/// drop(guard);
/// assert_eq!(v.get(), 2);
/// ```
#[must_use = "the lock is released when the guard is dropped"]
pub struct ValueGuard<'a, T: Element> {
    cells: &'a Cells<T>,
    locking: &'a Locking,
    taken: Taken,
}

impl<T: Element> Value<T> {
    /// A shared value, initially `value`, with its own lock.
    ///
    /// # Errors
    ///
    /// The shared memory could not be created.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(poolrt::process::Value::new(7i64).unwrap().get(), 7);
    /// ```
    pub fn new(value: T) -> Result<Value<T>, Error> {
        Ok(Value {
            cells: Arc::new(Cells::create(&[value], "Value")?),
            locking: Locking::Own,
        })
    }

    /// A shared value guarded by `lock`, a process [`Lock`](crate::Lock)
    /// or [`RLock`](crate::RLock) that may guard other objects too:
    /// Python's `Value(typecode, value, lock=lock)`. With a `Lock`, a
    /// thread that holds it must not call [`get`](Value::get) or
    /// [`set`](Value::set) (they take it again and block, as in Python);
    /// use the guard of [`get_lock`](Value::get_lock).
    ///
    /// # Errors
    ///
    /// The shared memory could not be created.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::{Lock, Value};
    ///
    /// let lock = Lock::new().unwrap();
    /// let (a, b) = (Value::with_lock(1u32, lock.clone()).unwrap(), Value::with_lock(2u32, lock.clone()).unwrap());
    /// let guard = a.get_lock();
    /// assert!(lock.locked(), "one lock guards both");
    /// drop(guard);
    /// assert_eq!(a.get() + b.get(), 3);
    /// ```
    pub fn with_lock(value: T, lock: impl SharedLock) -> Result<Value<T>, Error> {
        Ok(Value {
            cells: Arc::new(Cells::create(&[value], "Value")?),
            locking: Locking::given(lock),
        })
    }

    /// A shared value with no lock: Python's `Value(typecode, value,
    /// lock=False)`, which returns the raw object, as this returns a
    /// [`RawValue`].
    ///
    /// # Errors
    ///
    /// The shared memory could not be created.
    ///
    /// # Examples
    ///
    /// ```
    /// let raw = poolrt::process::Value::without_lock(5u16).unwrap();
    /// raw.set(raw.get() + 1);
    /// assert_eq!(raw.get(), 6);
    /// ```
    pub fn without_lock(value: T) -> Result<RawValue<T>, Error> {
        RawValue::new(value)
    }

    /// The value (Python's `v.value`).
    ///
    /// # Examples
    ///
    /// ```
    /// let v = poolrt::process::Value::new(1.5f32).unwrap();
    /// assert_eq!(v.get(), 1.5);
    /// ```
    pub fn get(&self) -> T {
        self.locking.locked(&self.cells, || self.cells.load(0))
    }

    /// Sets the value (Python's `v.value = x`).
    ///
    /// # Examples
    ///
    /// ```
    /// let v = poolrt::process::Value::new(0u8).unwrap();
    /// v.set(9);
    /// assert_eq!(v.get(), 9);
    /// ```
    pub fn set(&self, value: T) {
        self.locking
            .locked(&self.cells, || self.cells.store(0, value));
    }

    /// Holds the value's lock until the guard is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// let v = poolrt::process::Value::new(10i32).unwrap();
    /// {
    ///     let g = v.get_lock();
    ///     g.set(g.get() * 2);
    /// }
    /// assert_eq!(v.get(), 20);
    /// ```
    pub fn get_lock(&self) -> ValueGuard<'_, T> {
        let taken = self.locking.acquire(&self.cells);
        ValueGuard {
            cells: &self.cells,
            locking: &self.locking,
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
    /// let v = poolrt::process::Value::new(1u8).unwrap();
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
    /// let v = poolrt::process::Value::new(4u16).unwrap();
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
    /// let v = poolrt::process::Value::new(4u16).unwrap();
    /// v.get_lock().set(5);
    /// assert_eq!(v.get(), 5);
    /// ```
    pub fn set(&self, value: T) {
        self.cells.store(0, value);
    }
}

impl<T: Element> Drop for ValueGuard<'_, T> {
    fn drop(&mut self) {
        self.locking.release(self.cells);
    }
}

impl<T> Clone for Value<T> {
    fn clone(&self) -> Value<T> {
        Value {
            cells: self.cells.clone(),
            locking: self.locking.clone(),
        }
    }
}

impl<T: Element + fmt::Debug> fmt::Debug for Value<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Value").field(&self.get()).finish()
    }
}

impl<T> Serialize for Value<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (SegmentOut(self.cells.segment(), "Value"), &self.locking).serialize(s)
    }
}

impl<'de, T: Element> Deserialize<'de> for Value<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value<T>, D::Error> {
        let (SegmentIn(segment), locking) = <(SegmentIn, Locking)>::deserialize(d)?;
        let cells = Cells::adopt(segment).map_err(serde::de::Error::custom)?;
        Ok(Value {
            cells: Arc::new(cells),
            locking,
        })
    }
}
