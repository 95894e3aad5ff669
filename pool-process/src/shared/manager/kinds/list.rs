//! The list a manager holds: items as postcard bytes, indexes as Python
//! reads them (negative from the end, slices clamped).

use serde::{Deserialize, Serialize};

use super::super::object::{Caller, Handled, Shared};

type Bytes = Vec<u8>;

/// The most items `l *= n` may make.
const MAX_REPEATED: usize = 1 << 26;

/// A list's commands.
#[derive(Serialize, Deserialize)]
pub(crate) enum ListCommand {
    Append(Bytes),
    Extend(Vec<Bytes>),
    Get(i64),
    Set(i64, Bytes),
    Insert(i64, Bytes),
    Pop(i64),
    Len,
    Items,
    Clear,
    Reverse,
    /// `l[start:stop]`.
    Slice(Option<i64>, Option<i64>),
    /// `l[start:stop] = items`.
    SetSlice(Option<i64>, Option<i64>, Vec<Bytes>),
    /// `del l[start:stop]`.
    DelSlice(Option<i64>, Option<i64>),
    Count(Bytes),
    /// `l.index(x, start, stop)`.
    Index(Bytes, Option<i64>, Option<i64>),
    /// `l.remove(x)`.
    Remove(Bytes),
    /// `l *= n`.
    Repeat(u64),
    /// The items and the list's version (for an optimistic sort).
    Versioned,
    /// Replaces the items if the version is still this one.
    ReplaceIf(u64, Vec<Bytes>),
}

/// A list's replies.
#[derive(Serialize, Deserialize)]
pub(crate) enum ListReply {
    Done,
    Value(Bytes),
    Len(u64),
    Items(Vec<Bytes>),
    Versioned(u64, Vec<Bytes>),
    Replaced(bool),
    /// Python's `IndexError`.
    OutOfRange(String),
    /// Python's `ValueError` (an item not in the list).
    NotFound(String),
}

#[derive(Default)]
pub(crate) struct ListObject {
    items: Vec<Bytes>,
    version: u64,
}

impl ListObject {
    pub(crate) fn new(items: Vec<Bytes>) -> ListObject {
        ListObject { items, version: 0 }
    }
}

/// `index` counted from the end when negative, as in Python; `None` when
/// out of range.
pub(crate) fn position(len: usize, index: i64) -> Option<usize> {
    let len = i64::try_from(len).ok()?;
    let at = if index < 0 { index + len } else { index };
    (0..len).contains(&at).then_some(at as usize)
}

/// A slice bound, clamped into `0..=len` as Python does.
fn bound(len: usize, index: Option<i64>, default: usize) -> usize {
    let Some(index) = index else { return default };
    let len = len as i64;
    let at = if index < 0 { index + len } else { index };
    at.clamp(0, len) as usize
}

/// `start..stop` of a slice, empty when `stop < start`.
fn range(len: usize, start: Option<i64>, stop: Option<i64>) -> std::ops::Range<usize> {
    let start = bound(len, start, 0);
    let stop = bound(len, stop, len).max(start);
    start..stop
}

fn out_of_range(index: i64, len: usize) -> ListReply {
    ListReply::OutOfRange(format!("list index {index} of a list of {len}"))
}

impl Shared for ListObject {
    type Command = ListCommand;
    type Reply = ListReply;

    fn handle(&mut self, command: ListCommand, _: Caller) -> Handled<ListReply> {
        use ListCommand as C;
        let items = &mut self.items;
        let len = items.len();
        let changes = !matches!(
            command,
            C::Get(_)
                | C::Len
                | C::Items
                | C::Slice(..)
                | C::Count(_)
                | C::Index(..)
                | C::Versioned
        );
        let reply = match command {
            C::Append(item) => {
                items.push(item);
                ListReply::Done
            }
            C::Extend(more) => {
                items.extend(more);
                ListReply::Done
            }
            C::Get(index) => match position(len, index) {
                Some(at) => ListReply::Value(items[at].clone()),
                None => out_of_range(index, len),
            },
            C::Set(index, item) => match position(len, index) {
                Some(at) => {
                    items[at] = item;
                    ListReply::Done
                }
                None => out_of_range(index, len),
            },
            C::Insert(index, item) => {
                items.insert(bound(len, Some(index), len), item);
                ListReply::Done
            }
            C::Pop(index) => match position(len, index) {
                Some(at) => ListReply::Value(items.remove(at)),
                None if len == 0 => ListReply::OutOfRange("pop from an empty list".to_owned()),
                None => out_of_range(index, len),
            },
            C::Len => ListReply::Len(len as u64),
            C::Items => ListReply::Items(items.clone()),
            C::Clear => {
                items.clear();
                ListReply::Done
            }
            C::Reverse => {
                items.reverse();
                ListReply::Done
            }
            C::Slice(start, stop) => ListReply::Items(items[range(len, start, stop)].to_vec()),
            C::SetSlice(start, stop, new) => {
                items.splice(range(len, start, stop), new);
                ListReply::Done
            }
            C::DelSlice(start, stop) => {
                items.drain(range(len, start, stop));
                ListReply::Done
            }
            C::Count(item) => ListReply::Len(items.iter().filter(|x| **x == item).count() as u64),
            C::Index(item, start, stop) => {
                let within = range(len, start, stop);
                let first = within.start;
                match items[within].iter().position(|x| *x == item) {
                    Some(at) => ListReply::Len((first + at) as u64),
                    None => ListReply::NotFound("the item is not in the list".to_owned()),
                }
            }
            C::Remove(item) => match items.iter().position(|x| *x == item) {
                Some(at) => {
                    items.remove(at);
                    ListReply::Done
                }
                None => ListReply::NotFound("list.remove(x): x not in list".to_owned()),
            },
            C::Repeat(times) => {
                let times = usize::try_from(times).unwrap_or(usize::MAX);
                if len.saturating_mul(times) > MAX_REPEATED {
                    return Handled::Done(ListReply::OutOfRange(format!(
                        "a list of {len} repeated {times} times is over {MAX_REPEATED} items"
                    )));
                }
                let one = std::mem::take(items);
                if times > 0 && !one.is_empty() {
                    *items = Vec::with_capacity(one.len().saturating_mul(times).min(MAX_REPEATED));
                    for _ in 0..times {
                        items.extend(one.iter().cloned());
                    }
                }
                ListReply::Done
            }
            C::Versioned => ListReply::Versioned(self.version, items.clone()),
            C::ReplaceIf(version, new) => {
                if version == self.version {
                    *items = new;
                    ListReply::Replaced(true)
                } else {
                    ListReply::Replaced(false)
                }
            }
        };
        if changes {
            self.version += 1;
        }
        Handled::Done(reply)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_indexes_count_from_the_end_when_negative() {
        assert_eq!(position(3, 0), Some(0));
        assert_eq!(position(3, -1), Some(2));
        assert_eq!(position(3, -3), Some(0));
        assert_eq!(position(3, 3), None);
        assert_eq!(position(3, -4), None);
        assert_eq!(position(0, 0), None);
    }

    #[test]
    fn slices_clamp_as_in_python() {
        assert_eq!(range(5, Some(1), Some(3)), 1..3);
        assert_eq!(range(5, Some(-2), None), 3..5);
        assert_eq!(range(5, Some(4), Some(2)), 4..4);
        assert_eq!(range(5, Some(-10), Some(10)), 0..5);
    }
}
