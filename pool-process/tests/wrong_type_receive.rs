//! A receive of the wrong type is an error on every channel (Queue, Pipe,
//! a manager's Dict and List), never a silently wrong value; a Pipe keeps
//! the message for the next receive.
//!
//! Regression: `Queue::get` ignored trailing bytes, so a `Queue<(u8, u8)>`
//! holding `(0, 7)` read as `String` yielded `""`; a failed `recv::<T>()`
//! consumed the message.

mod support;

use pool_core::ErrorKind;
use pool_process::{Connection, Dict, List, Manager, Pipe, Process, Queue};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The value sent: postcard writes it as [0, 7], and a `String` reads the
/// first byte as an empty string's length, leaving one byte over.
const TRAILING: Pair = (0, 7);

type Pair = (u8, u8);

/// A `Queue<Pair>` that a child receives as a `Queue<String>`: the same
/// ring seen through another type, as a mistaken program would.
enum Retyped {
    Numbers(Queue<Pair>),
    Strings(Queue<String>),
}

impl Serialize for Retyped {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Retyped::Numbers(q) => q.serialize(s),
            Retyped::Strings(q) => q.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Retyped {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Retyped, D::Error> {
        Queue::<String>::deserialize(d).map(Retyped::Strings)
    }
}

/// In the child: reads the queue as strings and reports what happened.
fn read_as_strings(queue: Retyped, report: Connection) {
    let Retyped::Strings(queue) = queue else {
        unreachable!("decoded as strings")
    };
    let outcome = match queue.get_timeout(std::time::Duration::from_secs(10)) {
        Ok(text) => Ok(text),
        Err(e) => Err(e
            .error()
            .map(|e| (e.kind() == ErrorKind::Deserialize, super_text(e)))
            .unwrap_or((false, "empty".to_owned()))),
    };
    report.send(&outcome).unwrap();
}

fn super_text(error: &pool_core::Error) -> String {
    let source = std::error::Error::source(error).map(ToString::to_string);
    format!("{error} | {}", source.unwrap_or_default())
}

#[test]
fn a_queue_read_as_another_type_is_an_error() {
    let queue: Queue<Pair> = Queue::new(4).unwrap();
    queue.put(TRAILING).unwrap();
    let (report, child_end) = Pipe(true).unwrap();
    let child = Process::new(read_as_strings, (Retyped::Numbers(queue), child_end));
    child.start().unwrap();
    let outcome = report
        .recv_timeout::<Result<String, (bool, String)>>(support::BOUND)
        .unwrap();
    child.join().unwrap();
    let (deserialize, text) = outcome.expect_err("never a wrong value");
    assert!(deserialize, "{text}");
    assert!(text.contains("left over"), "{text}");
}

#[test]
fn a_pipe_message_of_another_type_is_an_error_and_is_kept() {
    let (a, b) = Pipe(true).unwrap();
    a.send(&TRAILING).unwrap();
    a.send(&"second".to_owned()).unwrap();
    let error = b.recv::<String>().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Deserialize, "{error:?}");
    let cause = std::error::Error::source(&error).unwrap().to_string();
    assert!(cause.contains("left over"), "{cause}");
    assert!(b.poll(std::time::Duration::ZERO).unwrap(), "still there");
    // A second wrong guess keeps it too.
    assert_eq!(
        b.recv::<(u8, u8, u8, u8)>().unwrap_err().kind(),
        ErrorKind::Deserialize
    );
    assert_eq!(b.recv::<Pair>().unwrap(), TRAILING, "the message was kept");
    assert_eq!(b.recv::<String>().unwrap(), "second", "in order");
}

#[test]
fn a_manager_dict_read_as_another_type_is_an_error() {
    let manager = Manager::new().unwrap();
    let numbers: Dict<u8, Pair> = manager.dict().unwrap();
    numbers.insert(1, TRAILING).unwrap();
    // The same dict, seen through a proxy of another type.
    let bytes = postcard::to_stdvec(&numbers).unwrap();
    let strings: Dict<u8, String> = postcard::from_bytes(&bytes).unwrap();
    let error = strings.get(&1).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Deserialize, "{error:?}");
    assert_eq!(strings.items().unwrap_err().kind(), ErrorKind::Deserialize);
    assert_eq!(numbers.get(&1).unwrap(), Some(TRAILING), "nothing lost");
}

#[test]
fn a_manager_list_read_as_another_type_is_an_error() {
    let manager = Manager::new().unwrap();
    let numbers: List<Pair> = manager.list([TRAILING, TRAILING]).unwrap();
    let bytes = postcard::to_stdvec(&numbers).unwrap();
    let strings: List<String> = postcard::from_bytes(&bytes).unwrap();
    assert_eq!(strings.get(0).unwrap_err().kind(), ErrorKind::Deserialize);
    assert_eq!(strings.to_vec().unwrap_err().kind(), ErrorKind::Deserialize);
    assert_eq!(numbers.to_vec().unwrap(), [TRAILING, TRAILING]);
}
