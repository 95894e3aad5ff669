//! Naming a function across processes, and calling a zero-sized task.
//!
//! A task crosses to the child as the *offset* of a monomorphized entry
//! function from a fixed anchor function. Parent and child run the same
//! binary (checked by the handshake), so the same offset names the same
//! function in both, wherever address-space randomisation loaded it.

use std::ptr::NonNull;

/// What an entry does with a request: decode the input, run the task,
/// encode the outcome into `out` (empty on entry; a bulk result is moved
/// into its body); the returned byte is the reply status.
pub(crate) type Entry = fn(input: &[u8], out: &mut crate::wire::codec::Encoded) -> u8;

/// The origin of entry offsets. Never inlined, so it has an address.
#[inline(never)]
fn anchor() -> u64 {
    std::hint::black_box(0x706f_6f6c_7274)
}

fn anchor_address() -> usize {
    anchor as fn() -> u64 as usize
}

/// The offset that names `entry` in any process of this binary.
pub(crate) fn offset_of(entry: Entry) -> u64 {
    (entry as usize).wrapping_sub(anchor_address()) as u64
}

/// The entry an offset names, if the address lies in this binary's code
/// (`in_text` tells; the caller reads it from `/proc/self/maps`).
///
/// # Safety
///
/// `offset` must have been computed by [`offset_of`] on an [`Entry`] in a
/// process running this very binary (the handshake compares both sides'
/// build fingerprints). `in_text` only rules out addresses outside the
/// code; it cannot tell a function's start from the middle of one, so a
/// forged offset would be called as if it were an entry.
pub(crate) unsafe fn entry_at(offset: u64, in_text: impl Fn(usize) -> bool) -> Option<Entry> {
    let address = anchor_address().wrapping_add(offset as usize);
    if !in_text(address) {
        return None;
    }
    // SAFETY: the caller guarantees `offset` names an `Entry` of this
    // binary, so `address` is that function in this process.
    Some(unsafe { std::mem::transmute::<usize, Entry>(address) })
}

/// An address inside this binary's code, to find its mapping.
pub(crate) fn code_address() -> usize {
    anchor_address()
}

/// Produces the value of a zero-sized task type: a fn item or a closure
/// that captures nothing.
///
/// # Safety
///
/// A value of `F` must have existed in this program (in any of its
/// processes): the parent held the callable it named the task by. That
/// rules out zero-sized types whose values only a constructor may make
/// (a proof token, `!`-like types): conjuring one would forge it.
pub(crate) unsafe fn conjure<F: Copy + 'static>() -> F {
    const {
        assert!(
            size_of::<F>() == 0,
            "a process task must be a fn item or a closure that captures nothing"
        )
    };
    // SAFETY: `F` is zero-sized (checked at compile time above) and
    // `Copy`, and the caller guarantees a value of it exists, so it has
    // exactly one value, which holds no bytes, equal to the one the
    // parent passed to the pool. Reading a zero-sized value through a
    // dangling, aligned, non-null pointer is allowed.
    unsafe { NonNull::<F>::dangling().as_ptr().read() }
}
