//! Opt-in retries: a task (for a map, a chunk) whose worker was lost, or
//! that passed its hard time limit, is sent again.
//!
//! # Which failures are retried
//!
//! Only those where the task did not get to finish through no fault of
//! its own input: [`ErrorKind::WorkerLost`] (the worker died: killed from
//! outside, out of memory) and [`ErrorKind::TaskTimedOut`]. A panic or a
//! returned error is deterministic and would fail again; a stopped task
//! was stopped on purpose; a terminated pool runs nothing more. None of
//! these is retried.
//!
//! # Where
//!
//! The link that ran the attempt sends the next one itself, right away:
//! after a death or a timeout it has already reaped its child, so the
//! retry goes to the fresh child it starts (under the respawn rate limit),
//! never to a worker busy with another task. The encoded request (the
//! argument, or the chunk's items) stays in the task's closure and is
//! sent again as is: nothing is serialized twice. A stop or a `terminate`
//! requested between attempts is seen before the next one is sent.
//!
//! Every attempt settles the same task future once, when the loop ends,
//! so a retried task's results can be neither lost nor duplicated.
//!
//! # Cost
//!
//! With no retries the loop is one comparison after the single attempt.

use pool_core::{Error, ErrorKind};

/// Runs `attempt` once, and again (up to `retries` more times) while it
/// fails in a way worth retrying. Returns the outcome and the number of
/// attempts made (for the pool's metrics). When every attempt failed, the
/// error is the last one, with the number of attempts added to its
/// message.
pub(crate) fn retrying<T>(
    retries: u32,
    mut attempt: impl FnMut() -> Result<T, Error>,
) -> (Result<T, Error>, u32) {
    let mut outcome = attempt();
    let mut attempts = 1;
    while let Err(error) = &outcome
        && retries > 0
        && is_retried(error)
    {
        if attempts > retries {
            return (Err(exhausted(error, attempts)), attempts);
        }
        attempts += 1;
        outcome = attempt();
    }
    (outcome, attempts)
}

/// Whether a failed attempt is worth another (module docs).
fn is_retried(error: &Error) -> bool {
    matches!(
        error.kind(),
        ErrorKind::WorkerLost | ErrorKind::TaskTimedOut
    )
}

/// The last attempt's error, saying how many attempts were made (its
/// kind and cause, the worker's pid and exit, stay).
fn exhausted(error: &Error, attempts: u32) -> Error {
    let note = format!("gave up after {attempts} attempts");
    match error.detail() {
        Some(detail) => error.clone().with_detail(format!("{detail}; {note}")),
        None => error.clone().with_detail(note),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lost() -> Error {
        Error::from_kind(ErrorKind::WorkerLost).with_detail("items 0..4")
    }

    #[test]
    fn a_lost_worker_is_retried_until_an_attempt_succeeds() {
        let mut calls = 0;
        let (outcome, attempts) = retrying(3, || {
            calls += 1;
            if calls < 3 { Err(lost()) } else { Ok(calls) }
        });
        assert_eq!(outcome.unwrap(), 3);
        assert_eq!(attempts, 3);
    }

    #[test]
    fn exhausted_retries_give_the_last_error_and_the_attempt_count() {
        let mut calls = 0;
        let error = retrying(2, || -> Result<(), Error> {
            calls += 1;
            Err(lost())
        })
        .0
        .unwrap_err();
        assert_eq!(calls, 3);
        assert_eq!(error.kind(), ErrorKind::WorkerLost);
        assert_eq!(
            error.to_string(),
            "the process running it died: items 0..4; gave up after 3 attempts"
        );
    }

    #[test]
    fn panics_stops_and_errors_without_retries_are_returned_as_they_are() {
        for kind in [
            ErrorKind::Panicked,
            ErrorKind::Stopped,
            ErrorKind::Failed,
            ErrorKind::Shutdown,
        ] {
            let mut calls = 0;
            let error = retrying(5, || -> Result<(), Error> {
                calls += 1;
                Err(Error::from_kind(kind))
            })
            .0
            .unwrap_err();
            assert_eq!((calls, error.kind()), (1, kind));
            assert_eq!(error.detail(), None, "no attempt count for one attempt");
        }
        let mut calls = 0;
        let error = retrying(0, || -> Result<(), Error> {
            calls += 1;
            Err(lost())
        })
        .0
        .unwrap_err();
        assert_eq!(calls, 1);
        assert_eq!(
            error.detail(),
            Some("items 0..4"),
            "unchanged without retries"
        );
    }
}
