//! `Queue` and `JoinableQueue`: Python's `multiprocessing.Queue` and
//! `JoinableQueue`, FIFO queues shared by processes.
//!
//! # Layout of the shared segment
//!
//! A header of words, then a ring buffer of `capacity` bytes holding the
//! items as `u32` length + postcard bytes, wrapping at the end. `head` and
//! `tail` count bytes taken and added since creation (so `tail - head` is
//! the bytes in use). Every field but the futex words is read and written
//! only under the mutex word; the `*_WAITERS` counts let a producer or
//! consumer skip the wake-up system call when nobody sleeps.
//!
//! Items are encoded before the mutex is taken and decoded after it is
//! released, so the mutex covers only two copies and some arithmetic.

use std::sync::atomic::Ordering::Relaxed;
use std::time::Instant;

use pool_core::{Error, ErrorKind};

use crate::shared::create_error;
use crate::shared::sync::word::{ALL, RawMutex, SeqWord};
use crate::sys::segment::Segment;

const LOCK: usize = 0;
const NOT_EMPTY: usize = 4;
const NOT_FULL: usize = 8;
const ALL_DONE: usize = 12;
const GET_WAITERS: usize = 16;
const PUT_WAITERS: usize = 20;
const JOIN_WAITERS: usize = 24;
const HEAD: usize = 32;
const TAIL: usize = 40;
pub(super) const COUNT: usize = 48;
pub(super) const UNFINISHED: usize = 56;
pub(super) const MAXSIZE: usize = 64;
const CAPACITY: usize = 72;
const DATA: usize = 128;

/// Ring bytes a queue gets unless told otherwise. Pages are only used as
/// items reach them.
pub(super) const DEFAULT_CAPACITY: usize = 1 << 20;

/// Bytes before each item in the ring: its length.
pub(super) const ITEM_HEAD: usize = 4;

/// The shared ring both queue types are built on.
pub(super) struct Ring {
    pub(super) segment: Segment,
    pub(super) capacity: usize,
}

impl Ring {
    pub(super) fn create(maxsize: usize, capacity: usize) -> Result<Ring, Error> {
        if capacity < ITEM_HEAD + 1 {
            return Err(Error::from_kind(ErrorKind::InvalidConfig)
                .with_detail(format!("a queue buffer of {capacity} bytes holds no item")));
        }
        let segment = Segment::create("poolrt-queue", DATA + capacity)
            .map_err(|e| create_error("Queue", e))?;
        segment.u64_at(MAXSIZE).store(maxsize as u64, Relaxed);
        segment.u64_at(CAPACITY).store(capacity as u64, Relaxed);
        Ok(Ring { segment, capacity })
    }

    pub(super) fn adopt(segment: Segment) -> Result<Ring, String> {
        let capacity = segment.u64_at(CAPACITY).load(Relaxed) as usize;
        if capacity == 0 || DATA + capacity > segment.len() {
            return Err("the inherited queue memory is not a queue".to_owned());
        }
        Ok(Ring { segment, capacity })
    }

    pub(super) fn mutex(&self) -> RawMutex<'_> {
        RawMutex(self.segment.u32_at(LOCK))
    }

    pub(super) fn word(&self, at: usize) -> u64 {
        self.segment.u64_at(at).load(Relaxed)
    }

    pub(super) fn set(&self, at: usize, value: u64) {
        self.segment.u64_at(at).store(value, Relaxed);
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
    /// forever) if `block`. False if there was no room in time.
    pub(super) fn put(&self, bytes: &[u8], mut block: bool, deadline: Option<Instant>) -> bool {
        let need = (ITEM_HEAD + bytes.len()) as u64;
        if !self.mutex().lock(deadline) {
            return false;
        }
        loop {
            let maxsize = self.word(MAXSIZE);
            let count = self.word(COUNT);
            let (head, tail) = (self.word(HEAD), self.word(TAIL));
            let free = self.capacity as u64 - (tail - head);
            if (maxsize == 0 || count < maxsize) && free >= need {
                self.write_wrapped(tail, &(bytes.len() as u32).to_le_bytes());
                self.write_wrapped(tail + ITEM_HEAD as u64, bytes);
                self.set(TAIL, tail + need);
                self.set(COUNT, count + 1);
                self.set(UNFINISHED, self.word(UNFINISHED) + 1);
                let signal = SeqWord(self.segment.u32_at(NOT_EMPTY));
                signal.bump();
                let sleepers = self.segment.u32_at(GET_WAITERS).load(Relaxed) > 0;
                self.mutex().unlock();
                if sleepers {
                    signal.wake(1);
                }
                return true;
            }
            if !block {
                self.mutex().unlock();
                return false;
            }
            block = self.sleep(NOT_FULL, PUT_WAITERS, deadline);
        }
    }

    /// Takes one encoded item, waiting until `deadline` if `block`.
    pub(super) fn get(&self, mut block: bool, deadline: Option<Instant>) -> Option<Vec<u8>> {
        if !self.mutex().lock(deadline) {
            return None;
        }
        loop {
            let count = self.word(COUNT);
            if count > 0 {
                let head = self.word(HEAD);
                let mut len = [0u8; ITEM_HEAD];
                self.read_wrapped(head, &mut len);
                let len = u32::from_le_bytes(len) as usize;
                let mut bytes = vec![0u8; len];
                self.read_wrapped(head + ITEM_HEAD as u64, &mut bytes);
                self.set(HEAD, head + (ITEM_HEAD + len) as u64);
                self.set(COUNT, count - 1);
                let signal = SeqWord(self.segment.u32_at(NOT_FULL));
                signal.bump();
                let sleepers = self.segment.u32_at(PUT_WAITERS).load(Relaxed) > 0;
                self.mutex().unlock();
                if sleepers {
                    // Every producer: the room freed may suit a smaller
                    // item than the first sleeper's.
                    signal.wake(ALL);
                }
                return Some(bytes);
            }
            if !block {
                self.mutex().unlock();
                return None;
            }
            block = self.sleep(NOT_EMPTY, GET_WAITERS, deadline);
        }
    }

    /// With the mutex held: sleeps on `signal` as one of `waiters`, and
    /// takes the mutex again. False once `deadline` has passed (the caller
    /// then checks one last time without blocking).
    pub(super) fn sleep(&self, signal: usize, waiters: usize, deadline: Option<Instant>) -> bool {
        let waiters = self.segment.u32_at(waiters);
        waiters.fetch_add(1, Relaxed);
        let in_time = SeqWord(self.segment.u32_at(signal)).wait_unlocked(&self.mutex(), deadline);
        waiters.fetch_sub(1, Relaxed);
        in_time
    }

    pub(super) fn task_done(&self) -> Result<(), Error> {
        self.mutex().lock(None);
        let unfinished = self.word(UNFINISHED);
        if unfinished == 0 {
            self.mutex().unlock();
            return Err(Error::from_kind(ErrorKind::InvalidState)
                .with_detail("task_done() called more times than items were put"));
        }
        self.set(UNFINISHED, unfinished - 1);
        let signal = SeqWord(self.segment.u32_at(ALL_DONE));
        let sleepers = unfinished == 1 && self.segment.u32_at(JOIN_WAITERS).load(Relaxed) > 0;
        if unfinished == 1 {
            signal.bump();
        }
        self.mutex().unlock();
        if sleepers {
            signal.wake(ALL);
        }
        Ok(())
    }

    pub(super) fn join(&self, deadline: Option<Instant>) -> bool {
        if !self.mutex().lock(deadline) {
            return false;
        }
        loop {
            if self.word(UNFINISHED) == 0 {
                self.mutex().unlock();
                return true;
            }
            if !self.sleep(ALL_DONE, JOIN_WAITERS, deadline) {
                let done = self.word(UNFINISHED) == 0;
                self.mutex().unlock();
                return done;
            }
        }
    }
}
