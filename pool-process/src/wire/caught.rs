//! Keeping the message of a user type's serde error.
//!
//! postcard's `Error::custom` drops its message: a `Serialize` or
//! `Deserialize` impl that fails with "odd number" reaches postcard's
//! caller as "Serde Serialization Error". Two adapters keep it:
//!
//! - Serializing: postcard runs first, at full speed; only when it fails
//!   with a custom error does [`serialize_message`] walk the value again
//!   with [`Probe`], a serializer that writes nothing and whose error
//!   ([`Caught`]) keeps the message.
//! - Deserializing: postcard runs first, at full speed; only when it
//!   fails with a custom error is the value read again through [`Catch`], a deserializer
//!   that wraps postcard's and hands every user `Deserialize` impl (at any
//!   depth: through its visitors, sequences, maps and enums) an error type
//!   that keeps the message. Where an error must pass back through
//!   postcard, which would drop it again, the message waits in a
//!   thread-local ([`LAST`]) until the outermost [`Catch`] returns.

use std::cell::RefCell;
use std::fmt::{self, Display};

use serde::de::{self, DeserializeSeed, Visitor};
use serde::ser::{self, Serialize};

thread_local! {
    /// The message of the last [`Caught`] made on this thread.
    static LAST: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// A serde error that keeps its message.
#[derive(Debug)]
pub(crate) struct Caught(pub(crate) String);

impl Caught {
    fn new(message: String) -> Caught {
        LAST.with(|l| l.replace(Some(message.clone())));
        Caught(message)
    }

    /// An error from the wrapped side: its own message, or the one kept
    /// in [`LAST`] when postcard replaced it by its custom-error text.
    fn from_inner(error: impl Display) -> Caught {
        let text = error.to_string();
        let custom = [
            postcard::Error::SerdeDeCustom.to_string(),
            postcard::Error::SerdeSerCustom.to_string(),
        ];
        if custom.contains(&text)
            && let Some(kept) = LAST.with(|l| l.borrow().clone())
        {
            return Caught(kept);
        }
        Caught(text)
    }

    /// Hands the error back through the wrapped side (which may drop the
    /// message; [`LAST`] keeps it).
    fn into_inner<E: de::Error>(self) -> E {
        E::custom(self.0)
    }
}

impl Display for Caught {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Caught {}

impl de::Error for Caught {
    fn custom<T: Display>(msg: T) -> Caught {
        Caught::new(msg.to_string())
    }
}

impl ser::Error for Caught {
    fn custom<T: Display>(msg: T) -> Caught {
        Caught::new(msg.to_string())
    }
}

/// Clears [`LAST`] before an outermost decode or probe.
pub(crate) fn reset() {
    LAST.with(|l| l.replace(None));
}

/// The message a failed serialization of `value` gives, found by walking
/// it again with [`Probe`]; `None` when the walk succeeds this time.
pub(crate) fn serialize_message<T: Serialize + ?Sized>(value: &T) -> Option<String> {
    reset();
    let message = value.serialize(&mut Probe).err().map(|c| c.0);
    reset();
    message
}

/// A serializer that writes nothing: it only walks a value to see why its
/// `Serialize` fails.
pub(crate) struct Probe;

macro_rules! probe_leaves {
    ($($method:ident($t:ty)),* $(,)?) => {
        $(fn $method(self, _: $t) -> Result<(), Caught> { Ok(()) })*
    };
}

impl ser::Serializer for &mut Probe {
    type Ok = ();
    type Error = Caught;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    probe_leaves!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_u128(u128),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_unit_struct(&'static str),
    );

    fn serialize_none(self) -> Result<(), Caught> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Caught> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Caught> {
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
    ) -> Result<(), Caught> {
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Caught> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        value: &T,
    ) -> Result<(), Caught> {
        value.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self, Caught> {
        Ok(self)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self, Caught> {
        Ok(self)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, Caught> {
        Ok(self)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, Caught> {
        Ok(self)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, Caught> {
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Caught> {
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, Caught> {
        Ok(self)
    }
    fn is_human_readable(&self) -> bool {
        false // as postcard
    }
}

/// The compound parts of [`Probe`]: each element is walked, nothing kept.
macro_rules! probe_compound {
    ($($trait:ident { $($method:ident($($name:ident),*))* })*) => {
        $(impl ser::$trait for &mut Probe {
            type Ok = ();
            type Error = Caught;
            $(fn $method<T: Serialize + ?Sized>(
                &mut self,
                $($name: probe_compound!(@arg $name),)*
                value: &T,
            ) -> Result<(), Caught> {
                $(let _ = $name;)*
                value.serialize(&mut **self)
            })*
            fn end(self) -> Result<(), Caught> {
                Ok(())
            }
        })*
    };
    (@arg key) => { &'static str };
}

probe_compound! {
    SerializeSeq { serialize_element() }
    SerializeTuple { serialize_element() }
    SerializeTupleStruct { serialize_field() }
    SerializeTupleVariant { serialize_field() }
    SerializeStruct { serialize_field(key) }
    SerializeStructVariant { serialize_field(key) }
}

impl ser::SerializeMap for &mut Probe {
    type Ok = ();
    type Error = Caught;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Caught> {
        key.serialize(&mut **self)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Caught> {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<(), Caught> {
        Ok(())
    }
}

/// A deserializer that wraps another and gives every `Deserialize` impl
/// under it the message-keeping [`Caught`] as its error.
pub(crate) struct Catch<D>(pub(crate) D);

/// A visitor or seed wrapped so that what it reads goes through [`Catch`].
struct Wrap<V>(V);

macro_rules! forward_deserialize {
    ($($method:ident($($arg:ident: $t:ty),*)),* $(,)?) => {
        $(fn $method<V: Visitor<'de>>(self, $($arg: $t,)* visitor: V) -> Result<V::Value, Caught> {
            self.0.$method($($arg,)* Wrap(visitor)).map_err(Caught::from_inner)
        })*
    };
}

impl<'de, D: de::Deserializer<'de>> de::Deserializer<'de> for Catch<D> {
    type Error = Caught;

    forward_deserialize!(
        deserialize_any(),
        deserialize_bool(),
        deserialize_i8(),
        deserialize_i16(),
        deserialize_i32(),
        deserialize_i64(),
        deserialize_i128(),
        deserialize_u8(),
        deserialize_u16(),
        deserialize_u32(),
        deserialize_u64(),
        deserialize_u128(),
        deserialize_f32(),
        deserialize_f64(),
        deserialize_char(),
        deserialize_str(),
        deserialize_string(),
        deserialize_bytes(),
        deserialize_byte_buf(),
        deserialize_option(),
        deserialize_unit(),
        deserialize_unit_struct(name: &'static str),
        deserialize_newtype_struct(name: &'static str),
        deserialize_seq(),
        deserialize_tuple(len: usize),
        deserialize_tuple_struct(name: &'static str, len: usize),
        deserialize_map(),
        deserialize_struct(name: &'static str, fields: &'static [&'static str]),
        deserialize_enum(name: &'static str, variants: &'static [&'static str]),
        deserialize_identifier(),
        deserialize_ignored_any(),
    );

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

macro_rules! forward_visit {
    ($($method:ident($t:ty)),* $(,)?) => {
        $(fn $method<E: de::Error>(self, v: $t) -> Result<V::Value, E> {
            self.0.$method::<Caught>(v).map_err(Caught::into_inner)
        })*
    };
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Wrap<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    forward_visit!(
        visit_bool(bool),
        visit_i8(i8),
        visit_i16(i16),
        visit_i32(i32),
        visit_i64(i64),
        visit_i128(i128),
        visit_u8(u8),
        visit_u16(u16),
        visit_u32(u32),
        visit_u64(u64),
        visit_u128(u128),
        visit_f32(f32),
        visit_f64(f64),
        visit_char(char),
        visit_str(&str),
        visit_borrowed_str(&'de str),
        visit_string(String),
        visit_bytes(&[u8]),
        visit_borrowed_bytes(&'de [u8]),
        visit_byte_buf(Vec<u8>),
    );

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_none::<Caught>().map_err(Caught::into_inner)
    }
    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_unit::<Caught>().map_err(Caught::into_inner)
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.0.visit_some(Catch(d)).map_err(Caught::into_inner)
    }
    fn visit_newtype_struct<D: de::Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.0
            .visit_newtype_struct(Catch(d))
            .map_err(Caught::into_inner)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.0.visit_seq(Catch(seq)).map_err(Caught::into_inner)
    }
    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.0.visit_map(Catch(map)).map_err(Caught::into_inner)
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.0.visit_enum(Catch(data)).map_err(Caught::into_inner)
    }
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Wrap<S> {
    type Value = S::Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(Catch(d)).map_err(Caught::into_inner)
    }
}

impl<'de, A: de::SeqAccess<'de>> de::SeqAccess<'de> for Catch<A> {
    type Error = Caught;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Caught> {
        self.0
            .next_element_seed(Wrap(seed))
            .map_err(Caught::from_inner)
    }
    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: de::MapAccess<'de>> de::MapAccess<'de> for Catch<A> {
    type Error = Caught;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Caught> {
        self.0.next_key_seed(Wrap(seed)).map_err(Caught::from_inner)
    }
    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, Caught> {
        self.0
            .next_value_seed(Wrap(seed))
            .map_err(Caught::from_inner)
    }
    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: de::EnumAccess<'de>> de::EnumAccess<'de> for Catch<A> {
    type Error = Caught;
    type Variant = Catch<A::Variant>;

    fn variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<(T::Value, Catch<A::Variant>), Caught> {
        self.0
            .variant_seed(Wrap(seed))
            .map(|(value, variant)| (value, Catch(variant)))
            .map_err(Caught::from_inner)
    }
}

impl<'de, A: de::VariantAccess<'de>> de::VariantAccess<'de> for Catch<A> {
    type Error = Caught;

    fn unit_variant(self) -> Result<(), Caught> {
        self.0.unit_variant().map_err(Caught::from_inner)
    }
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Caught> {
        self.0
            .newtype_variant_seed(Wrap(seed))
            .map_err(Caught::from_inner)
    }
    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Caught> {
        self.0
            .tuple_variant(len, Wrap(visitor))
            .map_err(Caught::from_inner)
    }
    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Caught> {
        self.0
            .struct_variant(fields, Wrap(visitor))
            .map_err(Caught::from_inner)
    }
}
