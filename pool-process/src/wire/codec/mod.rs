//! Values on the wire: postcard for anything serde can handle, and raw
//! bytes for the bulk types that dominate large transfers.
//!
//! The first byte of an encoding says which: [`POSTCARD`], [`BYTES`]
//! (`Vec<u8>`, `String`: the bytes themselves) or [`NUMBERS`] (a `Vec` of a
//! primitive number: little-endian elements). The fast paths are picked by
//! `TypeId`, so any `T` still works through postcard. A bulk value that is
//! given away (an argument, a result) is moved into the [`Body`], never
//! copied: on this (little-endian) machine a `Vec<f64>` already is its
//! wire bytes. The one copy left is into the shared region; decoding
//! makes the other, straight out of it, into the new vector
//! ([`bulk::vec_from_source`]); a large reply that a worker lends
//! (`sys/lend.rs`) is copied once in all, straight out of its memory.

use std::any::{Any, TypeId, type_name};
use std::fmt;
use std::ops::{Deref, Range};
use std::sync::Arc;

use bytemuck::Pod;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::sys::bulk::{self, Source};
use crate::sys::lend::Lent;
use crate::wire::caught::{self, Catch};
use crate::wire::inherit;

const POSTCARD: u8 = 0;
const BYTES: u8 = 1;
const NUMBERS: u8 = 2;

/// An encoded value: a small head and a body, sent as two parts so a large
/// body is copied once, straight into the shared region.
#[derive(Debug, Default)]
pub(crate) struct Encoded {
    pub(crate) head: Vec<u8>,
    pub(crate) body: Body,
}

impl Encoded {
    /// Gives the bytes back to the allocator, once the value has served
    /// (a task's argument, after the worker answered with a value): a
    /// large one would otherwise sit beside the result while it is
    /// decoded. The value is empty afterwards.
    pub(crate) fn release(&mut self) {
        *self = Encoded::default();
    }

    /// Empties the value for reuse: the head keeps its buffer, the body
    /// goes back to the allocator.
    pub(crate) fn clear(&mut self) {
        self.head.clear();
        self.body = Body::default();
    }
}

/// The body of an encoding, read as bytes: bytes of its own, or a moved
/// vector of a primitive number type, whose memory holds its little-endian
/// wire bytes as they are.
#[derive(Default)]
pub(crate) struct Body(Storage);

#[derive(Default)]
enum Storage {
    #[default]
    Empty,
    Bytes(Vec<u8>),
    Numbers(Box<dyn NumberVec>),
    /// These bytes of a vector that several bodies share.
    Shared(Arc<dyn NumberVec>, Range<usize>),
}

/// A `Vec` of a primitive number, lent out as its bytes.
trait NumberVec: Send + Sync {
    fn bytes(&self) -> &[u8];
    fn as_any(&self) -> &dyn Any;
    fn element_size(&self) -> usize;
}

impl<T: Pod + Send + Sync> NumberVec for Vec<T> {
    fn bytes(&self) -> &[u8] {
        bytemuck::cast_slice(self)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn element_size(&self) -> usize {
        size_of::<T>()
    }
}

/// A map's input of bytes or primitive numbers, whose chunks are encoded
/// as views of it, not copies: on a little-endian machine the vector
/// already is its chunks' wire bytes. The last chunk to be sent frees it.
pub(crate) struct SharedItems {
    items: Arc<dyn NumberVec>,
    tag: u8,
}

impl SharedItems {
    /// Shares `items` when they are bytes or primitive numbers (on a
    /// little-endian machine); gives them back otherwise.
    pub(crate) fn new<A: 'static>(items: Vec<A>) -> Result<SharedItems, Vec<A>> {
        if cfg!(target_endian = "big") {
            return Err(items);
        }
        let boxed: Box<dyn Any> = Box::new(items);
        let boxed = match boxed.downcast::<Vec<u8>>() {
            Ok(bytes) => {
                return Ok(SharedItems {
                    items: Arc::new(*bytes),
                    tag: BYTES,
                });
            }
            Err(other) => other,
        };
        match share_numbers(boxed) {
            Ok(items) => Ok(SharedItems {
                items,
                tag: NUMBERS,
            }),
            Err(other) => Err(*other.downcast::<Vec<A>>().expect("the box holds a Vec<A>")),
        }
    }

    /// The items, as the `A`s they were made of.
    pub(crate) fn items<A: 'static>(&self) -> &[A] {
        self.items
            .as_any()
            .downcast_ref::<Vec<A>>()
            .expect("shared as a Vec<A>")
    }

    /// The items in `range`, encoded as a slice of them would be
    /// ([`encode_slice`]), without a copy.
    pub(crate) fn encode(&self, range: Range<usize>) -> Encoded {
        let size = self.items.element_size();
        Encoded {
            head: vec![self.tag],
            body: Body(Storage::Shared(
                self.items.clone(),
                range.start * size..range.end * size,
            )),
        }
    }
}

impl Body {
    /// A body that is the vector `items`, in little-endian order: moved
    /// on a little-endian machine, converted elsewhere.
    fn numbers<T: Pod + Send + Sync>(items: Vec<T>) -> Body {
        if cfg!(target_endian = "little") {
            Body(Storage::Numbers(Box::new(items)))
        } else {
            let mut bytes = Vec::new();
            extend_le(&items, &mut bytes);
            Body::from(bytes)
        }
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Body {
        Body(Storage::Bytes(bytes))
    }
}

impl Deref for Body {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match &self.0 {
            Storage::Empty => &[],
            Storage::Bytes(bytes) => bytes,
            Storage::Numbers(numbers) => numbers.bytes(),
            Storage::Shared(numbers, range) => &numbers.bytes()[range.clone()],
        }
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Body({} bytes)", self.len())
    }
}

/// Appends `items` to `out` as little-endian bytes: one copy on a
/// little-endian machine.
fn extend_le<T: Pod>(items: &[T], out: &mut Vec<u8>) {
    let start = out.len();
    out.extend_from_slice(bytemuck::cast_slice(items));
    if cfg!(target_endian = "big") {
        for element in out[start..].chunks_exact_mut(size_of::<T>()) {
            element.reverse();
        }
    }
}

/// The `T`s that `source` holds in little-endian order, copied once.
fn vec_from_le<T: Pod>(source: &(impl Source + ?Sized)) -> Option<Result<Vec<T>, String>> {
    let mut items = match bulk::vec_from_source::<T>(source)? {
        Ok(items) => items,
        Err(error) => return Some(Err(error)),
    };
    if cfg!(target_endian = "big") {
        for element in
            bytemuck::cast_slice_mut::<T, u8>(&mut items).chunks_exact_mut(size_of::<T>())
        {
            element.reverse();
        }
    }
    Some(Ok(items))
}

/// The primitive number types with a raw little-endian fast path.
macro_rules! numbers {
    ($($t:ty),* $(,)?) => {
        /// Moves a `Vec` of a primitive number into a body.
        fn take_numbers(boxed: Box<dyn Any>) -> Result<Body, Box<dyn Any>> {
            $(
                let boxed = match boxed.downcast::<Vec<$t>>() {
                    Ok(items) => return Ok(Body::numbers(*items)),
                    Err(other) => other,
                };
            )*
            Err(boxed)
        }

        /// Whether `T` has a fast path of its own: bytes, text or a
        /// `Vec` of a primitive number.
        fn is_bulk<T: 'static>() -> bool {
            let t = TypeId::of::<T>();
            t == TypeId::of::<Vec<u8>>()
                || t == TypeId::of::<String>()
                $(|| t == TypeId::of::<Vec<$t>>())*
        }

        /// Shares a `Vec` of a primitive number.
        fn share_numbers(boxed: Box<dyn Any>) -> Result<Arc<dyn NumberVec>, Box<dyn Any>> {
            $(
                let boxed = match boxed.downcast::<Vec<$t>>() {
                    Ok(items) => return Ok(Arc::new(*items)),
                    Err(other) => other,
                };
            )*
            Err(boxed)
        }

        /// Appends a slice of a primitive number to `out` as raw
        /// little-endian bytes; the `TypeId` tests fold away in each
        /// monomorphization.
        fn extend_numbers<T: 'static>(items: &[T], out: &mut Vec<u8>) -> bool {
            $(
                if let Some(items) = bulk::same_slice::<T, $t>(items) {
                    extend_le(items, out);
                    return true;
                }
            )*
            false
        }

        /// Decodes raw little-endian bytes into a boxed `Vec` of the
        /// number type `target` names.
        fn decode_numbers(target: TypeId, bytes: &(impl Source + ?Sized)) -> Option<Result<Box<dyn Any>, String>> {
            $(
                if target == TypeId::of::<Vec<$t>>() {
                    return Some(match vec_from_le::<$t>(bytes) {
                        Some(Ok(items)) => Ok(Box::new(items)),
                        Some(Err(error)) => Err(error),
                        None => Err(format!("{} bytes do not hold whole {}", bytes.len(), type_name::<$t>())),
                    });
                }
            )*
            None
        }
    };
}

numbers!(
    i8, u16, i16, u32, i32, u64, i64, u128, i128, usize, isize, f32, f64
);

/// Encodes `value`, moving bulk bytes and numbers instead of copying them.
///
/// # Errors
///
/// The serializer's message when `value` cannot be serialized.
pub(crate) fn encode<T: Serialize + 'static>(value: T) -> Result<Encoded, String> {
    let mut encoded = Encoded::default();
    encode_reply(value, &mut encoded)?;
    Ok(encoded)
}

/// Encodes `value` after the bytes already in `out.head`, moving bulk
/// bytes and numbers into `out.body` (which must be empty) instead of
/// copying them; a postcard encoding goes into the head, whose buffer a
/// worker reuses from reply to reply.
///
/// # Errors
///
/// The serializer's message when `value` cannot be serialized; `out.head`
/// may then hold part of the encoding.
pub(crate) fn encode_reply<T: Serialize + 'static>(
    value: T,
    out: &mut Encoded,
) -> Result<(), String> {
    if !is_bulk::<T>() {
        // Folded away per type: most values never see a box.
        out.head.push(POSTCARD);
        let head = std::mem::take(&mut out.head);
        out.head = extend_postcard(&value, head)?;
        return Ok(());
    }
    let mut boxed: Box<dyn Any> = Box::new(value);
    boxed = match boxed.downcast::<Vec<u8>>() {
        Ok(bytes) => {
            out.head.push(BYTES);
            out.body = Body::from(*bytes);
            return Ok(());
        }
        Err(other) => other,
    };
    boxed = match boxed.downcast::<String>() {
        Ok(text) => {
            out.head.push(BYTES);
            out.body = Body::from(text.into_bytes());
            return Ok(());
        }
        Err(other) => other,
    };
    boxed = match take_numbers(boxed) {
        Ok(body) => {
            out.head.push(NUMBERS);
            out.body = body;
            return Ok(());
        }
        Err(other) => other,
    };
    let value = boxed.downcast::<T>().expect("the box holds a T");
    out.head.push(POSTCARD);
    let head = std::mem::take(&mut out.head);
    out.head = extend_postcard(&*value, head)?;
    Ok(())
}

/// Encodes a slice as a sequence that decodes as a `Vec<T>`, with the same
/// fast paths (bytes, numbers), each one copy.
///
/// # Errors
///
/// The serializer's message when an item cannot be serialized.
pub(crate) fn encode_slice<T: Serialize + 'static>(items: &[T]) -> Result<Encoded, String> {
    if let Some(bytes) = bulk::same_slice::<T, u8>(items) {
        return Ok(Encoded {
            head: vec![BYTES],
            body: Body::from(bytes.to_vec()),
        });
    }
    let mut body = Vec::new();
    if extend_numbers(items, &mut body) {
        return Ok(Encoded {
            head: vec![NUMBERS],
            body: Body::from(body),
        });
    }
    let body = to_postcard(items)?;
    Ok(Encoded {
        head: vec![POSTCARD],
        body: Body::from(body),
    })
}

/// Serializes `value` with postcard.
///
/// # Errors
///
/// The serializer's message, the user type's own when its `Serialize`
/// failed with one (see [`caught`]).
pub(crate) fn to_postcard<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, String> {
    postcard::to_stdvec(value).map_err(|e| serialize_error(value, e))
}

/// Serializes `value` with postcard after the bytes already in `out`.
///
/// # Errors
///
/// As [`to_postcard`].
pub(crate) fn extend_postcard<T: Serialize + ?Sized>(
    value: &T,
    out: Vec<u8>,
) -> Result<Vec<u8>, String> {
    postcard::to_extend(value, out).map_err(|e| serialize_error(value, e))
}

/// Why serializing `value` failed: a shared object's refusal, the user
/// type's own message, or postcard's.
fn serialize_error<T: Serialize + ?Sized>(value: &T, error: postcard::Error) -> String {
    let error = inherit::explain(error);
    if error == postcard::Error::SerdeSerCustom.to_string()
        && let Some(message) = caught::serialize_message(value)
    {
        return message;
    }
    error
}

/// Deserializes a whole postcard message: every byte must belong to the
/// `T`, so a message of another type is an error, never a wrong value.
///
/// # Errors
///
/// The user type's own message when its `Deserialize` failed with one,
/// postcard's otherwise, or how many bytes were left over.
pub(crate) fn from_postcard<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    let mut deserializer = postcard::Deserializer::from_bytes(bytes);
    // Plain postcard first, at full speed; only a custom error (whose
    // message postcard drops) is read again through `Catch` to find it.
    let value = match T::deserialize(&mut deserializer) {
        Ok(value) => value,
        Err(postcard::Error::SerdeDeCustom) => return Err(custom_message::<T>(bytes)),
        Err(e) => return Err(e.to_string()),
    };
    let rest = deserializer.finalize().map_err(|e| e.to_string())?;
    if !rest.is_empty() {
        return Err(format!(
            "{} of {} bytes left over after a {}: the message holds another type",
            rest.len(),
            bytes.len(),
            type_name::<T>()
        ));
    }
    Ok(value)
}

/// The message of a user `Deserialize` impl that failed on `bytes`, read
/// again through [`Catch`], which keeps it.
#[cold]
fn custom_message<T: DeserializeOwned>(bytes: &[u8]) -> String {
    let mut deserializer = postcard::Deserializer::from_bytes(bytes);
    caught::reset();
    let outcome = T::deserialize(Catch(&mut deserializer));
    caught::reset();
    match outcome {
        Err(caught) => caught.0,
        // It failed once and not the second time: say what postcard said.
        Ok(_) => postcard::Error::SerdeDeCustom.to_string(),
    }
}

/// Decodes a value encoded by [`encode`] or [`encode_into`].
///
/// # Errors
///
/// A message naming the type when the bytes do not decode as `T`.
pub(crate) fn decode<T: DeserializeOwned + 'static>(bytes: &[u8]) -> Result<T, String> {
    let Some((&tag, body)) = bytes.split_first() else {
        return Err("empty message".to_owned());
    };
    if tag == POSTCARD {
        return from_postcard(body);
    }
    decode_bulk(tag, body)
}

/// Decodes a reply whose head is in hand and whose body a worker lent
/// (`sys/lend.rs`): a bulk value is copied once, straight from the
/// worker's memory into the new vector; anything else is read whole and
/// decoded as [`decode`] does.
///
/// # Errors
///
/// As [`decode`], or the system's message when the worker's memory could
/// not be read.
pub(crate) fn decode_lent<T: DeserializeOwned + 'static>(
    head: &[u8],
    body: &Lent,
) -> Result<T, String> {
    match head {
        [tag @ (BYTES | NUMBERS)] => decode_bulk(*tag, body),
        _ => decode(&body.read_after(head)?),
    }
}

/// Decodes the body of a bulk encoding (tag [`BYTES`] or [`NUMBERS`]).
fn decode_bulk<T: DeserializeOwned + 'static>(
    tag: u8,
    body: &(impl Source + ?Sized),
) -> Result<T, String> {
    let target = TypeId::of::<T>();
    let boxed: Box<dyn Any> = match tag {
        BYTES if target == TypeId::of::<Vec<u8>>() => Box::new(bytes_vec(body)?),
        BYTES if target == TypeId::of::<String>() => {
            Box::new(String::from_utf8(bytes_vec(body)?).map_err(|e| e.to_string())?)
        }
        NUMBERS => match decode_numbers(target, body) {
            Some(decoded) => decoded?,
            None => return Err(mismatch::<T>(tag)),
        },
        _ => return Err(mismatch::<T>(tag)),
    };
    Ok(*boxed.downcast::<T>().expect("decoded the target type"))
}

/// `body` as a new vector, copied once (into huge pages when large).
fn bytes_vec(body: &(impl Source + ?Sized)) -> Result<Vec<u8>, String> {
    bulk::vec_from_source::<u8>(body).expect("bytes are whole bytes")
}

fn mismatch<T>(tag: u8) -> String {
    format!("encoding {tag} does not hold a {}", type_name::<T>())
}

#[cfg(test)]
mod tests;
