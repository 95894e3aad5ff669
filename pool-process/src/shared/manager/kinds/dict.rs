//! The dict a manager holds: keys and values as postcard bytes, in
//! insertion order.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::super::object::{Caller, Handled, Shared};

type Bytes = Vec<u8>;

/// A dict's commands.
#[derive(Serialize, Deserialize)]
pub(crate) enum DictCommand {
    Set(Bytes, Bytes),
    Get(Bytes),
    Remove(Bytes),
    Len,
    Items,
    Clear,
    Update(Vec<(Bytes, Bytes)>),
    SetDefault(Bytes, Bytes),
    PopItem,
}

/// A dict's replies.
#[derive(Serialize, Deserialize)]
pub(crate) enum DictReply {
    Done,
    Value(Option<Bytes>),
    Len(u64),
    Items(Vec<(Bytes, Bytes)>),
    Item(Option<(Bytes, Bytes)>),
}

#[derive(Default)]
pub(crate) struct DictObject(IndexMap<Bytes, Bytes>);

impl DictObject {
    pub(crate) fn new(_: ()) -> DictObject {
        DictObject::default()
    }
}

impl Shared for DictObject {
    type Command = DictCommand;
    type Reply = DictReply;

    fn handle(&mut self, command: DictCommand, _: Caller) -> Handled<DictReply> {
        let map = &mut self.0;
        Handled::Done(match command {
            DictCommand::Set(k, v) => {
                map.insert(k, v);
                DictReply::Done
            }
            DictCommand::Get(k) => DictReply::Value(map.get(&k).cloned()),
            DictCommand::Remove(k) => DictReply::Value(map.shift_remove(&k)),
            DictCommand::Len => DictReply::Len(map.len() as u64),
            DictCommand::Items => {
                DictReply::Items(map.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            }
            DictCommand::Clear => {
                map.clear();
                DictReply::Done
            }
            DictCommand::Update(items) => {
                map.extend(items);
                DictReply::Done
            }
            DictCommand::SetDefault(k, v) => {
                DictReply::Value(Some(map.entry(k).or_insert(v).clone()))
            }
            // Python's popitem: the last inserted.
            DictCommand::PopItem => DictReply::Item(map.pop()),
        })
    }
}
