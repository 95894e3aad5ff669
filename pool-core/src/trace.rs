//! Logging through `tracing`, behind the `tracing` feature.
//!
//! With the feature on, poolrt opens the spans below and emits events (the
//! event names and fields are in the README's "Logging" section; they are
//! API). With it off, everything here is empty: the span types are
//! zero-sized, the functions do nothing, and the [`__event!`](crate::__event)
//! macro expands to nothing, its arguments unevaluated. Every span and
//! event has the target `poolrt`.
//!
//! | span | level | where it is open |
//! |------|-------|------------------|
//! | `poolrt.submit` | DEBUG | a submit, on the submitting thread |
//! | `poolrt.task` | DEBUG | a task's run, on the worker; created at submit, as a child of the submitter's span |
//! | `poolrt.worker` (`worker`) | DEBUG | a worker thread's life; a child of the span open when the pool was built |
//!
//! The backends emit their own events through [`__event!`](crate::__event),
//! so the choice between a real and an empty macro is made here, once.

#[cfg(feature = "tracing")]
pub(crate) use on::*;

#[cfg(not(feature = "tracing"))]
pub(crate) use off::*;

/// Emits a `tracing` event with target `poolrt`:
/// `__event!(LEVEL, "name", field = value, ...)`, fields in `tracing`'s
/// syntax. Without the `tracing` feature it expands to nothing and its
/// arguments are not evaluated. For poolrt's own crates only.
#[cfg(feature = "tracing")]
#[doc(hidden)]
#[macro_export]
macro_rules! __event {
    ($level:ident, $name:literal, $($fields:tt)*) => {
        $crate::__private::tracing::event!(
            name: $name,
            target: "poolrt",
            $crate::__private::tracing::Level::$level,
            $($fields)*
        )
    };
}

/// Emits a `tracing` event with target `poolrt`:
/// `__event!(LEVEL, "name", field = value, ...)`, fields in `tracing`'s
/// syntax. Without the `tracing` feature it expands to nothing and its
/// arguments are not evaluated. For poolrt's own crates only.
#[cfg(not(feature = "tracing"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __event {
    ($($anything:tt)*) => {};
}

/// An error and its causes on one line, `error: cause: cause`, for the
/// `error` field of an event: `error = %Chain(&error)`.
#[cfg(feature = "tracing")]
#[doc(hidden)]
pub struct Chain<'a>(pub &'a dyn std::error::Error);

#[cfg(feature = "tracing")]
impl std::fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

#[cfg(feature = "tracing")]
mod on {
    use tracing::{Level, Span, span};

    /// A task's span, made at submit and entered while the task runs.
    pub(crate) type TaskSpan = Span;

    /// The span that a pool's worker spans hang under: the one open when
    /// the pool was built.
    pub(crate) type PoolSpan = Span;

    /// The span of one submit; it closes when dropped.
    pub(crate) type SubmitGuard = tracing::span::EnteredSpan;

    /// An entered span; it is exited when dropped.
    pub(crate) type Entered<'a> = tracing::span::Entered<'a>;

    pub(crate) fn submit() -> SubmitGuard {
        span!(target: "poolrt", Level::DEBUG, "poolrt.submit").entered()
    }

    pub(crate) fn task() -> TaskSpan {
        span!(target: "poolrt", Level::DEBUG, "poolrt.task")
    }

    pub(crate) fn enter(span: &TaskSpan) -> Entered<'_> {
        span.enter()
    }

    pub(crate) fn pool() -> PoolSpan {
        Span::current()
    }

    pub(crate) fn worker(pool: &PoolSpan, index: usize) -> tracing::span::EnteredSpan {
        span!(target: "poolrt", parent: pool, Level::DEBUG, "poolrt.worker", worker = index)
            .entered()
    }
}

#[cfg(not(feature = "tracing"))]
mod off {
    /// Nothing: logging is off.
    #[derive(Clone, Copy, Debug, Default)]
    pub(crate) struct TaskSpan;

    pub(crate) type PoolSpan = TaskSpan;
    pub(crate) type SubmitGuard = TaskSpan;
    pub(crate) type Entered<'a> = &'a TaskSpan;

    #[inline(always)]
    pub(crate) fn submit() -> SubmitGuard {
        TaskSpan
    }

    #[inline(always)]
    pub(crate) fn task() -> TaskSpan {
        TaskSpan
    }

    #[inline(always)]
    pub(crate) fn enter(span: &TaskSpan) -> Entered<'_> {
        span
    }

    #[inline(always)]
    pub(crate) fn pool() -> PoolSpan {
        TaskSpan
    }

    #[inline(always)]
    pub(crate) fn worker(_: &PoolSpan, _: usize) -> TaskSpan {
        TaskSpan
    }
}
