//! Values on the wire: postcard for anything serde can handle, and raw
//! bytes for the bulk types that dominate large transfers.
//!
//! The first byte of an encoding says which: [`POSTCARD`], [`BYTES`]
//! (`Vec<u8>`, `String`: the bytes themselves) or [`NUMBERS`] (a `Vec` of a
//! primitive number: little-endian elements). The fast paths are picked by
//! `TypeId`, so any `T` still works through postcard; a `Vec<u8>` argument
//! is moved into the message without a copy.

use std::any::{Any, TypeId, type_name};

use serde::Serialize;
use serde::de::DeserializeOwned;

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
    pub(crate) body: Vec<u8>,
}

impl Encoded {
    /// Gives the bytes back to the allocator, once the value has served
    /// (a task's argument, after the worker answered with a value): a
    /// large one would otherwise sit beside the result while it is
    /// decoded. The value is empty afterwards.
    pub(crate) fn release(&mut self) {
        *self = Encoded::default();
    }
}

/// A primitive number type with a raw little-endian fast path.
macro_rules! numbers {
    ($($t:ty),* $(,)?) => {
        /// Encodes a `Vec` of a primitive number as raw little-endian bytes.
        fn encode_numbers(any: &dyn Any, out: &mut Vec<u8>) -> bool {
            $(
                if let Some(v) = any.downcast_ref::<Vec<$t>>() {
                    out.reserve(v.len() * size_of::<$t>());
                    for x in v {
                        out.extend_from_slice(&x.to_le_bytes());
                    }
                    return true;
                }
            )*
            false
        }

        /// Encodes a slice of a primitive number as raw little-endian
        /// bytes; the `TypeId` tests fold away in each monomorphization.
        fn encode_number_slice<T: 'static>(items: &[T], out: &mut Vec<u8>) -> bool {
            $(
                if TypeId::of::<T>() == TypeId::of::<$t>() {
                    out.reserve(items.len() * size_of::<$t>());
                    for x in items {
                        let x = (x as &dyn Any).downcast_ref::<$t>().expect("same type");
                        out.extend_from_slice(&x.to_le_bytes());
                    }
                    return true;
                }
            )*
            false
        }

        /// Decodes raw little-endian bytes into a boxed `Vec` of the
        /// number type `target` names.
        #[allow(clippy::modulo_one)] // one-byte numbers divide anything
        fn decode_numbers(target: TypeId, bytes: &[u8]) -> Option<Result<Box<dyn Any>, String>> {
            $(
                if target == TypeId::of::<Vec<$t>>() {
                    const N: usize = size_of::<$t>();
                    if bytes.len() % N != 0 {
                        return Some(Err(format!("{} bytes do not hold whole {}", bytes.len(), type_name::<$t>())));
                    }
                    let v: Vec<$t> = bytes
                        .chunks_exact(N)
                        .map(|c| <$t>::from_le_bytes(c.try_into().expect("chunk of N bytes")))
                        .collect();
                    return Some(Ok(Box::new(v)));
                }
            )*
            None
        }
    };
}

numbers!(
    i8, u16, i16, u32, i32, u64, i64, u128, i128, usize, isize, f32, f64
);

/// Encodes `value`, moving bulk bytes instead of copying them.
///
/// # Errors
///
/// The serializer's message when `value` cannot be serialized.
pub(crate) fn encode<T: Serialize + 'static>(value: T) -> Result<Encoded, String> {
    let mut boxed: Box<dyn Any> = Box::new(value);
    boxed = match boxed.downcast::<Vec<u8>>() {
        Ok(bytes) => {
            return Ok(Encoded {
                head: vec![BYTES],
                body: *bytes,
            });
        }
        Err(other) => other,
    };
    boxed = match boxed.downcast::<String>() {
        Ok(text) => {
            return Ok(Encoded {
                head: vec![BYTES],
                body: text.into_bytes(),
            });
        }
        Err(other) => other,
    };
    let mut body = Vec::new();
    if encode_numbers(&*boxed, &mut body) {
        return Ok(Encoded {
            head: vec![NUMBERS],
            body,
        });
    }
    let value = boxed.downcast::<T>().expect("the box holds a T");
    let body = to_postcard(&*value)?;
    Ok(Encoded {
        head: vec![POSTCARD],
        body,
    })
}

/// Encodes a slice as a sequence that decodes as a `Vec<T>`, with the same
/// fast paths (bytes, numbers).
///
/// # Errors
///
/// The serializer's message when an item cannot be serialized.
pub(crate) fn encode_slice<T: Serialize + 'static>(items: &[T]) -> Result<Encoded, String> {
    if TypeId::of::<T>() == TypeId::of::<u8>() {
        let body = items
            .iter()
            .map(|x| *(x as &dyn Any).downcast_ref::<u8>().expect("same type"))
            .collect();
        return Ok(Encoded {
            head: vec![BYTES],
            body,
        });
    }
    let mut body = Vec::new();
    if encode_number_slice(items, &mut body) {
        return Ok(Encoded {
            head: vec![NUMBERS],
            body,
        });
    }
    let body = to_postcard(items)?;
    Ok(Encoded {
        head: vec![POSTCARD],
        body,
    })
}

/// Encodes `value` by reference into `out` (used where the value must stay
/// with the caller).
///
/// # Errors
///
/// The serializer's message when `value` cannot be serialized.
pub(crate) fn encode_into<T: Serialize + 'static>(
    value: &T,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    let any: &dyn Any = value;
    if let Some(bytes) = any.downcast_ref::<Vec<u8>>() {
        out.push(BYTES);
        out.extend_from_slice(bytes);
        return Ok(());
    }
    if let Some(text) = any.downcast_ref::<String>() {
        out.push(BYTES);
        out.extend_from_slice(text.as_bytes());
        return Ok(());
    }
    let start = out.len();
    out.push(NUMBERS);
    if encode_numbers(any, out) {
        return Ok(());
    }
    out.truncate(start);
    out.push(POSTCARD);
    let body = std::mem::take(out);
    *out = extend_postcard(value, body)?;
    Ok(())
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
    let target = TypeId::of::<T>();
    let boxed: Box<dyn Any> = match tag {
        POSTCARD => return from_postcard(body),
        BYTES if target == TypeId::of::<Vec<u8>>() => Box::new(body.to_vec()),
        BYTES if target == TypeId::of::<String>() => {
            Box::new(String::from_utf8(body.to_vec()).map_err(|e| e.to_string())?)
        }
        NUMBERS => match decode_numbers(target, body) {
            Some(decoded) => decoded?,
            None => return Err(mismatch::<T>(tag)),
        },
        _ => return Err(mismatch::<T>(tag)),
    };
    Ok(*boxed.downcast::<T>().expect("decoded the target type"))
}

fn mismatch<T>(tag: u8) -> String {
    format!("encoding {tag} does not hold a {}", type_name::<T>())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<
        T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug + Clone + 'static,
    >(
        value: T,
    ) {
        let encoded = encode(value.clone()).unwrap();
        let mut joined = encoded.head.clone();
        joined.extend_from_slice(&encoded.body);
        assert_eq!(decode::<T>(&joined).unwrap(), value);
        let mut by_ref = Vec::new();
        encode_into(&value, &mut by_ref).unwrap();
        assert_eq!(by_ref, joined);
    }

    #[test]
    fn every_path_round_trips() {
        round_trip(vec![1u8, 2, 3]);
        round_trip(String::from("héllo"));
        round_trip(vec![1u64, u64::MAX]);
        round_trip(vec![-1.5f64, 2.25]);
        round_trip(vec![i128::MIN]);
        round_trip(42u64);
        round_trip((1u8, String::from("x"), vec![Some(3i32)]));
        round_trip(Vec::<u32>::new());
    }

    fn slice_round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug + 'static>(
        items: &[T],
    ) {
        let encoded = encode_slice(items).unwrap();
        let mut joined = encoded.head;
        joined.extend(encoded.body);
        assert_eq!(decode::<Vec<T>>(&joined).unwrap(), items);
    }

    #[test]
    fn slices_decode_as_vecs() {
        slice_round_trip(&[1u8, 2, 255]);
        slice_round_trip(&[1u64, 2, u64::MAX]);
        slice_round_trip(&[0.5f32]);
        slice_round_trip(&[String::from("a"), String::from("bc")]);
        slice_round_trip::<(u8, bool)>(&[]);
    }

    #[test]
    fn a_mismatch_is_an_error_not_a_panic() {
        let encoded = encode(vec![1u8]).unwrap();
        let mut joined = encoded.head;
        joined.extend(encoded.body);
        assert!(decode::<Vec<u64>>(&joined).is_err());
        assert!(decode::<u8>(&[]).is_err());
        assert!(decode::<Vec<u16>>(&[NUMBERS, 1, 2, 3]).is_err());
    }

    #[test]
    fn postcard_decoding_is_strict_and_keeps_custom_messages() {
        let bytes = postcard::to_stdvec(&(0u8, 7u8)).unwrap();
        assert_eq!(postcard::from_bytes::<String>(&bytes).unwrap(), "");
        let error = from_postcard::<String>(&bytes).unwrap_err();
        assert!(error.contains("1 of 2 bytes left over"), "{error}");
        assert_eq!(from_postcard::<(u8, u8)>(&bytes).unwrap(), (0, 7));

        struct Nope;
        impl Serialize for Nope {
            fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                Err(serde::ser::Error::custom("nope, says Nope"))
            }
        }
        let error = to_postcard(&vec![Some(Nope)]).unwrap_err();
        assert_eq!(error, "nope, says Nope");
        // serde's own messages (here a derived enum's) are kept as well.
        #[derive(Debug, serde::Deserialize)]
        enum One {
            A,
        }
        let error = from_postcard::<One>(&[3]).unwrap_err();
        assert!(error.contains("expected variant index"), "{error}");
    }
}
