//! The root's side of a worker rank: the links' remote workers.
//!
//! A link owns one `(rank, tag)` pair: it sends its request to the rank
//! with its tag and waits, probing quietly (`quiet.rs`), for the reply
//! with the same tag. Each worker (a rank per core, or each core of a
//! node's rank) has `1 + send_ahead` links (tags `0..links` per rank), so
//! requests wait at the worker behind the one it runs and it never waits
//! for the root between tasks; a node's rank answers each as its local
//! pool finishes.
//!
//! A reply is the body, as a local child's, then the status byte last (so
//! neither side moves the body to add or remove it); a node rank whose
//! local pool failed the request (a local worker process died) answers
//! the message and [`NODE_ERROR`] instead.

use std::sync::Arc;
use std::time::Instant;

use parking_lot::Mutex;

use mpi::point_to_point::{Destination, MatchedReceiveVec, Source};
use mpi::topology::{Communicator, Rank, SimpleCommunicator};
use pool_core::{Error, ErrorKind};
use pool_process::remote::{RemoteWorker, RemoteWorkers, exit_request};

use crate::quiet::{Backoff, Forecast};

/// The status of a node rank's reply whose request its local pool failed;
/// the body is the error's text.
pub(crate) const NODE_ERROR: u8 = 0xEE;

/// One link's worker: a rank and the tag of its requests and replies.
#[derive(Clone, Debug)]
pub(crate) struct Slot {
    pub(crate) rank: Rank,
    pub(crate) tag: i32,
    /// How errors name it: `rank 2 (pid 812) on host node7`.
    pub(crate) who: Arc<str>,
}

/// The root's remote workers, one [`Slot`] per link.
pub(crate) struct Ranks {
    slots: Vec<Slot>,
    /// Which slots a link has connected to (and so will release).
    connected: Mutex<Vec<bool>>,
    /// Slots whose link stopped waiting for a reply (`terminate`): the
    /// reply still comes, and is received before MPI is finalized.
    abandoned: Arc<Mutex<Vec<Slot>>>,
}

impl Ranks {
    pub(crate) fn new(slots: Vec<Slot>) -> Ranks {
        let connected = Mutex::new(vec![false; slots.len()]);
        Ranks {
            slots,
            connected,
            abandoned: Arc::default(),
        }
    }

    /// Receives (and drops) every reply a terminated link stopped waiting
    /// for. A rank finishes its tasks anyway, and MPI's finalize waits for
    /// it; but a reply too large for MPI's eager protocol blocks the
    /// rank's send until the root receives it, so without this the job
    /// would never end. Run once the pool is joined.
    pub(crate) fn drain_abandoned(&self, world: &SimpleCommunicator) {
        for slot in self.abandoned.lock().drain(..) {
            let process = world.process_at_rank(slot.rank);
            let mut backoff = Backoff::new(crate::quiet::LINK_LONG_CAP);
            while process
                .immediate_matched_probe_with_tag(slot.tag)
                .map(|probed| drop(probed.matched_receive_vec::<u8>()))
                .is_none()
            {
                backoff.pause();
            }
        }
    }

    /// Tells the rank of every slot no link connected to that this link
    /// is done: a worker rank stops once all its links have said so. Run
    /// once the pool is joined (no link connects after it).
    pub(crate) fn release_unconnected(&self, world: &SimpleCommunicator) {
        let mut connected = self.connected.lock();
        for (slot, done) in self.slots.iter().zip(connected.iter_mut()) {
            if !*done {
                *done = true;
                world
                    .process_at_rank(slot.rank)
                    .send_with_tag(&exit_request()[..], slot.tag);
            }
        }
    }
}

impl RemoteWorkers for Ranks {
    fn connect(&self, slot: usize) -> Result<Box<dyn RemoteWorker>, Error> {
        let index = slot;
        let slot = self.slots.get(slot).cloned().ok_or_else(|| {
            Error::from_kind(ErrorKind::InvalidState)
                .with_detail(format!("no worker rank for link {slot}"))
        })?;
        self.connected.lock()[index] = true;
        Ok(Box::new(RankLink {
            slot,
            forecast: Forecast::default(),
            abandoned: self.abandoned.clone(),
        }))
    }
}

/// A link's connection to its rank.
struct RankLink {
    slot: Slot,
    /// How long this link's tasks take, to sleep through them (`quiet.rs`).
    forecast: Forecast,
    /// Where this link notes a reply it stopped waiting for.
    abandoned: Arc<Mutex<Vec<Slot>>>,
}

impl RemoteWorker for RankLink {
    fn call(
        &mut self,
        request: &[&[u8]],
        abandon: &dyn Fn() -> bool,
    ) -> Result<(u8, Vec<u8>), Error> {
        // A handle on MPI_COMM_WORLD made on this thread: the library was
        // initialized with MPI_THREAD_MULTIPLE, so each link thread may
        // send and probe on its own.
        let world = SimpleCommunicator::world();
        let process = world.process_at_rank(self.slot.rank);
        let message = request.concat();
        // The request's entry offset: which function the task runs.
        let entry = message
            .get(1..9)
            .and_then(|b| b.try_into().ok())
            .map_or(0, u64::from_le_bytes);
        let sent = Instant::now();
        process.send_with_tag(&message[..], self.slot.tag);
        drop(message);
        let mut backoff = Backoff::expecting(self.forecast.sleep_ahead(entry));
        let mut reply = loop {
            if let Some(probed) = process.immediate_matched_probe_with_tag(self.slot.tag) {
                break probed.matched_receive_vec::<u8>().0;
            }
            if abandon() {
                self.abandoned.lock().push(self.slot.clone());
                return Err(Error::from_kind(ErrorKind::Shutdown).with_detail(format!(
                    "the pool was terminated while {} ran the task",
                    self.slot.who
                )));
            }
            backoff.pause();
        };
        self.forecast.record(entry, sent.elapsed());
        let Some(status) = reply.pop() else {
            return Err(Error::from_kind(ErrorKind::Deserialize)
                .with_detail(format!("an empty reply from {}", self.slot.who)));
        };
        if status == NODE_ERROR {
            return Err(Error::from_kind(ErrorKind::WorkerLost).with_detail(format!(
                "{} (on {})",
                String::from_utf8_lossy(&reply),
                self.slot.who
            )));
        }
        Ok((status, reply))
    }

    fn who(&self) -> Arc<str> {
        self.slot.who.clone()
    }
}

impl Drop for RankLink {
    /// The pool is done with this link: tell its rank (a node rank stops
    /// once every link of its node has said so).
    fn drop(&mut self) {
        let world = SimpleCommunicator::world();
        world
            .process_at_rank(self.slot.rank)
            .send_with_tag(&exit_request()[..], self.slot.tag);
    }
}
