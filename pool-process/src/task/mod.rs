//! What a process task is: the public traits a task's callable and types
//! meet, and the runners that call it in a worker.
//!
//! A task is a zero-sized callable — a fn item or a closure that captures
//! nothing — whose argument and result types are serde types. It crosses
//! to the worker as the offset of an *entry* function monomorphized for
//! it ([`entry`]): the entry decodes the argument, conjures the callable,
//! runs it under `catch_unwind` and encodes the outcome.
//!
//! | file | holds |
//! |------|-------|
//! | `mod.rs` | [`Wire`], [`StarFn`], [`Target`], [`InitOutcome`]; the runners [`Apply`], [`Star`], [`RunTarget`] |
//! | `entry.rs` | the entry functions run in the worker, and [`offset`], which names them |
//! | `outcomes.rs` | a chunk's outcomes on the wire and in the parent |

mod entry;
mod outcomes;

use std::marker::PhantomData;

use serde::Serialize;
use serde::de::DeserializeOwned;

pub(crate) use self::entry::{Call, Chunk, Init, Run, offset};
pub(crate) use self::outcomes::{Outcomes, decode_chunk};
use crate::sys::entry::conjure;

/// The bound on values that cross between processes: Python's
/// "picklable". Every `Serialize + DeserializeOwned + Send + 'static` type
/// is `Wire` (a blanket impl): derive serde's traits on your own types.
///
/// # Examples
///
/// ```
/// use poolrt::process::{Pool, Wire};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Serialize, Deserialize)]
/// struct Job {
///     name: String,
///     size: u32,
/// }
///
/// fn describe(job: Job) -> String {
///     format!("{} ({} units)", job.name, job.size)
/// }
///
/// fn is_wire<T: Wire>() {}
/// is_wire::<Job>();
/// is_wire::<(u64, Vec<String>, Option<f64>)>();
///
/// let pool = Pool::new(1).unwrap();
/// let job = Job { name: "resize".into(), size: 3 };
/// assert_eq!(pool.apply(describe, job).unwrap(), "resize (3 units)");
/// ```
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
/// use poolrt::process::StarFn;
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
/// use poolrt::process::{Process, Target};
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
