//! The one trait every object a manager holds implements, built-in or
//! registered ([`Shared`]), and its type-erased form the server calls.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::{Condvar, Mutex};
use serde::{Deserialize, Serialize};

use crate::task::Wire;

/// Who made a call: the calling process (a random token each process
/// draws once) and its thread (a token per thread of that process).
/// Objects that have owners (locks) record it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Caller {
    /// The calling process's token.
    pub process: u64,
    /// The calling thread's token, unique within its process.
    pub thread: u64,
}

/// What [`Shared::handle`] did with a command.
#[derive(Debug)]
pub enum Handled<R> {
    /// It was served; this is the reply.
    Done(R),
    /// It cannot be served yet (a lock is held, a queue is empty): the
    /// server calls `handle` again with the same command after another
    /// call changed the object, until the caller's timeout passes.
    Wait,
    /// As [`Wait`](Handled::Wait), but the command changed the object on
    /// the way (a condition's `wait` released its lock): other waiting
    /// commands are tried again.
    WaitChanged,
}

/// An object a [`Manager`](crate::Manager) holds and serves to proxies:
/// Python's `BaseManager.register(typeid, callable)`. The manager's
/// built-in types (dict, list, lock, queue, ...) implement it too.
///
/// A command arrives as `Command`, deserialized by the server; its
/// `Reply` goes back to the proxy. Calls on one object are served one
/// at a time (`&mut self`); a command that must wait answers
/// [`Handled::Wait`] and is tried again after each change, without
/// blocking other callers of the object.
///
/// # Examples
///
/// ```
/// use pool_process::managers::{Caller, Handled, Shared};
/// use pool_process::Manager;
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Default)]
/// struct Counter(i64);
///
/// #[derive(Serialize, Deserialize)]
/// enum Op { Add(i64), Get }
///
/// impl Shared for Counter {
///     type Command = Op;
///     type Reply = i64;
///     fn handle(&mut self, op: Op, _: Caller) -> Handled<i64> {
///         if let Op::Add(n) = op {
///             self.0 += n;
///         }
///         Handled::Done(self.0)
///     }
/// }
///
/// let manager = Manager::builder()
///     .register("Counter", |start: i64| Counter(start))
///     .start()
///     .unwrap();
/// let counter = manager.create::<Counter, _>("Counter", &10).unwrap();
/// assert_eq!(counter.call(Op::Add(5)).unwrap(), 15);
/// assert_eq!(counter.call(Op::Get).unwrap(), 15);
/// ```
pub trait Shared: Send + 'static {
    /// What a proxy asks.
    type Command: Wire;
    /// What the object answers.
    type Reply: Wire;

    /// Serves one command from `caller`.
    fn handle(&mut self, command: Self::Command, caller: Caller) -> Handled<Self::Reply>;

    /// Every connection of the process `process` is gone (it exited or
    /// died): release what it held. Returns whether anything changed, so
    /// that waiting commands are tried again. The default holds nothing.
    fn caller_gone(&mut self, process: u64) -> bool {
        let _ = process;
        false
    }

    /// A command of `caller` that answered [`Handled::Wait`] will not be
    /// tried again: its timeout passed, or its caller hung up. Returns
    /// whether anything changed (a barrier breaks, for one). The default
    /// keeps no state for waiting callers.
    fn gave_up(&mut self, caller: Caller) -> bool {
        let _ = caller;
        false
    }
}

/// What one call of an [`Object`] came to.
pub(super) enum Served {
    Reply(Vec<u8>),
    /// Not yet; `changed` when the object changed all the same.
    Wait {
        changed: bool,
    },
}

/// What the server calls: a [`Shared`] with its types erased.
pub(super) trait Object: Send {
    /// The reply, or a wait, or `Err` when the command is not one of this
    /// object's.
    fn call(&mut self, command: &[u8], caller: Caller) -> Result<Served, String>;
    fn caller_gone(&mut self, process: u64) -> bool;
    fn gave_up(&mut self, caller: Caller) -> bool;
}

impl<S: Shared> Object for S {
    fn call(&mut self, command: &[u8], caller: Caller) -> Result<Served, String> {
        let command: S::Command = postcard::from_bytes(command).map_err(|e| {
            format!(
                "the command is not a {} ({e})",
                std::any::type_name::<S::Command>()
            )
        })?;
        match self.handle(command, caller) {
            Handled::Done(reply) => postcard::to_stdvec(&reply).map(Served::Reply).map_err(|e| {
                format!(
                    "the reply ({}) did not serialize: {e}",
                    std::any::type_name::<S::Reply>()
                )
            }),
            Handled::Wait => Ok(Served::Wait { changed: false }),
            Handled::WaitChanged => Ok(Served::Wait { changed: true }),
        }
    }

    fn caller_gone(&mut self, process: u64) -> bool {
        Shared::caller_gone(self, process)
    }

    fn gave_up(&mut self, caller: Caller) -> bool {
        Shared::gave_up(self, caller)
    }
}

/// One object on the server, with the condition its waiting commands
/// wait on.
pub(super) struct Slot {
    pub(super) kind: String,
    pub(super) object: Mutex<Box<dyn Object>>,
    pub(super) changed: Condvar,
}

/// Builds an object of one kind from its postcard arguments.
pub(super) type Constructor = Arc<dyn Fn(&[u8]) -> Result<Box<dyn Object>, String> + Send + Sync>;

/// The kinds a manager can make, by name, with their Rust type names.
#[derive(Clone, Default)]
pub(super) struct Registry {
    pub(super) kinds: HashMap<String, (&'static str, Constructor)>,
}

impl Registry {
    /// Registers `make` under `kind`; its arguments arrive as `A`.
    pub(super) fn add<S: Shared, A: Wire>(
        &mut self,
        kind: &str,
        make: impl Fn(A) -> S + Send + Sync + 'static,
    ) {
        let constructor: Constructor = Arc::new(move |args: &[u8]| {
            let args: A = postcard::from_bytes(args).map_err(|e| {
                format!(
                    "the arguments are not a {} ({e})",
                    std::any::type_name::<A>()
                )
            })?;
            Ok(Box::new(make(args)) as Box<dyn Object>)
        });
        self.kinds
            .insert(kind.to_owned(), (std::any::type_name::<S>(), constructor));
    }
}

/// The objects a server holds, by id and by name.
#[derive(Default)]
pub(super) struct Store {
    next_id: u64,
    pub(super) objects: HashMap<u64, Arc<Slot>>,
    names: HashMap<String, u64>,
}

impl Store {
    /// Adds `object` (under `name`, if given); returns its id.
    pub(super) fn add(&mut self, kind: &str, name: Option<String>, object: Box<dyn Object>) -> u64 {
        self.next_id += 1;
        let id = self.next_id;
        self.objects.insert(
            id,
            Arc::new(Slot {
                kind: kind.to_owned(),
                object: Mutex::new(object),
                changed: Condvar::new(),
            }),
        );
        if let Some(name) = name {
            self.names.insert(name, id);
        }
        id
    }

    /// The id and kind of the object named `name`.
    pub(super) fn named(&self, name: &str) -> Option<(u64, String)> {
        let id = *self.names.get(name)?;
        Some((id, self.objects.get(&id)?.kind.clone()))
    }
}
