//! The start-up handshake: every worker rank greets the root with who it
//! is and which build it runs; the root answers each with go or abort.
//!
//! 1. A worker rank sends its [`Hello`] to rank 0 ([`TAG_HELLO`]).
//! 2. The root waits (quietly, bounded by the start-up timeout) for every
//!    rank's hello and compares each fingerprint with its own.
//! 3. The root sends every worker rank the verdict ([`TAG_VERDICT`]):
//!    [`GO`] if every rank runs its build, [`ABORT`] otherwise. A rank
//!    told to abort finalizes MPI and exits with status 1; the root
//!    returns an error naming each rank that differs, and its host.
//!
//! No task is sent before step 3, so a different binary never receives
//! an offset into code it does not have.

use std::time::Duration;

use mpi::point_to_point::{Destination, MatchedReceiveVec, Source};
use mpi::topology::{Communicator, Rank, SimpleCommunicator};
use pool_core::{Error, ErrorKind};
use serde::{Deserialize, Serialize};

use crate::quiet::Backoff;

/// The tag of a worker rank's greeting.
pub(crate) const TAG_HELLO: i32 = 32_000;
/// The tag of the root's verdict.
pub(crate) const TAG_VERDICT: i32 = 32_001;
/// The verdict that starts serving.
pub(crate) const GO: u8 = 1;
/// The verdict that ends a rank before any task.
pub(crate) const ABORT: u8 = 0;

/// What a rank tells the root about itself.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Hello {
    pub(crate) fingerprint: u64,
    pub(crate) pid: u32,
    pub(crate) host: String,
    pub(crate) cores: u32,
}

impl Hello {
    /// This process's greeting.
    pub(crate) fn mine() -> Hello {
        Hello {
            fingerprint: pool_process::remote::fingerprint(),
            pid: std::process::id(),
            host: mpi::environment::processor_name().unwrap_or_else(|_| "?".to_owned()),
            cores: u32::try_from(pool_process::default_processes()).unwrap_or(u32::MAX),
        }
    }
}

/// Receives one message from `from` with `tag`, probing quietly; `None`
/// after `timeout`.
pub(crate) fn receive(
    world: &SimpleCommunicator,
    from: Rank,
    tag: i32,
    timeout: Option<Duration>,
) -> Option<Vec<u8>> {
    let process = world.process_at_rank(from);
    let mut backoff = Backoff::idle();
    loop {
        if let Some(probed) = process.immediate_matched_probe_with_tag(tag) {
            return Some(probed.matched_receive_vec::<u8>().0);
        }
        if timeout.is_some_and(|t| backoff.elapsed() >= t) {
            return None;
        }
        backoff.pause();
    }
}

/// A worker rank's side: greets the root and waits for the verdict. True
/// to serve.
pub(crate) fn greet(world: &SimpleCommunicator) -> bool {
    let hello = postcard::to_stdvec(&Hello::mine()).expect("a hello always encodes");
    world
        .process_at_rank(0)
        .send_with_tag(&hello[..], TAG_HELLO);
    receive(world, 0, TAG_VERDICT, None).is_some_and(|verdict| verdict == [GO])
}

/// The root's side: every worker rank's hello, in rank order, once each
/// fingerprint was checked; every rank has its verdict when it returns.
///
/// # Errors
///
/// A rank runs a different build (named with its host), a greeting was
/// unreadable, or the root has a `problem` of its own (every rank is then
/// told to exit too). A rank that does not greet within `timeout` aborts
/// the job.
pub(crate) fn gather(
    world: &SimpleCommunicator,
    timeout: Duration,
    problem: Option<String>,
) -> Result<Vec<Hello>, Error> {
    let mine = Hello::mine();
    let mut hellos = Vec::new();
    let mut problems: Vec<String> = problem.into_iter().collect();
    for rank in 1..world.size() {
        let Some(bytes) = receive(world, rank, TAG_HELLO, Some(timeout)) else {
            // A rank that never greets (not a poolrt program, or stuck):
            // nothing can be finalized cleanly, so end the job loudly.
            let line = format!(
                "poolrt: rank {rank} did not greet the root within {timeout:?} \
                 (is every rank running this program?); aborting the MPI job\n"
            );
            let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
            world.abort(2);
        };
        match postcard::from_bytes::<Hello>(&bytes) {
            Ok(hello) if hello.fingerprint != mine.fingerprint => problems.push(format!(
                "rank {rank} (pid {}) on host {} runs a different build than the root \
                 (fingerprint {:#018x}, the root's {:#018x}); every rank must run the same binary",
                hello.pid, hello.host, hello.fingerprint, mine.fingerprint
            )),
            Ok(hello) => hellos.push(hello),
            Err(e) => problems.push(format!("rank {rank} sent an unreadable greeting: {e}")),
        }
    }
    let verdict = if problems.is_empty() { GO } else { ABORT };
    for rank in 1..world.size() {
        world
            .process_at_rank(rank)
            .send_with_tag(&[verdict][..], TAG_VERDICT);
    }
    if problems.is_empty() {
        Ok(hellos)
    } else {
        Err(
            Error::from_kind(ErrorKind::InvalidConfig).with_detail(format!(
                "the MPI pool cannot start: {}",
                problems.join("; ")
            )),
        )
    }
}
