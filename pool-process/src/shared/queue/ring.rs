//! `Queue` and `JoinableQueue`: Python's `multiprocessing.Queue` and
//! `JoinableQueue`, FIFO queues shared by processes.
//!
//! # Layout of the shared segment
//!
//! A header of words ([`RingHeader`]), then from byte 128 a ring buffer
//! of `capacity` bytes holding the items as `u32` length + postcard bytes,
//! wrapping at the end. `head` and `tail` count bytes taken and added
//! since creation (so `tail - head` is the bytes in use). Every field but
//! the futex words is read and written only under the mutex word; the
//! `*_waiters` counts let a producer or consumer skip the wake-up system
//! call when nobody sleeps.
//!
//! Items are encoded before the mutex is taken and decoded after it is
//! released, so the mutex covers only two copies and some arithmetic.
//!
//! # Large items
//!
//! An item of more than half the ring ([`Ring::is_large`]), or one that
//! holds shared objects (a `Lock`, a `Connection`, ...), travels apart:
//! its bytes go into a memfd of their own before the mutex is taken, and
//! under the mutex the producer sends that memfd (with the descriptors of
//! the item's shared objects, in the same message) through the queue's
//! [`FdChannel`] (a socket pair every holder of the queue has) and writes
//! a record of just the [`APART`] length word into the ring. A consumer
//! that takes such a record receives the next descriptor from the channel,
//! still under the mutex, and reads the bytes after releasing it. Both
//! sides touch the channel only under the mutex, so its descriptors are
//! always those of the ring's `APART` records, in the same order: order
//! holds between small and large items. A memfd in flight belongs to the
//! socket, so the kernel frees it when the last holder of the queue closes
//! it (dropped, or killed); a consumer closes its copy after reading it.
//! When the channel's socket buffer is full (a few hundred large items
//! wait) a producer waits as for a full queue.
//!
//! # Shutdown
//!
//! `shut_down` is set for good by `shutdown`: puts fail, gets drain what
//! is left (or, with `immediate`, find it dropped: the ring emptied, the
//! channel drained, each dropped item counted as done) and then fail.
//! Every sleeper is woken to see it.
//!
//! # A holder that dies
//!
//! The mutex is robust (`shared/sync/README.md`). A process that dies
//! inside an operation may leave the ring torn (an item half written,
//! `tail` moved but `count` not), so the process that takes the mutex
//! over does not trust it: it marks the queue broken (`broken` holds the
//! dead thread's id), wakes every sleeper, and from then on every
//! operation fails with [`ErrorKind::Broken`] naming that thread.

use std::mem::offset_of;
use std::os::fd::{AsFd, OwnedFd};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64};
use std::time::Instant;

use pool_core::{Error, ErrorKind};

use crate::shared::create_error;
use crate::shared::sync::word::{ALL, RawMutex, SeqWord, Taken};
use crate::sys::fd_pass::FdChannel;
use crate::sys::segment::{Segment, shared_layout};

shared_layout! {
    /// The words before a queue's ring.
    pub(super) struct RingHeader {
        /// The [`RawMutex`] word.
        lock: AtomicU32,
        /// Bumped by each `put`; consumers sleep on it.
        not_empty: AtomicU32,
        /// Bumped by each `get`; producers sleep on it.
        not_full: AtomicU32,
        /// Bumped when the last unfinished item is done; `join` sleeps on it.
        all_done: AtomicU32,
        /// Consumers asleep on `not_empty`.
        get_waiters: AtomicU32,
        /// Producers asleep on `not_full`.
        put_waiters: AtomicU32,
        /// Joiners asleep on `all_done`.
        join_waiters: AtomicU32,
        /// Ring bytes taken since creation.
        head: AtomicU64,
        /// Ring bytes added since creation.
        tail: AtomicU64,
        /// Items in the queue.
        count: AtomicU64,
        /// Items put and not yet marked done (`JoinableQueue`).
        unfinished: AtomicU64,
        /// The most items the queue holds (0: no limit).
        maxsize: AtomicU64,
        /// Ring bytes after the header.
        capacity: AtomicU64,
        /// The [`RawMutex`]'s companion: the holder's stamp.
        owner: AtomicU64,
        /// The thread id of a holder that died inside an operation (0:
        /// the queue is sound).
        broken: AtomicU32,
        /// 1 once `shutdown` was called.
        shut_down: AtomicU32,
    }
}

/// Where the ring starts: the header is padded to two cache lines.
const DATA: usize = 128;

const _: () = assert!(offset_of!(RingHeader, lock) == 0);
const _: () = assert!(offset_of!(RingHeader, not_empty) == 4);
const _: () = assert!(offset_of!(RingHeader, not_full) == 8);
const _: () = assert!(offset_of!(RingHeader, all_done) == 12);
const _: () = assert!(offset_of!(RingHeader, get_waiters) == 16);
const _: () = assert!(offset_of!(RingHeader, put_waiters) == 20);
const _: () = assert!(offset_of!(RingHeader, join_waiters) == 24);
const _: () = assert!(offset_of!(RingHeader, head) == 32);
const _: () = assert!(offset_of!(RingHeader, tail) == 40);
const _: () = assert!(offset_of!(RingHeader, count) == 48);
const _: () = assert!(offset_of!(RingHeader, unfinished) == 56);
const _: () = assert!(offset_of!(RingHeader, maxsize) == 64);
const _: () = assert!(offset_of!(RingHeader, capacity) == 72);
const _: () = assert!(offset_of!(RingHeader, owner) == 80);
const _: () = assert!(offset_of!(RingHeader, broken) == 88);
const _: () = assert!(offset_of!(RingHeader, shut_down) == 92);
const _: () = assert!(size_of::<RingHeader>() == 96);
const _: () = assert!(size_of::<RingHeader>() <= DATA);

/// Ring bytes a queue gets unless told otherwise. Pages are only used as
/// items reach them.
pub(super) const DEFAULT_CAPACITY: usize = 1 << 20;

/// Bytes before each item in the ring: its length.
pub(super) const ITEM_HEAD: usize = 4;

/// The length word of a record whose item travels apart, through the
/// channel (see "Large items" above).
const APART: u32 = u32::MAX;

/// An encoded item as the ring carries it.
pub(super) enum Payload {
    /// The item's bytes, copied into the ring.
    Inline(Vec<u8>),
    /// A memfd holding the item's bytes, then the descriptors of the
    /// shared objects in the item (see [`inherit`](crate::wire::inherit)),
    /// sent through the channel as one message.
    Apart(Vec<OwnedFd>),
}

/// What a put did.
pub(super) enum Put {
    Done,
    /// No room until the deadline (or at once, not blocking).
    NoRoom,
    /// The queue is shut down.
    ShutDown,
}

/// What a get found.
pub(super) enum Got {
    Item(Payload),
    /// Nothing until the deadline (or at once, not blocking).
    Nothing,
    /// The queue is shut down and empty.
    ShutDown,
}

/// The shared ring all the queue types are built on, as this process holds
/// it: the segment and the channel, shared; `closed`, this process's own.
pub(super) struct Ring {
    pub(super) segment: Segment,
    pub(super) channel: FdChannel,
    pub(super) capacity: usize,
    /// Set by `Queue::close` in this process.
    pub(super) closed: AtomicBool,
}

impl Ring {
    pub(super) fn create(maxsize: usize, capacity: usize) -> Result<Ring, Error> {
        if capacity < ITEM_HEAD + 1 {
            return Err(Error::from_kind(ErrorKind::InvalidConfig)
                .with_detail(format!("a queue buffer of {capacity} bytes holds no item")));
        }
        let segment = Segment::create("poolrt-queue", DATA + capacity)
            .map_err(|e| create_error("Queue", e))?;
        let channel = FdChannel::new().map_err(|e| create_error("Queue", e))?;
        let header = segment.header::<RingHeader>();
        header.maxsize.store(maxsize as u64, Relaxed);
        header.capacity.store(capacity as u64, Relaxed);
        Ok(Ring::new(segment, channel, capacity))
    }

    pub(super) fn adopt(segment: Segment, channel: FdChannel) -> Result<Ring, String> {
        if segment.len() < DATA {
            return Err("the inherited queue memory is not a queue".to_owned());
        }
        let capacity = segment.header::<RingHeader>().capacity.load(Relaxed) as usize;
        if capacity == 0 || capacity > segment.len() - DATA {
            return Err("the inherited queue memory is not a queue".to_owned());
        }
        Ok(Ring::new(segment, channel, capacity))
    }

    fn new(segment: Segment, channel: FdChannel, capacity: usize) -> Ring {
        Ring {
            segment,
            channel,
            capacity,
            closed: AtomicBool::new(false),
        }
    }

    /// Whether an item of `len` encoded bytes travels apart: it would take
    /// more than half the ring (or its length would not fit the word).
    pub(super) fn is_large(&self, len: usize) -> bool {
        ITEM_HEAD + len > self.capacity / 2 || len >= APART as usize
    }

    fn header(&self) -> &RingHeader {
        self.segment.header()
    }

    fn mutex(&self) -> RawMutex<'_> {
        RawMutex::new(&self.header().lock, &self.header().owner)
    }

    /// Takes the mutex until `deadline`: `Ok(false)` if not in time, an
    /// error (mutex released) if the queue is broken.
    fn enter(&self, deadline: Option<Instant>) -> Result<bool, Error> {
        match self.mutex().lock(deadline) {
            None => Ok(false),
            Some(taken) => self.check(taken).map(|()| true),
        }
    }

    /// With the mutex just taken: if its holder died, breaks the queue.
    /// An error (mutex released) if the queue is broken.
    fn check(&self, taken: Taken) -> Result<(), Error> {
        let header = self.header();
        if let Taken::FromDead { tid } = taken {
            header.broken.store(tid.max(1), Relaxed);
            let words = [&header.not_empty, &header.not_full, &header.all_done];
            for word in words {
                SeqWord(word).bump();
            }
            self.mutex().unlock();
            for word in words {
                SeqWord(word).wake(ALL);
            }
            return Err(broken(tid));
        }
        match header.broken.load(Relaxed) {
            0 => Ok(()),
            tid => {
                self.mutex().unlock();
                Err(broken(tid))
            }
        }
    }

    /// For fault-injection tests: takes the mutex and never releases it.
    #[cfg(feature = "fault-injection")]
    pub(super) fn hold_mutex(&self) {
        let _ = self.mutex().lock(None);
    }

    /// Items in the queue (a snapshot, read without the mutex).
    pub(super) fn count(&self) -> u64 {
        self.header().count.load(Relaxed)
    }

    /// The most items the queue holds (0: no limit).
    pub(super) fn maxsize(&self) -> u64 {
        self.header().maxsize.load(Relaxed)
    }

    /// Items put and not yet marked done (a snapshot).
    pub(super) fn unfinished(&self) -> u64 {
        self.header().unfinished.load(Relaxed)
    }

    /// Whether `shutdown` was called (by any process); once true, for good.
    pub(super) fn is_shutdown(&self) -> bool {
        self.header().shut_down.load(Relaxed) != 0
    }

    /// Copies `bytes` into the ring at stream position `at`, wrapping.
    pub(super) fn write_wrapped(&self, at: u64, bytes: &[u8]) {
        let offset = (at % self.capacity as u64) as usize;
        let first = bytes.len().min(self.capacity - offset);
        self.segment.write(DATA + offset, &bytes[..first]);
        self.segment.write(DATA, &bytes[first..]);
    }

    pub(super) fn read_wrapped(&self, at: u64, out: &mut [u8]) {
        let offset = (at % self.capacity as u64) as usize;
        let first = out.len().min(self.capacity - offset);
        self.segment.read(DATA + offset, &mut out[..first]);
        self.segment.read(DATA, &mut out[first..]);
    }

    /// Adds one encoded item, waiting for room until `deadline` (`None`:
    /// forever) if `block`. An error if the queue is broken, or the
    /// channel refused a large item's descriptor.
    pub(super) fn put(
        &self,
        payload: &Payload,
        mut block: bool,
        deadline: Option<Instant>,
    ) -> Result<Put, Error> {
        let need = match payload {
            Payload::Inline(bytes) => (ITEM_HEAD + bytes.len()) as u64,
            Payload::Apart(_) => ITEM_HEAD as u64,
        };
        if !self.enter(deadline)? {
            return Ok(Put::NoRoom);
        }
        let header = self.header();
        loop {
            if header.shut_down.load(Relaxed) != 0 {
                self.mutex().unlock();
                return Ok(Put::ShutDown);
            }
            let maxsize = header.maxsize.load(Relaxed);
            let count = header.count.load(Relaxed);
            let (head, tail) = (header.head.load(Relaxed), header.tail.load(Relaxed));
            let free = self.capacity as u64 - (tail - head);
            let room = (maxsize == 0 || count < maxsize) && free >= need;
            if room && self.send_apart(payload)? {
                match payload {
                    Payload::Inline(bytes) => {
                        self.write_wrapped(tail, &(bytes.len() as u32).to_le_bytes());
                        self.write_wrapped(tail + ITEM_HEAD as u64, bytes);
                    }
                    Payload::Apart(_) => self.write_wrapped(tail, &APART.to_le_bytes()),
                }
                header.tail.store(tail + need, Relaxed);
                header.count.store(count + 1, Relaxed);
                header.unfinished.fetch_add(1, Relaxed);
                let not_empty = SeqWord(&header.not_empty);
                not_empty.bump();
                let sleepers = header.get_waiters.load(Relaxed) > 0;
                self.mutex().unlock();
                if sleepers {
                    not_empty.wake(1);
                }
                return Ok(Put::Done);
            }
            if !block {
                self.mutex().unlock();
                return Ok(Put::NoRoom);
            }
            block = self.sleep(&header.not_full, &header.put_waiters, deadline)?;
        }
    }

    /// With the mutex held: sends a large item's memfd through the
    /// channel (true at once for an inline item); false if the channel is
    /// full. An error (mutex released) if the kernel refuses it.
    fn send_apart(&self, payload: &Payload) -> Result<bool, Error> {
        let Payload::Apart(fds) = payload else {
            return Ok(true);
        };
        let fds: Vec<_> = fds.iter().map(AsFd::as_fd).collect();
        self.channel.try_send(&fds).map_err(|e| {
            self.mutex().unlock();
            Error::new(ErrorKind::Io, e)
                .with_detail("could not hand a large queue item's memfd to the queue's socket")
        })
    }

    /// Takes one encoded item, waiting until `deadline` if `block`;
    /// an error if the queue is broken.
    pub(super) fn get(&self, mut block: bool, deadline: Option<Instant>) -> Result<Got, Error> {
        if !self.enter(deadline)? {
            return Ok(Got::Nothing);
        }
        let header = self.header();
        loop {
            let count = header.count.load(Relaxed);
            if count > 0 {
                let head = header.head.load(Relaxed);
                let mut len = [0u8; ITEM_HEAD];
                self.read_wrapped(head, &mut len);
                let (payload, used) = match u32::from_le_bytes(len) {
                    APART => (
                        self.channel.try_recv().map(|fds| fds.map(Payload::Apart)),
                        ITEM_HEAD,
                    ),
                    len if self.is_large(len as usize) => {
                        // The queue writes no such length inline: the
                        // shared memory was overwritten. Refuse it before
                        // allocating or reading past the ring, and leave
                        // it at the head, so every later get fails too.
                        self.mutex().unlock();
                        return Err(Error::from_kind(ErrorKind::Broken).with_detail(format!(
                            "a corrupt item length in the queue's shared memory: {len} bytes, \
                             in a ring of {} (items over half of it travel apart)",
                            self.capacity
                        )));
                    }
                    len => {
                        let mut bytes = vec![0u8; len as usize];
                        self.read_wrapped(head + ITEM_HEAD as u64, &mut bytes);
                        (Ok(Some(Payload::Inline(bytes))), ITEM_HEAD + len as usize)
                    }
                };
                header.head.store(head + used as u64, Relaxed);
                header.count.store(count - 1, Relaxed);
                let not_full = SeqWord(&header.not_full);
                not_full.bump();
                let sleepers = header.put_waiters.load(Relaxed) > 0;
                self.mutex().unlock();
                if sleepers {
                    // Every producer: the room freed may suit a smaller
                    // item than the first sleeper's.
                    not_full.wake(ALL);
                }
                return match payload {
                    Ok(Some(payload)) => Ok(Got::Item(payload)),
                    Ok(None) => Err(Error::from_kind(ErrorKind::Io).with_detail(
                        "a large queue item's memfd was missing from the queue's socket",
                    )),
                    Err(e) => Err(Error::new(ErrorKind::Io, e)
                        .with_detail("could not receive a large queue item's memfd")),
                };
            }
            if header.shut_down.load(Relaxed) != 0 {
                self.mutex().unlock();
                return Ok(Got::ShutDown);
            }
            if !block {
                self.mutex().unlock();
                return Ok(Got::Nothing);
            }
            block = self.sleep(&header.not_empty, &header.get_waiters, deadline)?;
        }
    }

    /// Shuts the queue down for every process (see "Shutdown" above):
    /// `immediate` also drops every item, counting each as done. An error
    /// if the queue is broken.
    pub(super) fn shutdown(&self, immediate: bool) -> Result<(), Error> {
        self.enter(None)?;
        let header = self.header();
        header.shut_down.store(1, Relaxed);
        let mut all_done = false;
        if immediate {
            let dropped = header.count.swap(0, Relaxed);
            header.head.store(header.tail.load(Relaxed), Relaxed);
            // The channel holds exactly the dropped large items' memfds.
            while let Ok(Some(fds)) = self.channel.try_recv() {
                drop(fds);
            }
            let unfinished = header.unfinished.load(Relaxed);
            header
                .unfinished
                .store(unfinished.saturating_sub(dropped), Relaxed);
            all_done = unfinished <= dropped;
        }
        let mut words = vec![&header.not_empty, &header.not_full];
        if all_done {
            words.push(&header.all_done);
        }
        for word in &words {
            SeqWord(word).bump();
        }
        self.mutex().unlock();
        for word in words {
            SeqWord(word).wake(ALL);
        }
        Ok(())
    }

    /// With the mutex held: sleeps on `seq` as one of `waiters`, and
    /// takes the mutex again. False once `deadline` has passed (the caller
    /// then checks one last time without blocking); an error (mutex
    /// released) if the queue is broken meanwhile.
    fn sleep(
        &self,
        seq: &AtomicU32,
        waiters: &AtomicU32,
        deadline: Option<Instant>,
    ) -> Result<bool, Error> {
        waiters.fetch_add(1, Relaxed);
        let (in_time, taken) = SeqWord(seq).wait_unlocked(&self.mutex(), deadline);
        waiters.fetch_sub(1, Relaxed);
        self.check(taken)?;
        Ok(in_time)
    }

    pub(super) fn task_done(&self) -> Result<(), Error> {
        let header = self.header();
        self.enter(None)?;
        let unfinished = header.unfinished.load(Relaxed);
        if unfinished == 0 {
            self.mutex().unlock();
            return Err(Error::from_kind(ErrorKind::InvalidState)
                .with_detail("task_done() called more times than items were put"));
        }
        header.unfinished.store(unfinished - 1, Relaxed);
        let all_done = SeqWord(&header.all_done);
        let sleepers = unfinished == 1 && header.join_waiters.load(Relaxed) > 0;
        if unfinished == 1 {
            all_done.bump();
        }
        self.mutex().unlock();
        if sleepers {
            all_done.wake(ALL);
        }
        Ok(())
    }

    /// Waits until every item put is done: true if so by `deadline`,
    /// false if not, an error if the queue is broken.
    pub(super) fn join(&self, deadline: Option<Instant>) -> Result<bool, Error> {
        if !self.enter(deadline)? {
            return Ok(false);
        }
        let header = self.header();
        loop {
            if header.unfinished.load(Relaxed) == 0 {
                self.mutex().unlock();
                return Ok(true);
            }
            if !self.sleep(&header.all_done, &header.join_waiters, deadline)? {
                let done = header.unfinished.load(Relaxed) == 0;
                self.mutex().unlock();
                return Ok(done);
            }
        }
    }
}

/// The error of every operation on a broken queue.
fn broken(tid: u32) -> Error {
    Error::from_kind(ErrorKind::Broken).with_detail(format!(
        "the queue is broken: thread {tid} died inside one of its operations, \
         which may have left it half-updated"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_corrupt_inline_length_is_refused_before_allocating() {
        let ring = Ring::create(0, 4096).unwrap();
        let put = ring
            .put(&Payload::Inline(vec![1; 10]), false, None)
            .unwrap();
        assert!(matches!(put, Put::Done), "room for a small item");
        // Scribble over the item's length word: 2 GiB, which the queue
        // never writes inline (nor apart: that is `APART`).
        ring.write_wrapped(
            ring.header().head.load(Relaxed),
            &0x7fff_fff0u32.to_le_bytes(),
        );
        for _ in 0..2 {
            let Err(error) = ring.get(false, None) else {
                panic!("a corrupt length must not be read");
            };
            assert_eq!(error.kind(), ErrorKind::Broken, "{error}");
            assert!(error.to_string().contains("2147483632"), "{error}");
        }
    }
}
