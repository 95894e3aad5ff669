//! A chunk's outcomes: how the worker encodes them and the parent holds
//! them.

use crate::task::Wire;
use crate::wire::codec::{self, Encoded};
use crate::wire::message::Failure;

/// A chunk's outcome on the wire: every value, or each item's own outcome
/// when at least one failed.
#[derive(serde::Serialize, serde::Deserialize)]
enum WireOutcomes<R> {
    Values(Vec<R>),
    Mixed(Vec<Result<R, Failure>>),
}

/// Encodes a chunk's outcomes into `out`, which is empty (serde impls of
/// `R` run here). `failures` holds each failed item's position, ascending.
pub(super) fn encode_outcomes<R: Wire>(
    values: Vec<R>,
    failures: Vec<(usize, Failure)>,
    count: usize,
    out: &mut Encoded,
) -> Result<(), String> {
    if failures.is_empty() {
        // The all-values case keeps the fast paths for `Vec<number>`,
        // whose values move into the reply's body.
        out.head.push(0);
        codec::encode_reply(values, out)
    } else {
        let mut failures = failures.into_iter().peekable();
        let mut values = values.into_iter();
        let mixed: Vec<Result<R, Failure>> = (0..count)
            .map(|i| match failures.next_if(|(at, _)| *at == i) {
                Some((_, failure)) => Err(failure),
                None => Ok(values.next().expect("one value per item that did not fail")),
            })
            .collect();
        out.head.push(1);
        codec::extend_postcard(&WireOutcomes::Mixed(mixed), std::mem::take(&mut out.head))
            .map(|bytes| out.head = bytes)
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
        Some((1, mixed)) => match codec::from_postcard::<WireOutcomes<R>>(mixed)? {
            WireOutcomes::Mixed(all) => Ok(Outcomes::Mixed(all)),
            WireOutcomes::Values(values) => Ok(Outcomes::Values(values)),
        },
        _ => Err("malformed chunk reply".to_owned()),
    }
}
