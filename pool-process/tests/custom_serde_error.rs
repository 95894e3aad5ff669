//! A user type's own serde error message reaches the caller, on every
//! path: a pool argument and result, a map, a Queue and a Pipe, at the
//! top level and nested inside other types.
//!
//! Regression: postcard keeps no custom message, so every such failure
//! arrived as just "Serde Serialization Error" / "Serde Deserialization
//! Error".

use pool_core::{Error, ErrorKind};
use pool_process::{Pipe, Pool, Queue};
use serde::de::Error as _;
use serde::ser::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Serializing it fails with a message naming the value.
#[derive(Debug, Deserialize)]
struct Refuses(u32);

impl Serialize for Refuses {
    fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(S::Error::custom(format!("Refuses({}) will not go", self.0)))
    }
}

/// Deserializing it fails unless the number is even.
#[derive(Debug, Serialize, Clone, Copy)]
struct Even(u32);

impl<'de> Deserialize<'de> for Even {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Even, D::Error> {
        let n = u32::deserialize(d)?;
        if n % 2 == 0 {
            Ok(Even(n))
        } else {
            Err(D::Error::custom(format!(
                "{n} is odd, an Even must be even"
            )))
        }
    }
}

/// The user types deep inside others.
#[derive(Debug, Serialize, Deserialize)]
enum Nested {
    Refusing {
        label: String,
        items: Vec<Option<Refuses>>,
    },
    Evens(String, Vec<(u8, Even)>),
}

/// The error's whole text: its display and every source's.
fn text(error: &Error) -> String {
    let mut all = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        all.push_str(" | ");
        all.push_str(&cause.to_string());
        source = cause.source();
    }
    all
}

fn assert_says(error: &Error, kind: ErrorKind, message: &str) {
    assert_eq!(error.kind(), kind, "{error:?}");
    let all = text(error);
    assert!(all.contains(message), "{all:?} should say {message:?}");
}

fn take_refuses(r: Refuses) -> u32 {
    r.0
}

fn make_refuses(n: u32) -> Refuses {
    Refuses(n)
}

fn take_nested(n: Nested) -> usize {
    match n {
        Nested::Refusing { items, .. } => items.len(),
        Nested::Evens(_, items) => items.len(),
    }
}

fn make_evens(n: u32) -> Nested {
    Nested::Evens("x".into(), vec![(1, Even(2)), (2, Even(n))])
}

#[test]
fn a_serialize_message_reaches_the_caller_of_apply_and_map() {
    let pool = Pool::new(1).unwrap();
    let error = pool.apply(take_refuses, Refuses(7)).unwrap_err();
    assert_says(&error, ErrorKind::Serialize, "Refuses(7) will not go");
    let nested = Nested::Refusing {
        label: "l".into(),
        items: vec![None, Some(Refuses(8))],
    };
    let error = pool.apply(take_nested, nested).unwrap_err();
    assert_says(&error, ErrorKind::Serialize, "Refuses(8) will not go");
    let error = pool.map(take_refuses, (0..3).map(Refuses)).unwrap_err();
    assert_says(&error, ErrorKind::Serialize, "Refuses(0) will not go");
    // A result the worker cannot serialize.
    let error = pool.apply(make_refuses, 9).unwrap_err();
    assert_says(&error, ErrorKind::Serialize, "Refuses(9) will not go");
    let error = pool.map_chunked(make_refuses, 0..4, 2).unwrap_err();
    assert_says(&error, ErrorKind::Serialize, "will not go");
    assert_eq!(pool.apply(|x: u8| x + 1, 1).unwrap(), 2, "the pool goes on");
}

#[test]
fn a_deserialize_message_reaches_the_caller_of_apply_and_map() {
    let pool = Pool::new(1).unwrap();
    // An argument the worker cannot deserialize.
    let error = pool.apply(|e: Even| e.0, Even(3)).unwrap_err();
    assert_says(
        &error,
        ErrorKind::Deserialize,
        "3 is odd, an Even must be even",
    );
    // A nested result the parent cannot deserialize.
    let error = pool.apply(make_evens, 5).unwrap_err();
    assert_says(&error, ErrorKind::Deserialize, "5 is odd");
    let error = pool.map(make_evens, [2, 4, 11]).unwrap_err();
    assert_says(&error, ErrorKind::Deserialize, "11 is odd");
    assert_eq!(pool.apply(make_evens, 6).map(take_nested).unwrap(), 2);
}

#[test]
fn a_serialize_message_reaches_the_caller_of_queue_put_and_pipe_send() {
    let queue = Queue::new(4).unwrap();
    let error = queue.put(Refuses(1)).unwrap_err();
    let error = error.error().expect("a failure, not a full queue").clone();
    assert_says(&error, ErrorKind::Serialize, "Refuses(1) will not go");
    let (a, _b) = Pipe(true).unwrap();
    let error = a.send(&vec![Refuses(2)]).unwrap_err();
    assert_says(&error, ErrorKind::Serialize, "Refuses(2) will not go");
}

#[test]
fn a_deserialize_message_reaches_the_caller_of_queue_get_and_pipe_recv() {
    let (a, b) = Pipe(true).unwrap();
    a.send(&("seven", 7u32)).unwrap();
    let error = b.recv::<(String, Even)>().unwrap_err();
    assert_says(&error, ErrorKind::Deserialize, "7 is odd");
    let queue: Queue<Even> = Queue::new(4).unwrap();
    queue.put(Even(9)).unwrap();
    let error = queue.get().unwrap_err();
    assert_says(
        &error.error().expect("a failure, not empty").clone(),
        ErrorKind::Deserialize,
        "9 is odd",
    );
}
