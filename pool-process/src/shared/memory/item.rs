//! `Item`: one value of a [`ShareableList`](super::ShareableList), and its
//! encoding in Python's layout.

use std::fmt;

/// A value a [`ShareableList`](super::ShareableList) holds: the Python
/// types it accepts (`int`, `float`, `bool`, `str`, `bytes`, `None`).
///
/// Build one with `From`: `Item::from(3)`, `"text".into()`,
/// `Item::from(None::<i64>)`.
///
/// # Examples
///
/// ```
/// use poolrt::process::Item;
///
/// assert_eq!(Item::from(3), Item::Int(3));
/// assert_eq!(Item::from("hi"), Item::Str("hi".into()));
/// assert_eq!(Item::from(&b"raw"[..]), Item::Bytes(b"raw".to_vec()));
/// assert_eq!(Item::from(None::<f64>), Item::None);
/// assert!(Item::Int(1).python_eq(&Item::Float(1.0)));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// Python's `None`.
    None,
    /// A `bool`.
    Bool(bool),
    /// An `int` (64 bits, as the list stores it).
    Int(i64),
    /// A `float`.
    Float(f64),
    /// A `str`.
    Str(String),
    /// A `bytes`.
    Bytes(Vec<u8>),
}

impl Item {
    /// Python's `==`: numbers compare by value across `bool`, `int` and
    /// `float` (`True == 1 == 1.0`); other kinds only with their own. What
    /// [`count`](super::ShareableList::count) and
    /// [`index`](super::ShareableList::index) compare with.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::Item;
    ///
    /// assert!(Item::Bool(true).python_eq(&Item::Int(1)));
    /// assert!(!Item::Str("1".into()).python_eq(&Item::Int(1)));
    /// assert!(!Item::Str("a".into()).python_eq(&Item::Bytes(b"a".to_vec())));
    /// ```
    pub fn python_eq(&self, other: &Item) -> bool {
        match (self.as_number(), other.as_number()) {
            (Some(a), Some(b)) => a.eq(b),
            (None, None) => self == other,
            _ => false,
        }
    }

    fn as_number(&self) -> Option<Number> {
        match *self {
            Item::Bool(b) => Some(Number::Int(i64::from(b))),
            Item::Int(i) => Some(Number::Int(i)),
            Item::Float(f) => Some(Number::Float(f)),
            _ => None,
        }
    }

    /// The `struct` format of its slot, as Python writes it for a value
    /// of this kind; `str` and `bytes` take the slot's length.
    pub(super) fn format(&self, slot: usize) -> String {
        match self {
            Item::None => "xxxxxx?x".to_owned(),
            Item::Bool(_) => "xxxxxxx?".to_owned(),
            Item::Int(_) => "q".to_owned(),
            Item::Float(_) => "d".to_owned(),
            Item::Str(_) | Item::Bytes(_) => format!("{slot}s"),
        }
    }

    /// The code Python stores to turn the unpacked value back into this
    /// kind.
    pub(super) fn back_transform(&self) -> u8 {
        match self {
            Item::Bool(_) | Item::Int(_) | Item::Float(_) => 0,
            Item::Str(_) => 1,
            Item::Bytes(_) => 2,
            Item::None => 3,
        }
    }

    /// The bytes of a `str` or `bytes` value, `None` for the others.
    pub(super) fn text_bytes(&self) -> Option<&[u8]> {
        match self {
            Item::Str(s) => Some(s.as_bytes()),
            Item::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// The 8 bytes of a fixed-size value, as `struct` packs it natively.
    pub(super) fn packed(&self) -> [u8; 8] {
        match *self {
            Item::Int(i) => i.to_ne_bytes(),
            Item::Float(f) => f.to_ne_bytes(),
            Item::Bool(b) => [0, 0, 0, 0, 0, 0, 0, u8::from(b)],
            _ => [0; 8],
        }
    }
}

#[derive(Clone, Copy)]
enum Number {
    Int(i64),
    Float(f64),
}

impl Number {
    fn eq(self, other: Number) -> bool {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => a == b,
            (Number::Float(a), Number::Float(b)) => a == b,
            (Number::Int(i), Number::Float(f)) | (Number::Float(f), Number::Int(i)) => {
                // Exact, as Python compares: the float must be that very
                // integer.
                f.fract() == 0.0 && f >= -(2f64.powi(63)) && f < 2f64.powi(63) && f as i64 == i
            }
        }
    }
}

impl fmt::Display for Item {
    /// Python's `repr` of the value: `None`, `True`, `-3`, `2.5`,
    /// `'text'`, `b'\x01raw'` (floats in Rust's notation for exponents).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Item::None => f.write_str("None"),
            Item::Bool(true) => f.write_str("True"),
            Item::Bool(false) => f.write_str("False"),
            Item::Int(i) => write!(f, "{i}"),
            Item::Float(x) => write!(f, "{x:?}"),
            Item::Str(s) => {
                f.write_str("'")?;
                for c in s.chars() {
                    match c {
                        '\\' | '\'' => write!(f, "\\{c}")?,
                        '\n' => f.write_str("\\n")?,
                        '\r' => f.write_str("\\r")?,
                        '\t' => f.write_str("\\t")?,
                        c if c.is_control() => write!(f, "\\x{:02x}", u32::from(c))?,
                        c => write!(f, "{c}")?,
                    }
                }
                f.write_str("'")
            }
            Item::Bytes(b) => {
                f.write_str("b'")?;
                for &byte in b {
                    match byte {
                        b'\\' | b'\'' => write!(f, "\\{}", char::from(byte))?,
                        b'\n' => f.write_str("\\n")?,
                        b'\r' => f.write_str("\\r")?,
                        b'\t' => f.write_str("\\t")?,
                        0x20..0x7f => write!(f, "{}", char::from(byte))?,
                        _ => write!(f, "\\x{byte:02x}")?,
                    }
                }
                f.write_str("'")
            }
        }
    }
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Item {
            fn from(value: $t) -> Item {
                Item::Int(i64::from(value))
            }
        }
    )*};
}
from_int!(i8, i16, i32, i64, u8, u16, u32);

impl From<f64> for Item {
    fn from(value: f64) -> Item {
        Item::Float(value)
    }
}

impl From<f32> for Item {
    fn from(value: f32) -> Item {
        Item::Float(f64::from(value))
    }
}

impl From<bool> for Item {
    fn from(value: bool) -> Item {
        Item::Bool(value)
    }
}

impl From<&str> for Item {
    fn from(value: &str) -> Item {
        Item::Str(value.to_owned())
    }
}

impl From<String> for Item {
    fn from(value: String) -> Item {
        Item::Str(value)
    }
}

impl From<&[u8]> for Item {
    fn from(value: &[u8]) -> Item {
        Item::Bytes(value.to_vec())
    }
}

impl From<Vec<u8>> for Item {
    fn from(value: Vec<u8>) -> Item {
        Item::Bytes(value)
    }
}

impl<T: Into<Item>> From<Option<T>> for Item {
    fn from(value: Option<T>) -> Item {
        value.map_or(Item::None, Into::into)
    }
}

impl From<&Item> for Item {
    fn from(value: &Item) -> Item {
        value.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_compare_exactly_across_kinds() {
        assert!(Item::Int(2).python_eq(&Item::Float(2.0)));
        assert!(!Item::Int(2).python_eq(&Item::Float(2.5)));
        assert!(Item::Bool(false).python_eq(&Item::Int(0)));
        let big = (1i64 << 53) + 1;
        assert!(!Item::Int(big).python_eq(&Item::Float(big as f64)));
        assert!(!Item::Float(f64::NAN).python_eq(&Item::Float(f64::NAN)));
        assert!(Item::None.python_eq(&Item::None));
        assert!(!Item::None.python_eq(&Item::Int(0)));
    }

    #[test]
    fn display_is_python_s_repr() {
        let shown: Vec<String> = [
            Item::None,
            Item::Bool(true),
            Item::Int(-3),
            Item::Float(2.5),
            Item::Float(1.0),
            Item::Str("it's\n".into()),
            Item::Bytes(b"a\x01\\'".to_vec()),
        ]
        .iter()
        .map(Item::to_string)
        .collect();
        assert_eq!(
            shown,
            [
                "None",
                "True",
                "-3",
                "2.5",
                "1.0",
                "'it\\'s\\n'",
                "b'a\\x01\\\\\\''"
            ]
        );
    }
}
