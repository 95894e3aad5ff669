//! A [`Barrier`](crate::Barrier)'s action, named across processes: the
//! action is a zero-sized callable (a fn item or a closure that captures
//! nothing), named by the offset of an entry function monomorphized for
//! it, as a task is (`task/entry.rs`, `sys/entry.rs`). The offset lives in
//! the barrier's segment, so whichever process arrives last can run it.

use pool_core::Panic;

use crate::sys::entry::{conjure, entry_at, offset_of};
use crate::worker::fingerprint::in_own_code;

/// The entry that runs the action `F`: conjures it and calls it.
fn action_entry<F: Fn() + Copy + Send + Sync + 'static>(
    _: &[u8],
    _: &mut crate::wire::codec::Encoded,
) -> u8 {
    #[allow(unsafe_code)] // conjure; see SAFETY
    // SAFETY: this entry is named only by the offset `offset` computes
    // while it holds a value of `F` (the `action` of
    // `Barrier::with_action`).
    let action = unsafe { conjure::<F>() };
    action();
    0
}

/// The offset that names `action` in every process of this binary.
pub(super) fn offset<F: Fn() + Copy + Send + Sync + 'static>(action: F) -> u64 {
    let _ = action;
    offset_of(action_entry::<F>)
}

/// Runs the action `offset` names; its panic, or an error if the offset
/// names no code of this binary.
pub(super) fn run(offset: u64) -> Result<(), Panic> {
    #[allow(unsafe_code)] // a call by offset; see SAFETY
    // SAFETY: the offset was written into the barrier's segment by
    // `Barrier::with_action`, computed by `offset` above with `offset_of`
    // on an entry, in this process or another running this very binary
    // (a segment reaches only children of this program, which the
    // handshake checks run the same build).
    let entry = unsafe { entry_at(offset, in_own_code) };
    let Some(entry) = entry else {
        return Err(Panic::new(
            format!("the barrier's action (offset {offset:#x}) is not in this program's code"),
            None,
            None,
        ));
    };
    pool_core::catch_task_panic(|| entry(&[], &mut Default::default())).map(|_| ())
}
