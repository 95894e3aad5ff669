//! A worker rank's life after the handshake: serve the root's requests
//! until every link it serves has said exit.
//!
//! - One rank per core ([`per_core`]): the rank runs each request itself,
//!   one at a time, and replies with the link's tag.
//! - One rank per node ([`per_node`]): the rank starts a local
//!   [`pool_process::Pool`] over its node's cores (pinned), forwards each
//!   request to it, and replies as each finishes; it serves one link per
//!   local worker (tags `0..cores`), so several requests are in flight.
//!
//! Both wait quietly (`quiet.rs`): an idle rank probes a few times a
//! millisecond at most.

use crossbeam_channel::{Receiver, RecvTimeoutError, unbounded};
use mpi::point_to_point::{Destination, MatchedReceiveVec, Source};
use mpi::topology::Process;
use mpi::topology::{Communicator, SimpleCommunicator};
use pool_process::remote::{exit_request, forward, serve_request};

use crate::quiet::Backoff;
use crate::rank::NODE_ERROR;

/// Waits quietly for the root's next request: its bytes and tag.
fn next_request(root: &Process<'_>) -> (Vec<u8>, i32) {
    let mut backoff = Backoff::idle();
    loop {
        if let Some((message, status)) = root.immediate_matched_probe() {
            let tag = status.tag();
            return ((message, status).matched_receive_vec::<u8>().0, tag);
        }
        backoff.pause();
    }
}

/// One rank per core: runs each request here, in the order they come
/// (the root's `links` links to this rank each keep one request here, so
/// the next is waiting when one ends). Returns when every link said exit.
pub(crate) fn per_core(world: &SimpleCommunicator, links: usize) {
    let root = world.process_at_rank(0);
    let exit = exit_request();
    let mut exits = 0;
    let mut out = Vec::new();
    while exits < links {
        let (request, tag) = next_request(&root);
        if request == exit {
            exits += 1;
            continue;
        }
        #[allow(unsafe_code)] // the one call by offset
        // SAFETY: the request comes from rank 0, which checked in the
        // handshake that this rank runs its very binary (same build
        // fingerprint) before it sent any task; its offsets name entries
        // of this binary.
        let status = unsafe { serve_request(&request, &mut out) };
        let Some(status) = status else {
            // Not a task: a root that is not this binary's (it passed the
            // fingerprint check, so this does not happen); stop serving.
            return;
        };
        // The status goes last (`rank.rs`): no copy of the body.
        out.push(status);
        root.send_with_tag(&out[..], tag);
    }
}

/// One rank per node: feeds a local pool of `cores` pinned worker
/// processes. Returns once every one of its `links` links said exit and
/// every forwarded request was answered.
pub(crate) fn per_node(world: &SimpleCommunicator, cores: usize, links: usize) {
    let root = world.process_at_rank(0);
    let pool = pool_process::Pool::builder()
        .processes(cores)
        .pin_cores(true)
        .build();
    let (done, replies) = unbounded::<(i32, Vec<u8>)>();
    let exit = exit_request();
    let mut exits = 0;
    let mut in_flight = 0usize;
    let mut backoff = Backoff::idle();
    while exits < links || in_flight > 0 {
        let mut progressed = false;
        if exits < links
            && let Some((message, status)) = root.immediate_matched_probe()
        {
            progressed = true;
            let tag = status.tag();
            let request = (message, status).matched_receive_vec::<u8>().0;
            if request == exit {
                exits += 1;
            } else {
                let forwarded = match &pool {
                    Ok(pool) => forward(pool, &request),
                    Err(error) => Err(error.clone()),
                };
                match forwarded {
                    Ok(future) => {
                        in_flight += 1;
                        let done = done.clone();
                        future.add_done_callback(move |outcome| {
                            let reply = match outcome {
                                Ok((status, body)) => [body, &[*status][..]].concat(),
                                Err(error) => node_error(error),
                            };
                            let _ = done.send((tag, reply));
                        });
                    }
                    Err(error) => root.send_with_tag(&node_error(&error)[..], tag),
                }
            }
        }
        while let Ok((tag, reply)) = replies.try_recv() {
            root.send_with_tag(&reply[..], tag);
            in_flight -= 1;
            progressed = true;
        }
        if progressed {
            backoff = Backoff::idle();
        } else {
            wait_for_reply(&root, &replies, &mut backoff, &mut in_flight);
        }
    }
    if let Ok(pool) = pool {
        pool.close();
        let _ = pool.join();
    }
}

/// Nothing happened: waits for a local reply (sending it) or for the next
/// probe's time, whichever comes first.
fn wait_for_reply(
    root: &Process<'_>,
    replies: &Receiver<(i32, Vec<u8>)>,
    backoff: &mut Backoff,
    in_flight: &mut usize,
) {
    let wait = backoff.next_wait();
    if wait.is_zero() {
        std::hint::spin_loop();
        return;
    }
    match replies.recv_timeout(wait) {
        Ok((tag, reply)) => {
            root.send_with_tag(&reply[..], tag);
            *in_flight -= 1;
            *backoff = Backoff::idle();
        }
        Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {}
    }
}

/// The reply for a request the local pool failed (not the task: a task's
/// own failure is an ordinary reply).
fn node_error(error: &pool_core::Error) -> Vec<u8> {
    let mut reply = error.to_string().into_bytes();
    reply.push(NODE_ERROR);
    reply
}

/// Runs a worker rank to its end: greeting, serving, finalizing. Never
/// returns: the process exits with status 0, also when the root refused
/// the job (it then reports why, and exits with its own status: a rank
/// exiting non-zero first would have mpirun kill the root before it
/// could).
///
/// `per_worker`: the root's links to each worker (this rank, or each core
/// of its node), [`MpiPoolBuilder::send_ahead`](crate::MpiPoolBuilder::send_ahead) plus one.
pub(crate) fn worker_rank(
    universe: mpi::environment::Universe,
    placement: crate::Placement,
    per_worker: usize,
) -> ! {
    let world = universe.world();
    if crate::hello::greet(&world) {
        crate::dead::serving(world.rank());
        match placement {
            crate::Placement::RankPerCore => per_core(&world, per_worker),
            crate::Placement::RankPerNode => {
                let cores = pool_process::default_processes();
                per_node(&world, cores, cores * per_worker)
            }
        }
        crate::dead::done();
    } else {
        // One write: stderr is unbuffered, and the ranks' lines meet in
        // mpirun's output, where pieces of two lines would interleave.
        let line = format!(
            "poolrt: rank {} ends without serving: the root refused the job (see its error)\n",
            world.rank()
        );
        let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
    }
    drop(world);
    // Finalizes MPI.
    drop(universe);
    std::process::exit(0)
}
