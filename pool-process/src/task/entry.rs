//! The entry functions a worker runs, one per kind of request, and the
//! offsets that name them across processes.
//!
//! Each request names its entry by offset (see `sys/entry.rs`). An entry
//! is monomorphized for its task: it decodes the input, conjures the
//! zero-sized callable, runs it under `catch_unwind` and encodes the
//! outcome. There are four kinds, each a marker type naming its entry:
//!
//! | kind | request | reply |
//! |------|---------|-------|
//! | [`Call`] | one argument (`apply`, `submit`) | the result |
//! | [`Chunk`] | a slice of arguments (the map family) | each item's outcome ([`Outcomes`](super::Outcomes)) |
//! | [`Init`] | the initializer's argument | nothing, or its failure |
//! | [`Run`] | a [`Process`](crate::Process)'s target | nothing, or its failure |
//!
//! [`offset`] is the one way to name any of them.

use std::any::type_name;
use std::marker::PhantomData;

use super::outcomes::encode_outcomes;
use super::{InitOutcome, Runner, Wire};
use crate::sys::entry::{Entry, conjure, offset_of};
use crate::wire::codec::{self, Encoded};
use crate::wire::message::{FAILED, Failure, OK};

/// A kind of request, named by the entry function that serves it.
pub(crate) trait EntryKind {
    /// The entry, monomorphized for the task.
    const ENTRY: Entry;
}

/// The offset that names `E`'s entry in every process of this binary.
pub(crate) fn offset<E: EntryKind>() -> u64 {
    offset_of(E::ENTRY)
}

/// One task: `X::run(arg)`, replying with the result.
pub(crate) struct Call<X, A, R>(PhantomData<fn(A) -> (X, R)>);

/// A chunk of tasks: `X::run` on each item, replying with each outcome.
pub(crate) struct Chunk<X, A, R>(PhantomData<fn(A) -> (X, R)>);

/// The initializer `F(arg)`, run once before a worker's first task.
pub(crate) struct Init<F, A, O>(PhantomData<fn(A) -> (F, O)>);

/// A process target, `X::run(arg)`, whose outcome ends the process.
pub(crate) struct Run<X, A, O>(PhantomData<fn(A) -> (X, O)>);

impl<X: Runner<A, R>, A: Wire, R: Wire> EntryKind for Call<X, A, R> {
    const ENTRY: Entry = call_entry::<X, A, R>;
}

impl<X: Runner<A, R>, A: Wire, R: Wire> EntryKind for Chunk<X, A, R> {
    const ENTRY: Entry = chunk_entry::<X, A, R>;
}

impl<F, A, O> EntryKind for Init<F, A, O>
where
    F: Fn(A) -> O + Copy + 'static,
    A: Wire,
    O: InitOutcome,
{
    const ENTRY: Entry = init_entry::<F, A, O>;
}

impl<X: Runner<A, O>, A: Wire, O: InitOutcome> EntryKind for Run<X, A, O> {
    const ENTRY: Entry = target_entry::<X, A, O>;
}

/// Writes `failure` as the reply (replacing what `out` held, perhaps part
/// of a value) and returns its status.
pub(super) fn fail(out: &mut Encoded, failure: &Failure) -> u8 {
    out.clear();
    postcard::to_extend(failure, std::mem::take(&mut out.head))
        .map(|bytes| out.head = bytes)
        .expect("a failure report always encodes");
    FAILED
}

fn panic_failure(panic: &pool_core::Panic) -> Failure {
    Failure::Panic {
        message: panic.message().to_owned(),
        location: panic.location().map(str::to_owned),
    }
}

/// Decodes a request's input, which runs user serde code: a decoding error
/// or a panic becomes the task's failure (`what` names the value).
fn decode_input<T: Wire>(input: &[u8], what: impl FnOnce() -> String) -> Result<T, Failure> {
    match pool_core::catch_task_panic(|| codec::decode::<T>(input)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(message)) => Err(Failure::Decode {
            what: what(),
            message,
        }),
        Err(panic) => Err(panic_failure(&panic)),
    }
}

/// Runs one task: decode `A`, run, encode `R`. User code runs in all
/// three steps (serde impls, then the task), each under `catch_unwind`: a
/// panic fails the task, never the worker.
fn call_entry<X, A, R>(input: &[u8], out: &mut Encoded) -> u8
where
    X: Runner<A, R>,
    A: Wire,
    R: Wire,
{
    let arg = match decode_input::<A>(input, || format!("the argument ({})", type_name::<A>())) {
        Ok(arg) => arg,
        Err(failure) => return fail(out, &failure),
    };
    let value = match pool_core::catch_task_panic(move || X::run(arg)) {
        Ok(value) => value,
        Err(panic) => return fail(out, &panic_failure(&panic)),
    };
    let buffer = &mut *out;
    // The value moves into the reply: a bulk one (bytes, numbers) is
    // copied only into the region.
    match pool_core::catch_task_panic(move || codec::encode_reply(value, buffer)) {
        Ok(Ok(())) => OK,
        Ok(Err(message)) => fail(
            out,
            &Failure::Encode {
                what: format!("the result ({})", type_name::<R>()),
                message,
            },
        ),
        Err(panic) => fail(out, &panic_failure(&panic)),
    }
}

/// Runs a chunk of tasks. The items run inside one `catch_unwind`; a
/// panic records that item's failure and the rest of the chunk carries on
/// in a fresh one, so the common, panic-free chunk pays for one.
fn chunk_entry<X, A, R>(input: &[u8], out: &mut Encoded) -> u8
where
    X: Runner<A, R>,
    A: Wire,
    R: Wire,
{
    let items = match decode_input::<Vec<A>>(input, || {
        format!("a chunk of arguments ({})", type_name::<A>())
    }) {
        Ok(items) => items,
        Err(failure) => return fail(out, &failure),
    };
    let count = items.len();
    let mut items = items.into_iter();
    let mut values = Vec::with_capacity(count);
    let mut failures: Vec<(usize, Failure)> = Vec::new();
    loop {
        // `extend` over a `vec::IntoIter` keeps every value pushed before
        // a panic (it sets the length as it unwinds) and, unlike a loop
        // of `push`es, lets the compiler vectorize a simple task.
        let ran = pool_core::catch_task_panic(|| values.extend(items.by_ref().map(X::run)));
        match ran {
            Ok(()) => break,
            Err(panic) => failures.push((values.len() + failures.len(), panic_failure(&panic))),
        }
    }
    let buffer = &mut *out;
    let encoded =
        pool_core::catch_task_panic(move || encode_outcomes(values, failures, count, buffer));
    match encoded {
        Ok(Ok(())) => OK,
        Ok(Err(message)) => fail(
            out,
            &Failure::Encode {
                what: format!("a chunk of results ({})", type_name::<R>()),
                message,
            },
        ),
        Err(panic) => fail(out, &panic_failure(&panic)),
    }
}

/// Runs the initializer.
fn init_entry<F, A, O>(input: &[u8], out: &mut Encoded) -> u8
where
    F: Fn(A) -> O + Copy + 'static,
    A: Wire,
    O: InitOutcome,
{
    run_outcome(
        input,
        out,
        || format!("the initializer's argument ({})", type_name::<A>()),
        #[allow(unsafe_code)] // conjure; see SAFETY
        |arg: A| {
            // SAFETY: this entry is named only by the offset the pool
            // builder computes while it holds the initializer `F`.
            let f = unsafe { conjure::<F>() };
            f(arg)
        },
        |message| Failure::Init { message },
        PanicShown::No,
    )
}

/// Runs a process target.
fn target_entry<X, A, O>(input: &[u8], out: &mut Encoded) -> u8
where
    X: Runner<A, O>,
    A: Wire,
    O: InitOutcome,
{
    run_outcome(
        input,
        out,
        || format!("the target's arguments ({})", type_name::<A>()),
        X::run,
        |message| Failure::Returned { message },
        PanicShown::Yes,
    )
}

/// Whether the panic hook shows a panic of `run_outcome`'s code in the
/// worker itself.
#[derive(Clone, Copy)]
enum PanicShown {
    /// An initializer's panic reaches the program as the pool's broken
    /// error: not printed, as a task's.
    No,
    /// A `Process` target's panic is printed in the child, as Python prints
    /// a target's traceback, since nobody may ever join the process.
    Yes,
}

/// Decodes the argument, runs `run` on it and turns its outcome into the
/// reply: nothing on success, `failed(message)` for a returned error, the
/// panic for a panic.
fn run_outcome<A: Wire, O: InitOutcome>(
    input: &[u8],
    out: &mut Encoded,
    what: impl FnOnce() -> String,
    run: impl FnOnce(A) -> O,
    failed: impl FnOnce(String) -> Failure,
    shown: PanicShown,
) -> u8 {
    let arg = match decode_input::<A>(input, what) {
        Ok(arg) => arg,
        Err(failure) => return fail(out, &failure),
    };
    let ran = match shown {
        PanicShown::No => pool_core::catch_task_panic(move || run(arg).into_result()),
        PanicShown::Yes => pool_core::catch_panic(move || run(arg).into_result()),
    };
    match ran {
        Ok(Ok(())) => {
            out.clear();
            OK
        }
        Ok(Err(message)) => fail(out, &failed(message)),
        Err(panic) => fail(out, &panic_failure(&panic)),
    }
}
