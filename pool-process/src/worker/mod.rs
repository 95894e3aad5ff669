//! The worker side: what a re-executed copy of the program does instead of
//! `main` (entered from `sys/boot.rs`).
//!
//! 1. Ask the kernel to kill it when the parent dies, then make sure the
//!    parent is still the one that started it (it may have died before
//!    the request took effect).
//! 2. Pin itself to its core, if asked.
//! 3. Adopt the inherited socket and shared region (and the descriptors of
//!    shared objects passed to a `Process`), greet the parent with its
//!    protocol version, build fingerprint and pid.
//! 4. Serve requests until told to exit or until the parent goes away;
//!    each request names an entry function by offset, checked to lie in
//!    this binary's code before it is called.

mod boot;
pub(crate) mod fingerprint;
mod settings;

pub(crate) use boot::ensure_linked;
pub(crate) use settings::{MARKER, Settings};

use std::time::{Duration, Instant};

use self::fingerprint::{fingerprint, in_own_code};
use crate::sys;
use crate::sys::lend::{LEND_FROM, Lent};
use crate::sys::mailbox::{Mailbox, RecvError};
use crate::wire::codec::Encoded;
use crate::wire::message::{self, FAILED, Failure, Hello, LENT, OK, PROTOCOL, Request};

/// Reply-buffer capacity kept between tasks; a larger buffer shrinks at
/// the first reply that fits in this.
const KEEP_REPLY_BUFFER: usize = crate::sys::mailbox::KEEP_RESIDENT;

/// How long a worker waits for the parent to read a lent reply before it
/// goes back to serving; it then frees the body at the next request.
const LEND_WAIT: Duration = Duration::from_secs(1);

/// Who this process is, as the parent told it, when it is a worker.
pub(crate) struct Identity {
    /// Its name (`current_process().name()`).
    pub(crate) name: String,
    pub(crate) daemon: bool,
    /// The parent's pid and name (`parent_process()`).
    pub(crate) parent: u32,
    pub(crate) parent_name: String,
}

static IDENTITY: std::sync::OnceLock<Identity> = std::sync::OnceLock::new();

/// Who this process is, if it is a worker (or a `Process`'s child).
pub(crate) fn identity() -> Option<&'static Identity> {
    IDENTITY.get()
}

/// Called before `main` in every process of the program: returns at once
/// unless this process is a worker, in which case it never returns.
pub(crate) fn boot() {
    // Called first thing in every process, so this is the call that can
    // take the inherited descriptors (see `sys::boot::worker_start`).
    let Some(start) = sys::boot::worker_start(MARKER) else {
        return;
    };
    if let Some(parent) = sys::zygote::zygote_parent(start.marker()) {
        std::process::exit(boot::fork_server(start, parent));
    }
    let code = match start.marker().to_str().and_then(Settings::parse) {
        Some(settings) => serve(&settings, start),
        None => {
            eprintln!(
                "poolrt: worker started with unreadable settings {:?}",
                start.marker()
            );
            3
        }
    };
    std::process::exit(code);
}

/// Steps 1-4; returns the process exit code.
fn serve(settings: &Settings, start: sys::boot::WorkerStart) -> i32 {
    // Step 1.
    if !sys::current::die_with_parent(settings.parent) {
        return 4;
    }
    // Step 2: best effort, like thread pinning.
    if let Some(core) = settings.core {
        let _ = sys::current::pin_to_core(core);
    }
    // Step 3.
    let (ends, objects) = start.take_descriptors(settings.inherited);
    let mut mailbox = match Mailbox::child(ends) {
        Ok(mailbox) => mailbox,
        Err(_) => return 5,
    };
    crate::wire::inherit::adopt(objects);
    let _ = IDENTITY.set(Identity {
        name: settings.name.clone(),
        daemon: settings.daemon,
        parent: settings.parent.unsigned_abs(),
        parent_name: settings.parent_name.clone(),
    });
    let hello = Hello {
        protocol: PROTOCOL,
        fingerprint: fingerprint(),
        pid: sys::current::pid() as u32,
    };
    let hello = postcard::to_stdvec(&hello).expect("a hello always encodes");
    if mailbox.send(&[&hello]).is_err() {
        return 6;
    }
    // Step 4.
    let mut out = Encoded::default();
    // Lent replies so far, and whether `out` still holds a lent body the
    // parent may not have read yet (`sys/lend.rs`).
    let mut lent = 0u32;
    let mut holding = false;
    loop {
        let (status, may_lend) = match mailbox.recv(settings.spin, None) {
            Ok(request) => {
                // The parent sends nothing before it has read a lent body.
                if holding {
                    out.clear();
                    holding = false;
                }
                let may_lend = message::may_lend(request);
                let status = match message::parse_request(request) {
                    Some((Request::Exit, _, _)) | None => return exit_hooks_then(0),
                    Some((Request::Call | Request::Init, offset, payload)) => {
                        #[allow(unsafe_code)] // the one call by offset
                        // SAFETY: the offset comes from our parent, which runs
                        // this very binary (the handshake compared build
                        // fingerprints) and computed it with `offset_of` on an
                        // entry.
                        let entry = unsafe { sys::entry::entry_at(offset, in_own_code) };
                        match entry {
                            Some(entry) => entry(payload, &mut out),
                            None => {
                                out.head = postcard::to_stdvec(&Failure::UnknownEntry { offset })
                                    .expect("a failure always encodes");
                                FAILED
                            }
                        }
                    }
                };
                (status, may_lend)
            }
            // The parent closed its end: it is done with us, or gone.
            Err(RecvError::PeerGone) => return exit_hooks_then(0),
            Err(_) => return 7,
        };
        if out.head.capacity() > KEEP_REPLY_BUFFER && out.head.len() <= KEEP_REPLY_BUFFER {
            // An earlier reply was large, this one is not: do not keep its
            // memory for the rest of the worker's life. (Before sending,
            // so the memory is back by the time the parent has the reply;
            // a stream of large replies keeps reusing the buffer.)
            out.head.shrink_to_fit();
        }
        if may_lend && status == OK && out.body.len() >= LEND_FROM {
            // One copy instead of two: the parent reads the body out of
            // our memory, and says when it is done.
            let prefix = Lent::prefix(&out.body);
            if mailbox
                .send(&[&[status | LENT], &prefix, &out.head])
                .is_err()
            {
                return 8;
            }
            lent = lent.wrapping_add(1);
            holding = !mailbox.wait_lent_taken(lent, Instant::now() + LEND_WAIT);
            if holding {
                continue;
            }
        } else if mailbox.send(&[&[status], &out.head, &out.body]).is_err() {
            return 8;
        }
        // A bulk result moved into the body (the task's own vector) has
        // been copied into the region: give it back now, not at the next
        // request, so an idle worker holds none of it.
        out.clear();
    }
}

/// Runs what must happen before a child exits normally (its non-daemon
/// threads are joined, as in Python: `pool_core::exit`), then gives
/// `code` back.
fn exit_hooks_then(code: i32) -> i32 {
    pool_core::exit::run_child_exit_hooks();
    code
}
