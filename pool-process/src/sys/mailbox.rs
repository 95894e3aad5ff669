//! The mailbox: one message at a time, in turns, between a parent link and
//! its child, through a shared region; the socket only carries wake-ups
//! and end-of-file. See `README.md` in this folder for the protocol.

use std::io::{self, Read, Write};
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release, SeqCst};
use std::sync::atomic::fence;
use std::time::{Duration, Instant};

use super::region::Region;

/// Data-area bytes a new mailbox starts with; it grows on demand.
const INITIAL_CAPACITY: usize = 64 * 1024;

/// Data-area bytes kept resident after a larger message: beyond them, the
/// sender of the next, smaller message gives the pages back
/// ([`Region::release_above`]). Messages up to this size never cost a
/// system call or a page fault for it.
pub(crate) const KEEP_RESIDENT: usize = 4 * 1024 * 1024;

/// Which end of a mailbox this process holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    Parent = 0,
    Child = 1,
}

/// Why [`Mailbox::recv`] returned without a message.
#[derive(Debug)]
pub(crate) enum RecvError {
    /// The other process closed its end: it exited or was killed.
    PeerGone,
    /// The deadline passed first.
    TimedOut,
    /// The socket or the region failed.
    Io,
}

impl From<io::Error> for RecvError {
    fn from(_: io::Error) -> RecvError {
        RecvError::Io
    }
}

/// The two descriptors a child needs: its socket end and the region.
pub(crate) struct ChildEnds {
    pub(crate) socket: OwnedFd,
    pub(crate) region: OwnedFd,
}

/// One end of a parent-child mailbox.
pub(crate) struct Mailbox {
    region: Region,
    socket: UnixStream,
    me: usize,
    peer: usize,
    /// Messages this side has sent.
    sent: u64,
    /// Messages of the peer this side has received.
    received: u64,
    /// Adaptive spinning: the spin budget is divided by `2^backoff`. Each
    /// wait longer than the full budget (spinning would not have caught
    /// it) doubles the divisor, up to no spinning at all; a wait within the
    /// budget restores it. Streams of short tasks keep spinning; long
    /// tasks and idle spells stop paying for it.
    backoff: u32,
    /// How far into the data area a message reached (this side's or the
    /// peer's) since this side last gave the pages back.
    touched: usize,
    /// Length of the peer's last message.
    last_received: usize,
}

/// After this many halvings the budget is zero: sleep at once.
const MAX_BACKOFF: u32 = 6;

impl Mailbox {
    /// Creates the parent's end and the descriptors for the child.
    pub(crate) fn parent() -> io::Result<(Mailbox, ChildEnds)> {
        let region = Region::create(INITIAL_CAPACITY)?;
        let (ours, theirs) = UnixStream::pair()?;
        let child_region = region.fd().try_clone()?;
        Ok((
            Mailbox::new(region, ours, Side::Parent),
            ChildEnds {
                socket: theirs.into(),
                region: child_region,
            },
        ))
    }

    /// Adopts the descriptors a child inherited.
    pub(crate) fn child(ends: ChildEnds) -> io::Result<Mailbox> {
        let region = Region::adopt(ends.region)?;
        Ok(Mailbox::new(
            region,
            UnixStream::from(ends.socket),
            Side::Child,
        ))
    }

    fn new(region: Region, socket: UnixStream, side: Side) -> Mailbox {
        let me = side as usize;
        Mailbox {
            region,
            socket,
            me,
            peer: 1 - me,
            sent: 0,
            received: 0,
            backoff: 0,
            touched: 0,
            last_received: 0,
        }
    }

    /// The parent read the body of the child's last reply, which the
    /// child lent (`lend.rs`): the child may free it now.
    pub(crate) fn lent_taken(&self) {
        let taken = &self.region.header().taken;
        // Release: our reads of the child's memory happen before it frees
        // it (its Acquire load in `wait_lent_taken`).
        taken.fetch_add(1, Release);
        super::futex::wake(taken, 1);
    }

    /// The child waits until the parent has read the bodies of its first
    /// `lent` lent replies, or `deadline` passes (false).
    pub(crate) fn wait_lent_taken(&self, lent: u32, deadline: Instant) -> bool {
        let taken = &self.region.header().taken;
        loop {
            let now = taken.load(Acquire);
            if now == lent {
                return true;
            }
            if !super::futex::wait_while(taken, now, Some(deadline)) {
                return taken.load(Acquire) == lent;
            }
        }
    }

    /// Sends `parts` as one message and wakes the peer if it sleeps.
    ///
    /// It is this side's turn: it received the peer's last message (or, for
    /// the child, it is the greeting).
    pub(crate) fn send(&mut self, parts: &[&[u8]]) -> io::Result<()> {
        let total: usize = parts.iter().map(|p| p.len()).sum();
        if self.touched > KEEP_RESIDENT
            && total <= KEEP_RESIDENT
            && self.last_received <= KEEP_RESIDENT
        {
            // A large message was sent earlier, and both the peer's last
            // message and this one are small: the large traffic has ended
            // (a stream of large arguments or large replies never gets
            // here, so it keeps its pages). The data area is ours (it is
            // our turn): give back its pages beyond the first
            // KEEP_RESIDENT bytes. Best effort: a failure only keeps
            // memory.
            let _ = self.region.release_above(KEEP_RESIDENT);
            self.touched = KEEP_RESIDENT;
        }
        self.touched = self.touched.max(total);
        if total > self.region.capacity() {
            self.region.grow(total)?;
        }
        self.region.write(parts);
        let header = self.region.header();
        header.len[self.me].store(total as u64, Relaxed);
        self.sent += 1;
        // Release: publishes the data and length to the peer's Acquire
        // load of `seq`.
        header.seq[self.me].value.store(self.sent, Release);
        // SeqCst fence: orders the `seq` store before the flag swap below
        // against the receiver's fence between its flag store and `seq`
        // load (the Dekker pair of step 3 of the protocol; a SeqCst store
        // followed by a weaker load would not exclude the lost wake-up).
        fence(SeqCst);
        // Relaxed: the fences above and in `sleep_until` do the ordering;
        // no data flows through the flag.
        if header.waiting[self.peer].swap(0, Relaxed) != 0 {
            // The peer sleeps on the socket: one byte wakes it. A peer
            // that is gone shows up as end-of-file on our next receive.
            let _ = (&self.socket).write(&[1]);
        }
        Ok(())
    }

    /// Waits for the peer's next message: spins for up to `spin` (less
    /// after recent long waits, see `backoff`), then sleeps on the socket
    /// until woken, until `deadline`, or until the peer is gone. The message
    /// stays valid until the next `send`.
    pub(crate) fn recv(
        &mut self,
        spin: Duration,
        deadline: Option<Instant>,
    ) -> Result<&[u8], RecvError> {
        let want = self.received + 1;
        let start = Instant::now();
        let budget = if self.backoff >= MAX_BACKOFF {
            Duration::ZERO
        } else {
            spin / (1 << self.backoff)
        };
        if !self.spin_until(want, budget) {
            self.sleep_until(want, deadline)?;
        }
        self.backoff = if start.elapsed() <= spin {
            0
        } else {
            (self.backoff + 1).min(MAX_BACKOFF)
        };
        self.received = want;
        self.region.follow()?;
        let len = self.region.header().len[self.peer].load(Relaxed) as usize;
        self.touched = self.touched.max(len);
        self.last_received = len;
        Ok(self.region.read(len))
    }

    fn arrived(&self, want: u64) -> bool {
        // Acquire: pairs with the sender's Release store, so the data and
        // length written before it are visible. (Against the lost wake-up,
        // `sleep_until` puts a SeqCst fence before this load.)
        self.region.header().seq[self.peer].value.load(Acquire) >= want
    }

    /// Brief busy-waiting: cheap when the answer is microseconds away.
    fn spin_until(&self, want: u64, budget: Duration) -> bool {
        if self.arrived(want) {
            return true;
        }
        let start = Instant::now();
        loop {
            for _ in 0..64 {
                std::hint::spin_loop();
                if self.arrived(want) {
                    return true;
                }
            }
            if start.elapsed() >= budget {
                return false;
            }
            std::thread::yield_now();
            if self.arrived(want) {
                return true;
            }
        }
    }

    fn sleep_until(&self, want: u64, deadline: Option<Instant>) -> Result<(), RecvError> {
        let header = self.region.header();
        let mut buf = [0u8; 64];
        loop {
            // Relaxed store, then a SeqCst fence: the flag is ordered
            // before the load of the peer's counter in `arrived`, and the
            // fence pairs with the sender's fence between its `seq` store
            // and flag swap (Dekker, step 3 of the protocol; modelled in
            // `tests/loom_mailbox.rs`).
            header.waiting[self.me].store(1, Relaxed);
            fence(SeqCst);
            if self.arrived(want) {
                header.waiting[self.me].store(0, Release);
                return Ok(());
            }
            let timeout = match deadline {
                None => None,
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        header.waiting[self.me].store(0, Release);
                        return Err(RecvError::TimedOut);
                    }
                    Some(left)
                }
            };
            self.socket.set_read_timeout(timeout)?;
            match (&self.socket).read(&mut buf) {
                Ok(0) => {
                    header.waiting[self.me].store(0, Release);
                    // The peer may have sent its last message and exited.
                    return if self.arrived(want) {
                        Ok(())
                    } else {
                        Err(RecvError::PeerGone)
                    };
                }
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) => {}
                Err(e) if e.kind() == io::ErrorKind::ConnectionReset => {
                    header.waiting[self.me].store(0, Release);
                    return Err(RecvError::PeerGone);
                }
                Err(_) => return Err(RecvError::Io),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: usize = 1024 * 1024;

    fn pair() -> (Mailbox, Mailbox) {
        let (parent, ends) = Mailbox::parent().unwrap();
        (parent, Mailbox::child(ends).unwrap())
    }

    fn round_trip(parent: &mut Mailbox, child: &mut Mailbox, request: &[u8], reply: &[u8]) {
        let spin = Duration::from_millis(10);
        parent.send(&[request]).unwrap();
        assert_eq!(child.recv(spin, None).unwrap().len(), request.len());
        child.send(&[reply]).unwrap();
        assert_eq!(parent.recv(spin, None).unwrap().len(), reply.len());
    }

    /// Resident pages beyond the kept first KEEP_RESIDENT bytes.
    fn resident_above_kept(mailbox: &Mailbox, upto: usize) -> usize {
        mailbox
            .region
            .resident_pages(KEEP_RESIDENT, upto - KEEP_RESIDENT)
    }

    #[test]
    fn a_stream_of_large_messages_keeps_its_pages_and_one_small_round_trip_gives_them_back() {
        let (mut parent, mut child) = pair();
        let large = vec![1u8; 8 * MIB];
        let above = (8 * MIB - KEEP_RESIDENT) / 4096;
        // Large arguments, small replies: no hole between them.
        for _ in 0..3 {
            round_trip(&mut parent, &mut child, &large, b"ok");
            assert_eq!(resident_above_kept(&parent, 8 * MIB), above);
            assert_eq!(resident_above_kept(&child, 8 * MIB), above);
        }
        // Small requests, large replies: none either.
        for _ in 0..3 {
            round_trip(&mut parent, &mut child, b"go", &large);
            assert_eq!(resident_above_kept(&child, 8 * MIB), above);
        }
        // One small round trip: the pages go back in both processes.
        round_trip(&mut parent, &mut child, b"go", b"ok");
        assert_eq!(resident_above_kept(&parent, 8 * MIB), 0);
        assert_eq!(resident_above_kept(&child, 8 * MIB), 0);
        // And the region still carries large messages.
        round_trip(&mut parent, &mut child, &large, b"ok");
        parent.send(&[b"go"]).unwrap();
        child.recv(Duration::from_millis(10), None).unwrap();
        child.send(&[&large]).unwrap();
        let reply = parent.recv(Duration::from_millis(10), None).unwrap();
        assert!(reply.len() == large.len() && reply.iter().all(|&b| b == 1));
    }
}
