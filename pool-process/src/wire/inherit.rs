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
//! Outside step 1 (say, as an argument of `Pool::apply`) `export` fails,
//! so the value fails to serialize with a message saying why, as Python
//! raises "should only be shared between processes through inheritance".
//!
//! [`Process`]: crate::Process

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
                "a {what} can only be passed to a child as an argument of a Process \
                 or of a pool's initializer (shared by inheritance), not sent \
                 through a pool task, queue or pipe"
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

/// Step 3: inherited descriptor `index`, handed over to the object being
/// decoded (so that dropping the object closes it: a pipe end or socket
/// the child drops is closed for good).
pub(crate) fn import(index: u32, what: &str) -> Result<OwnedFd, String> {
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
}
