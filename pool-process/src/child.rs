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

use std::time::Duration;

use rustix::process::{Signal, getpid, getppid, set_parent_process_death_signal};

use crate::fingerprint::{fingerprint, in_own_code};
use crate::sys;
use crate::sys::mailbox::{Mailbox, RecvError};
use crate::wire::message::{self, FAILED, Failure, Hello, PROTOCOL, Request};

/// The environment variable that marks a worker and carries its settings.
pub(crate) const MARKER: &str = "POOLRT_WORKER";

/// What the parent tells a worker through [`MARKER`]:
/// `protocol:parent_pid:core_or_dash:spin_micros:inherited:name` (the name
/// last, so it may hold colons).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Settings {
    pub(crate) parent: i32,
    pub(crate) core: Option<usize>,
    pub(crate) spin: Duration,
    /// How many descriptors the worker inherits for the shared objects in
    /// its arguments (from descriptor 5 up).
    pub(crate) inherited: usize,
    /// The name [`current_process`](crate::current_process) reports in
    /// the worker.
    pub(crate) name: String,
}

impl Settings {
    pub(crate) fn render(&self) -> String {
        let core = self.core.map_or_else(|| "-".to_owned(), |c| c.to_string());
        format!(
            "{PROTOCOL}:{}:{core}:{}:{}:{}",
            self.parent,
            self.spin.as_micros(),
            self.inherited,
            self.name
        )
    }

    pub(crate) fn parse(text: &str) -> Option<Settings> {
        let mut fields = text.splitn(6, ':');
        let protocol: u32 = fields.next()?.parse().ok()?;
        if protocol != PROTOCOL {
            return None;
        }
        let parent = fields.next()?.parse().ok()?;
        let core = match fields.next()? {
            "-" => None,
            n => Some(n.parse().ok()?),
        };
        let spin = Duration::from_micros(fields.next()?.parse().ok()?);
        let inherited = fields.next()?.parse().ok()?;
        let name = fields.next()?.to_owned();
        Some(Settings {
            parent,
            core,
            spin,
            inherited,
            name,
        })
    }
}

/// Called before `main` in every process of the program: returns at once
/// unless this process is a worker, in which case it never returns.
pub(crate) fn boot() {
    let Some(marker) = std::env::var_os(MARKER) else {
        return;
    };
    sys::boot::forget_marker(MARKER);
    let code = match marker.to_str().and_then(Settings::parse) {
        Some(settings) => serve(&settings),
        None => {
            eprintln!("poolrt: worker started with unreadable settings {marker:?}");
            3
        }
    };
    std::process::exit(code);
}

/// Steps 1-4; returns the process exit code.
fn serve(settings: &Settings) -> i32 {
    // Step 1.
    if set_parent_process_death_signal(Some(Signal::KILL)).is_err()
        || getppid().map(|p| p.as_raw_nonzero().get()) != Some(settings.parent)
    {
        return 4;
    }
    // Step 2: best effort, like thread pinning.
    if let Some(core) = settings.core {
        let mut set = rustix::thread::CpuSet::new();
        set.set(core);
        let _ = rustix::thread::sched_setaffinity(None, &set);
    }
    // Step 3.
    let mut mailbox = match Mailbox::child(sys::boot::inherited_ends()) {
        Ok(mailbox) => mailbox,
        Err(_) => return 5,
    };
    crate::shared::inherit::adopt(sys::boot::inherited_objects(settings.inherited));
    crate::process::set_current_name(settings.name.clone());
    let hello = Hello {
        protocol: PROTOCOL,
        fingerprint: fingerprint(),
        pid: getpid().as_raw_nonzero().get() as u32,
    };
    let hello = postcard::to_stdvec(&hello).expect("a hello always encodes");
    if mailbox.send(&[&hello]).is_err() {
        return 6;
    }
    // Step 4.
    let mut out = Vec::new();
    loop {
        let status = match mailbox.recv(settings.spin, None) {
            Ok(request) => match message::parse_request(request) {
                Some((Request::Exit, _, _)) | None => return 0,
                Some((Request::Call | Request::Init, offset, payload)) => {
                    out.clear();
                    match sys::entry::entry_at(offset, in_own_code) {
                        Some(entry) => entry(payload, &mut out),
                        None => {
                            out = postcard::to_stdvec(&Failure::UnknownEntry { offset })
                                .expect("a failure always encodes");
                            FAILED
                        }
                    }
                }
            },
            // The parent closed its end: it is done with us, or gone.
            Err(RecvError::PeerGone) => return 0,
            Err(_) => return 7,
        };
        if mailbox.send(&[&[status], &out]).is_err() {
            return 8;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip() {
        let s = Settings {
            parent: 42,
            core: Some(1),
            spin: Duration::from_micros(150),
            inherited: 0,
            name: "PoolWorker-1".to_owned(),
        };
        assert_eq!(Settings::parse(&s.render()), Some(s));
        let none = Settings {
            parent: 7,
            core: None,
            spin: Duration::ZERO,
            inherited: 3,
            name: "a:name:with:colons".to_owned(),
        };
        assert_eq!(Settings::parse(&none.render()), Some(none));
        assert_eq!(Settings::parse("999:1:-:0:0:x"), None, "another protocol");
        assert_eq!(Settings::parse(&format!("{PROTOCOL}:1:-:0:0")), None);
        assert_eq!(Settings::parse("garbage"), None);
    }
}
