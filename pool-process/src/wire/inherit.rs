//! Handing the descriptors of shared objects to a [`Process`]'s child, or
//! to every worker of a pool through its initializer's arguments.
//!
//! Python shares a `multiprocessing.Queue` or `Lock` with a child "by
//! inheritance": it must be an argument of the `Process` (or of the pool's
//! `initializer`, in `initargs`), not of a pool task. Here the same holds,
//! and it works like this:
//!
//! 1. `Process` encodes its arguments (a pool builder its initializer's)
//!    inside [`collect`]. A shared object
//!    met on the way [`export`]s a duplicate of its descriptor into the
//!    collection and serializes only its index.
//! 2. The collected descriptors reach the child as descriptors 5, 6, ...
//!    through the spawn's file actions, and their count through the worker
//!    marker; the child [`adopt`]s them before it decodes anything. A pool
//!    keeps its initializer's descriptors for its whole life, so every
//!    replacement worker inherits them too.
//! 3. Decoding the object in the child [`import`]s the descriptor at its
//!    index and maps the same memory (or socket) again.
//!
//! # Sent to a process that is already running
//!
//! A [`Connection`] send and a process [`Queue`] put also encode inside
//! [`collect`], and send the collected descriptors with the message
//! (`SCM_RIGHTS`: over the connection's own socket, or the queue's
//! descriptor socket in order with its records). The receiver decodes
//! inside [`receiving`], which makes the message's own descriptors the
//! import table for that one decode, on that one thread: concurrent
//! receives on other threads each see only their own message's. An
//! import there takes a duplicate, so the message keeps its descriptors
//! whole until [`receiving`] gives them back: a receive that fails keeps
//! them with the message, and dropping them closes them.
//!
//! Outside all of this (say, as an argument of `Pool::apply`) `export`
//! fails, so the value fails to serialize with a message saying why, as
//! Python raises "should only be shared between processes through
//! inheritance".
//!
//! [`Process`]: crate::Process
//! [`Connection`]: crate::Connection
//! [`Queue`]: crate::Queue

use std::cell::RefCell;
use std::os::fd::{BorrowedFd, OwnedFd};

use parking_lot::Mutex;

thread_local! {
    /// Descriptors collected while a `Process` encodes its arguments.
    static OUTGOING: RefCell<Option<Vec<OwnedFd>>> = const { RefCell::new(None) };
}

thread_local! {
    /// Why the last `export` on this thread refused: postcard keeps only
    /// "Serde Serialization Error" of a custom message, so the encoder
    /// asks here for the reason ([`explain`]).
    static REFUSAL: RefCell<Option<String>> = const { RefCell::new(None) };
}

thread_local! {
    /// The descriptors of the message this thread is decoding, inside
    /// [`receiving`].
    static INCOMING: RefCell<Option<Vec<OwnedFd>>> = const { RefCell::new(None) };
}

/// Descriptors this process inherited from its parent, by index, until
/// the object that owns each one takes it.
static INHERITED: Mutex<Vec<Option<OwnedFd>>> = Mutex::new(Vec::new());

/// Runs `encode`, collecting the descriptors of the shared objects it
/// serializes (step 1).
pub(crate) fn collect<R>(encode: impl FnOnce() -> R) -> (R, Vec<OwnedFd>) {
    let previous = OUTGOING.with(|o| o.replace(Some(Vec::new())));
    let result = encode();
    let fds = OUTGOING.with(|o| o.replace(previous)).unwrap_or_default();
    (result, fds)
}

/// Adds `fd` to the collection and returns its index; a message for the
/// serializer when no `Process` is encoding (`what` names the object).
pub(crate) fn export(fd: BorrowedFd<'_>, what: &str) -> Result<u32, String> {
    OUTGOING.with(|o| match &mut *o.borrow_mut() {
        Some(fds) => {
            let copy = fd
                .try_clone_to_owned()
                .map_err(|e| format!("cannot duplicate the {what}'s descriptor: {e}"))?;
            fds.push(copy);
            Ok((fds.len() - 1) as u32)
        }
        None => {
            let refusal = format!(
                "a {what} can only be passed to another process as an argument of a \
                 Process or of a pool's initializer, or sent through a Pipe \
                 (Connection) or a process Queue; not as a pool task's argument or \
                 result"
            );
            REFUSAL.with(|r| r.replace(Some(refusal.clone())));
            Err(refusal)
        }
    })
}

/// The message for a serializer error: the reason a shared object refused
/// to be serialized, if that is what failed, else the error itself.
pub(crate) fn explain(error: impl std::fmt::Display) -> String {
    match REFUSAL.with(|r| r.take()) {
        Some(refusal) => refusal,
        None => error.to_string(),
    }
}

/// Step 2, in the child: keeps the inherited descriptors.
pub(crate) fn adopt(fds: Vec<OwnedFd>) {
    *INHERITED.lock() = fds.into_iter().map(Some).collect();
}

/// Runs `decode` with `fds`, the descriptors that came with one message,
/// as the table its shared objects import from; gives them back after
/// (to keep with the message if the decode failed, else to close).
pub(crate) fn receiving<R>(fds: Vec<OwnedFd>, decode: impl FnOnce() -> R) -> (R, Vec<OwnedFd>) {
    let previous = INCOMING.with(|i| i.replace(Some(fds)));
    let result = decode();
    let fds = INCOMING.with(|i| i.replace(previous)).unwrap_or_default();
    (result, fds)
}

/// Step 3: descriptor `index`, handed over to the object being decoded
/// (so that dropping the object closes it: a pipe end or socket the child
/// drops is closed for good). Inside [`receiving`], a duplicate of the
/// message's descriptor `index`; else the inherited one, taken.
pub(crate) fn import(index: u32, what: &str) -> Result<OwnedFd, String> {
    let from_message = INCOMING.with(|i| {
        i.borrow()
            .as_ref()
            .map(|fds| match fds.get(index as usize) {
                Some(fd) => fd.try_clone().map_err(|e| {
                    format!(
                        "cannot duplicate the descriptor of a {what} received in a message: {e}"
                    )
                }),
                None => Err(format!(
                    "no descriptor #{index} for a {what} came with the message ({} did)",
                    fds.len()
                )),
            })
    });
    if let Some(imported) = from_message {
        return imported;
    }
    INHERITED
        .lock()
        .get_mut(index as usize)
        .and_then(Option::take)
        .ok_or_else(|| {
            format!(
                "no inherited descriptor #{index} for a {what}: it was not passed to this \
                 process, or was taken already"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsFd;

    #[test]
    fn export_works_only_while_collecting() {
        let file = std::fs::File::open(std::env::current_exe().unwrap()).unwrap();
        let error = export(file.as_fd(), "Queue").unwrap_err();
        assert!(error.contains("only be passed"), "{error}");
        assert_eq!(explain("postcard's message"), error);
        assert_eq!(explain("postcard's message"), "postcard's message");
        let (indices, fds) = collect(|| {
            [
                export(file.as_fd(), "Queue").unwrap(),
                export(file.as_fd(), "Lock").unwrap(),
            ]
        });
        assert_eq!(indices, [0, 1]);
        assert_eq!(fds.len(), 2);
        assert!(export(file.as_fd(), "Queue").is_err(), "collection ended");
    }

    #[test]
    fn a_message_imports_only_its_own_descriptors_and_keeps_them() {
        let file = std::fs::File::open(std::env::current_exe().unwrap()).unwrap();
        let fds = vec![file.as_fd().try_clone_to_owned().unwrap()];
        let (imported, fds) = receiving(fds, || {
            let fd = import(0, "Fd").unwrap();
            let missing = import(1, "Lock").unwrap_err();
            let other_thread = std::thread::scope(|s| s.spawn(|| import(0, "Fd")).join());
            (fd, missing, other_thread.unwrap())
        });
        assert_eq!(fds.len(), 1, "the message keeps its descriptor");
        assert!(
            imported.1.contains("no descriptor #1 for a Lock"),
            "{}",
            imported.1
        );
        let error = imported.2.unwrap_err();
        assert!(error.contains("no inherited descriptor #0"), "{error}");
    }
}
