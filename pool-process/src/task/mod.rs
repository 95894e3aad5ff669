//! What a process task is, and the entry functions that run one in a
//! worker.
//!
//! A task is a zero-sized callable — a fn item or a closure that captures
//! nothing — whose argument and result types are serde types. It crosses
//! to the worker as the offset of an *entry* function monomorphized for
//! it (see `sys/entry.rs`); the entry decodes the argument, conjures the
//! callable, runs it under `catch_unwind` and encodes the outcome.

use std::any::type_name;
use std::marker::PhantomData;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::sys::entry::{Entry, conjure, offset_of};
use crate::wire::codec;
use crate::wire::message::{FAILED, Failure, OK};

/// The bound on values that cross between processes: Python's
/// "picklable".
pub trait Wire: Serialize + DeserializeOwned + Send + 'static {}

impl<T: Serialize + DeserializeOwned + Send + 'static> Wire for T {}

/// Runs a task of type `Self` on one argument. Implemented by markers
/// that conjure the zero-sized callable in the worker.
pub(crate) trait Runner<A, R>: 'static {
    fn run(arg: A) -> R;
}

/// `f(arg)`: for `apply`, `map`, `imap`.
pub(crate) struct Apply<F>(PhantomData<F>);

impl<F, A, R> Runner<A, R> for Apply<F>
where
    F: Fn(A) -> R + Copy + 'static,
{
    #[allow(unsafe_code)] // conjure; see SAFETY
    fn run(arg: A) -> R {
        // SAFETY: this entry is named only by offsets that the pool, the
        // executor and `Process` compute while they hold the user's `F`
        // (`apply(f, ..)`, `Process::new(f, ..)`), so a value of `F` exists.
        let f = unsafe { conjure::<F>() };
        f(arg)
    }
}

/// `f(*args)`: for `starmap`, spreading a tuple over the parameters.
pub(crate) struct Star<F>(PhantomData<F>);

impl<F, A, R> Runner<A, R> for Star<F>
where
    F: StarFn<A, R>,
{
    #[allow(unsafe_code)] // conjure; see SAFETY
    fn run(args: A) -> R {
        // SAFETY: this entry is named only by offsets that the pool, the
        // executor and `Process` compute while they hold the user's `F`
        // (`apply(f, ..)`, `Process::new(f, ..)`), so a value of `F` exists.
        let f = unsafe { conjure::<F>() };
        f.call_spread(args)
    }
}

/// Callables `starmap` and [`Process::new`](crate::Process::new) accept:
/// fn items or non-capturing closures of zero to twelve parameters, whose
/// argument tuple is `Args`.
///
/// # Examples
///
/// ```
/// use pool_process::StarFn;
///
/// fn add(a: i32, b: i32) -> i32 { a + b }
/// assert_eq!(add.call_spread((2, 3)), 5);
/// ```
pub trait StarFn<Args, R>: Copy + Send + Sync + 'static {
    /// Calls the function with `args` spread over its parameters.
    fn call_spread(self, args: Args) -> R;
}

macro_rules! star_fn {
    ($($a:ident),+) => {
        impl<F, R, $($a),+> StarFn<($($a,)+), R> for F
        where
            F: Fn($($a),+) -> R + Copy + Send + Sync + 'static,
        {
            #[allow(non_snake_case)]
            fn call_spread(self, ($($a,)+): ($($a,)+)) -> R {
                self($($a),+)
            }
        }
    };
}

impl<F, R> StarFn<(), R> for F
where
    F: Fn() -> R + Copy + Send + Sync + 'static,
{
    fn call_spread(self, (): ()) -> R {
        self()
    }
}

star_fn!(A);
star_fn!(A, B);
star_fn!(A, B, C);
star_fn!(A, B, C, D);
star_fn!(A, B, C, D, E);
star_fn!(A, B, C, D, E, G);
star_fn!(A, B, C, D, E, G, H);
star_fn!(A, B, C, D, E, G, H, I);
star_fn!(A, B, C, D, E, G, H, I, J);
star_fn!(A, B, C, D, E, G, H, I, J, K);
star_fn!(A, B, C, D, E, G, H, I, J, K, L);
star_fn!(A, B, C, D, E, G, H, I, J, K, L, M);

/// A value that runs as a [`Process`](crate::Process)'s target: the
/// counterpart of subclassing Python's `Process` and overriding `run`.
/// The value itself is sent to the child (so it is a [`Wire`] type) and
/// `run` is called there.
///
/// # Examples
///
/// ```
/// use pool_process::{Process, Target};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Serialize, Deserialize)]
/// struct Countdown {
///     from: u32,
/// }
///
/// impl Target for Countdown {
///     type Outcome = Result<(), String>;
///     fn run(self) -> Result<(), String> {
///         if self.from > 10 {
///             return Err(format!("{} is too far", self.from));
///         }
///         (0..=self.from).rev().for_each(|n| println!("{n}"));
///         Ok(())
///     }
/// }
///
/// let p = Process::from_target(Countdown { from: 3 });
/// p.start().unwrap();
/// p.join().unwrap();
/// assert_eq!(p.exitcode(), Some(0));
///
/// let p = Process::from_target(Countdown { from: 99 });
/// p.start().unwrap();
/// let error = p.join().unwrap_err();
/// assert!(error.to_string().contains("99 is too far"), "{error}");
/// assert_eq!(p.exitcode(), Some(1));
/// ```
pub trait Target: Wire {
    /// What `run` returns: `()` or a `Result` whose error fails the
    /// process.
    type Outcome: InitOutcome;

    /// The process's work, run in the child.
    fn run(self) -> Self::Outcome;
}

/// `value.run()`: for [`Target`] processes.
pub(crate) struct RunTarget<T>(PhantomData<T>);

impl<T: Target> Runner<T, T::Outcome> for RunTarget<T> {
    fn run(value: T) -> T::Outcome {
        value.run()
    }
}

/// What an initializer or a [`Process`](crate::Process) target may return;
/// the same trait as the thread backend's ([`pool_core::Outcome`]).
pub use pool_core::Outcome as InitOutcome;

/// The offset naming the entry that runs one task.
pub(crate) fn call_offset<X, A, R>() -> u64
where
    X: Runner<A, R>,
    A: Wire,
    R: Wire,
{
    offset_of(call_entry::<X, A, R> as Entry)
}

/// The offset naming the entry that runs a chunk of tasks.
pub(crate) fn chunk_offset<X, A, R>() -> u64
where
    X: Runner<A, R>,
    A: Wire,
    R: Wire,
{
    offset_of(chunk_entry::<X, A, R> as Entry)
}

/// The offset naming the entry that runs an initializer.
pub(crate) fn init_offset<F, A, O>() -> u64
where
    F: Fn(A) -> O + Copy + 'static,
    A: Wire,
    O: InitOutcome,
{
    offset_of(init_entry::<F, A, O> as Entry)
}

/// The offset naming the entry that runs a process target.
pub(crate) fn target_offset<X, A, O>() -> u64
where
    X: Runner<A, O>,
    A: Wire,
    O: InitOutcome,
{
    offset_of(target_entry::<X, A, O> as Entry)
}

fn fail(out: &mut Vec<u8>, failure: &Failure) -> u8 {
    out.clear();
    postcard::to_extend(failure, std::mem::take(out))
        .map(|bytes| *out = bytes)
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
    match pool_core::catch_panic(|| codec::decode::<T>(input)) {
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
fn call_entry<X, A, R>(input: &[u8], out: &mut Vec<u8>) -> u8
where
    X: Runner<A, R>,
    A: Wire,
    R: Wire,
{
    let arg = match decode_input::<A>(input, || format!("the argument ({})", type_name::<A>())) {
        Ok(arg) => arg,
        Err(failure) => return fail(out, &failure),
    };
    let value = match pool_core::catch_panic(move || X::run(arg)) {
        Ok(value) => value,
        Err(panic) => return fail(out, &panic_failure(&panic)),
    };
    let buffer = &mut *out;
    match pool_core::catch_panic(move || codec::encode_into(&value, buffer)) {
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

/// A chunk's outcome on the wire: every value, or each item's own outcome
/// when at least one failed.
#[derive(serde::Serialize, serde::Deserialize)]
enum WireOutcomes<R> {
    Values(Vec<R>),
    Mixed(Vec<Result<R, Failure>>),
}

/// Runs a chunk of tasks. The items run inside one `catch_unwind`; a
/// panic records that item's failure and the rest of the chunk carries on
/// in a fresh one, so the common, panic-free chunk pays for one.
fn chunk_entry<X, A, R>(input: &[u8], out: &mut Vec<u8>) -> u8
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
        let ran = pool_core::catch_panic(|| {
            for item in items.by_ref() {
                values.push(X::run(item));
            }
        });
        match ran {
            Ok(()) => break,
            Err(panic) => failures.push((values.len() + failures.len(), panic_failure(&panic))),
        }
    }
    let buffer = &mut *out;
    let encoded = pool_core::catch_panic(move || encode_outcomes(values, failures, count, buffer));
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

/// Encodes a chunk's outcomes into `out` (serde impls of `R` run here).
fn encode_outcomes<R: Wire>(
    values: Vec<R>,
    failures: Vec<(usize, Failure)>,
    count: usize,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    if failures.is_empty() {
        // The all-values case keeps the fast paths for `Vec<number>`.
        out.push(0);
        codec::encode_into(&values, out)
    } else {
        let mut failures = failures.into_iter().peekable();
        let mut values = values.into_iter();
        let mixed: Vec<Result<R, Failure>> = (0..count)
            .map(|i| match failures.next_if(|(at, _)| *at == i) {
                Some((_, failure)) => Err(failure),
                None => Ok(values.next().expect("one value per item that did not fail")),
            })
            .collect();
        out.push(1);
        postcard::to_extend(&WireOutcomes::Mixed(mixed), std::mem::take(out))
            .map(|bytes| *out = bytes)
            .map_err(|e| e.to_string())
    }
}

/// The outcomes of a chunk's items, as the parent holds them.
#[derive(Debug)]
pub(crate) enum Outcomes<R, E> {
    /// Every item succeeded (the common case, kept unwrapped).
    Values(Vec<R>),
    /// At least one failed: each item's own outcome.
    Mixed(Vec<Result<R, E>>),
}

impl<R, E> Outcomes<R, E> {
    /// Every item's outcome, in order.
    pub(crate) fn into_results(self) -> Box<dyn Iterator<Item = Result<R, E>>>
    where
        R: 'static,
        E: 'static,
    {
        match self {
            Outcomes::Values(values) => Box::new(values.into_iter().map(Ok)),
            Outcomes::Mixed(all) => Box::new(all.into_iter()),
        }
    }
}

/// Decodes a chunk reply.
pub(crate) fn decode_chunk<R: Wire>(body: &[u8]) -> Result<Outcomes<R, Failure>, String> {
    match body.split_first() {
        Some((0, values)) => Ok(Outcomes::Values(codec::decode::<Vec<R>>(values)?)),
        Some((1, mixed)) => match postcard::from_bytes::<WireOutcomes<R>>(mixed) {
            Ok(WireOutcomes::Mixed(all)) => Ok(Outcomes::Mixed(all)),
            Ok(WireOutcomes::Values(values)) => Ok(Outcomes::Values(values)),
            Err(e) => Err(e.to_string()),
        },
        _ => Err("malformed chunk reply".to_owned()),
    }
}

/// Runs the initializer.
fn init_entry<F, A, O>(input: &[u8], out: &mut Vec<u8>) -> u8
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
    )
}

/// Runs a process target.
fn target_entry<X, A, O>(input: &[u8], out: &mut Vec<u8>) -> u8
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
    )
}

/// Decodes the argument, runs `run` on it and turns its outcome into the
/// reply: nothing on success, `failed(message)` for a returned error, the
/// panic for a panic.
fn run_outcome<A: Wire, O: InitOutcome>(
    input: &[u8],
    out: &mut Vec<u8>,
    what: impl FnOnce() -> String,
    run: impl FnOnce(A) -> O,
    failed: impl FnOnce(String) -> Failure,
) -> u8 {
    let arg = match decode_input::<A>(input, what) {
        Ok(arg) => arg,
        Err(failure) => return fail(out, &failure),
    };
    match pool_core::catch_panic(move || run(arg).into_result()) {
        Ok(Ok(())) => {
            out.clear();
            OK
        }
        Ok(Err(message)) => fail(out, &failed(message)),
        Err(panic) => fail(out, &panic_failure(&panic)),
    }
}
