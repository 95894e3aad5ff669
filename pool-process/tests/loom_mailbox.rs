//! A loom model of the mailbox's wake-up handshake (`src/sys/mailbox.rs`,
//! protocol in `src/sys/README.md`, steps 1 and 3): no wake-up is lost.
//!
//! The model keeps exactly the atomics and orderings of the handshake:
//! the sender bumps its `seq`, issues a SeqCst fence and swaps the peer's
//! `waiting` flag to zero, writing a byte if it was set; the receiver
//! sets its `waiting` flag, issues a SeqCst fence, re-checks `seq` and
//! only then sleeps on the socket. The socket is a byte count under a
//! loom `Mutex`/`Condvar`. A lost wake-up leaves the receiver blocked with
//! nobody left to wake it, which loom reports as a deadlock.
//!
//! The data area and its length are left out: they are published by the
//! `seq` store and read after the `seq` load, a plain Release/Acquire pair.
//!
//! Run with (a separate target dir keeps the ordinary build warm):
//!
//! ```text
//! RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom \
//!     cargo test -p pool-process --test loom_mailbox --release
//! ```
#![cfg(loom)]

use loom::sync::atomic::Ordering::{Acquire, Relaxed, Release, SeqCst};
use loom::sync::atomic::{AtomicU32, AtomicU64, fence};
use loom::sync::{Arc, Condvar, Mutex};
use loom::thread;

/// The socket: it carries only wake-up bytes.
#[derive(Default)]
struct Socket {
    bytes: Mutex<u32>,
    readable: Condvar,
}

impl Socket {
    fn write_byte(&self) {
        *self.bytes.lock().unwrap() += 1;
        self.readable.notify_one();
    }

    /// Blocks until at least one byte is there, then reads them all (the
    /// mailbox reads up to 64 at a time).
    fn read(&self) {
        let mut bytes = self.bytes.lock().unwrap();
        while *bytes == 0 {
            bytes = self.readable.wait(bytes).unwrap();
        }
        *bytes = 0;
    }
}

/// The shared header (one side's slots of each array are enough per
/// direction, but both directions are kept to model a round trip) and
/// each side's socket end.
#[derive(Default)]
struct Mailbox {
    seq: [AtomicU64; 2],
    waiting: [AtomicU32; 2],
    /// `socket[s]`: bytes waiting to be read by side `s`.
    socket: [Socket; 2],
}

/// Which fence the handshake uses; the broken variant is the one the
/// mailbox had before (a SeqCst store, then an Acquire load of the peer's
/// counter with no fence between them).
#[derive(Clone, Copy)]
enum Handshake {
    Fenced,
    Unfenced,
}

impl Mailbox {
    /// `Mailbox::send` after the data is written.
    fn send(&self, me: usize, seq: u64, handshake: Handshake) {
        let peer = 1 - me;
        match handshake {
            Handshake::Fenced => {
                self.seq[me].store(seq, Release);
                fence(SeqCst);
                if self.waiting[peer].swap(0, Relaxed) != 0 {
                    self.socket[peer].write_byte();
                }
            }
            Handshake::Unfenced => {
                self.seq[me].store(seq, SeqCst);
                if self.waiting[peer].swap(0, SeqCst) != 0 {
                    self.socket[peer].write_byte();
                }
            }
        }
    }

    /// `Mailbox::sleep_until` with an unbounded deadline (the spin phase
    /// only adds earlier chances to see `seq`; the model skips it).
    fn recv(&self, me: usize, want: u64, handshake: Handshake) {
        let peer = 1 - me;
        loop {
            match handshake {
                Handshake::Fenced => {
                    self.waiting[me].store(1, Relaxed);
                    fence(SeqCst);
                }
                Handshake::Unfenced => self.waiting[me].store(1, SeqCst),
            }
            if self.seq[peer].load(Acquire) >= want {
                self.waiting[me].store(0, Release);
                return;
            }
            self.socket[me].read();
        }
    }
}

const PARENT: usize = 0;
const CHILD: usize = 1;

/// One message: the receiver either sees it before sleeping or is woken.
#[test]
fn one_message_is_never_missed() {
    loom::model(|| {
        let mailbox = Arc::new(Mailbox::default());
        let sender = {
            let mailbox = Arc::clone(&mailbox);
            thread::spawn(move || mailbox.send(PARENT, 1, Handshake::Fenced))
        };
        mailbox.recv(CHILD, 1, Handshake::Fenced);
        sender.join().unwrap();
    });
}

/// A request and its reply: each side sleeps in turn, and a stale byte
/// from the first message only costs the parent one extra loop.
#[test]
fn round_trip_is_never_missed() {
    loom::model(|| {
        let mailbox = Arc::new(Mailbox::default());
        let child = {
            let mailbox = Arc::clone(&mailbox);
            thread::spawn(move || {
                mailbox.recv(CHILD, 1, Handshake::Fenced);
                mailbox.send(CHILD, 1, Handshake::Fenced);
            })
        };
        mailbox.send(PARENT, 1, Handshake::Fenced);
        mailbox.recv(PARENT, 1, Handshake::Fenced);
        child.join().unwrap();
    });
}

/// The model has teeth: without the fences (the mailbox's orderings
/// before this model existed) loom finds the lost wake-up. Loom reports a
/// deadlock by aborting the process, so the broken model runs in a child
/// copy of this test binary.
#[test]
fn unfenced_handshake_loses_a_wake_up() {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "unfenced_model", "--ignored", "--nocapture"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "loom missed the lost wake-up");
    assert!(
        stderr.contains("deadlock"),
        "expected loom's deadlock report, got: {stderr}"
    );
}

/// The model of the old orderings; run by the test above.
#[test]
#[ignore = "aborts: run by unfenced_handshake_loses_a_wake_up"]
fn unfenced_model() {
    loom::model(|| {
        let mailbox = Arc::new(Mailbox::default());
        let sender = {
            let mailbox = Arc::clone(&mailbox);
            thread::spawn(move || mailbox.send(PARENT, 1, Handshake::Unfenced))
        };
        mailbox.recv(CHILD, 1, Handshake::Unfenced);
        sender.join().unwrap();
    });
}
