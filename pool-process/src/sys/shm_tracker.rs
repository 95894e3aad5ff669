//! The shared-memory tracker: a small process that unlinks the named
//! segments this program created and left behind, once the program has
//! ended, however it ended (Python's resource tracker).
//!
//! 1. The first segment this process creates starts the tracker: a copy
//!    of this program's own binary, re-executed with a marker in its
//!    environment that the `.init_array` hook below spots before `main`.
//!    Its standard input is one end of a socket pair whose other end
//!    only this process keeps (close-on-exec, so no other child inherits
//!    it).
//!    It runs in a process group of its own, so a Ctrl-C at the terminal
//!    or a signal to the program's group does not reach it, and it has no
//!    parent-death signal.
//! 2. Each created segment is announced with a line `+<inode> <name>`,
//!    each unlinked one with `-<name>`, written under a lock (so lines of
//!    two threads never interleave) with `MSG_NOSIGNAL`: a tracker that
//!    is gone is an error, never a `SIGPIPE` (which a worker, whose
//!    `main` never ran, does not ignore).
//! 3. When this process ends (returns from `main`, exits, panics, or is
//!    SIGKILLed), the kernel closes its end, and the tracker reads
//!    end-of-file. It then unlinks every name still announced whose file
//!    is still the one announced (same inode), so a segment that somebody
//!    else created later under a name this program unlinked is left alone;
//!    it goes through the names in order, says on stderr what it
//!    unlinked, as Python does, and exits.
//!
//! If the tracker is gone (killed by hand), the next announcement starts
//! a new one and tells it every name still tracked.

use std::collections::BTreeMap;
use std::io::{self, BufRead};
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};

use parking_lot::Mutex;

/// The environment variable that makes a copy of the program a tracker.
const MARKER: &str = "POOLRT_SHM_TRACKER";

#[used]
#[allow(unsafe_code)]
// SAFETY: `.init_array` holds pointers to `extern "C" fn()` that the
// loader calls once before `main`; `before_main` is such a function, and
// it never unwinds (it aborts on a panic).
#[unsafe(link_section = ".init_array")]
static BEFORE_MAIN: extern "C" fn() = before_main;

/// In a tracker, serves and exits; elsewhere returns at once.
extern "C" fn before_main() {
    if std::env::var_os(MARKER).is_none() {
        return;
    }
    let outcome = std::panic::catch_unwind(|| serve(io::stdin().lock()));
    if outcome.is_err() {
        // A panic here would unwind into the loader.
        std::process::abort();
    }
    std::process::exit(0);
}

/// Step 3: reads announcements until end-of-file, then unlinks what is
/// left.
fn serve(input: impl BufRead) {
    let mut names: BTreeMap<String, u64> = BTreeMap::new();
    for line in input.lines() {
        let Ok(line) = line else { break };
        if let Some(rest) = line.strip_prefix('+') {
            if let Some((inode, name)) = rest.split_once(' ')
                && let Ok(inode) = inode.parse()
            {
                names.insert(name.to_owned(), inode);
            }
        } else if let Some(name) = line.strip_prefix('-') {
            names.remove(name);
        }
    }
    let unlinked: Vec<&str> = names
        .iter()
        .filter(|&(name, &inode)| super::shm::inode_of(name).is_ok_and(|now| now == inode))
        .filter(|&(name, _)| super::shm::unlink(name).is_ok())
        .map(|(name, _)| name.as_str())
        .collect();
    if !unlinked.is_empty() {
        eprintln!(
            "poolrt: shared-memory tracker: unlinked {} segment(s) left behind at exit: {}",
            unlinked.len(),
            unlinked.join(", ")
        );
    }
}

/// This process's tracker and what it was told.
struct Tracker {
    child: Child,
    /// Our end of the tracker's standard input.
    input: UnixStream,
}

/// The names this process announced (with their inodes), and its tracker
/// once started.
struct State {
    tracker: Option<Tracker>,
    names: BTreeMap<String, u64>,
}

static STATE: Mutex<State> = Mutex::new(State {
    tracker: None,
    names: BTreeMap::new(),
});

/// Step 1, if not done yet: starts the tracker, so the next segment is
/// tracked from the moment it exists.
pub(crate) fn ensure_started() -> io::Result<()> {
    let mut state = STATE.lock();
    if state.tracker.is_none() {
        state.tracker = Some(start(&state.names)?);
    }
    Ok(())
}

/// Step 2: the segment `name` (file `inode`) is to be unlinked when this
/// program ends.
pub(crate) fn register(name: &str, inode: u64) -> io::Result<()> {
    let mut state = STATE.lock();
    state.names.insert(name.to_owned(), inode);
    let sent = send(&mut state, &format!("+{inode} {name}\n"));
    if sent.is_err() {
        // The caller unlinks the block: nothing left to track.
        state.names.remove(name);
    }
    sent
}

/// Step 2: the segment `name` was unlinked; forget it. Names this process
/// never registered are ignored.
pub(crate) fn unregister(name: &str) -> io::Result<()> {
    let mut state = STATE.lock();
    if state.names.remove(name).is_none() {
        return Ok(());
    }
    send(&mut state, &format!("-{name}\n"))
}

/// Writes `line`; if the tracker is gone, starts a new one, which learns
/// every name tracked (`line`'s effect included).
fn send(state: &mut State, line: &str) -> io::Result<()> {
    if let Some(tracker) = &state.tracker
        && write_all(&tracker.input, line.as_bytes()).is_ok()
    {
        return Ok(());
    }
    if let Some(mut dead) = state.tracker.take() {
        // Reap it, so no zombie stays behind.
        let _ = dead.child.kill();
        let _ = dead.child.wait();
    }
    state.tracker = Some(start(&state.names)?);
    Ok(())
}

/// Starts a tracker and announces `names` to it.
fn start(names: &BTreeMap<String, u64>) -> io::Result<Tracker> {
    let (input, theirs) = UnixStream::pair()?;
    let child = Command::new(super::spawn::OWN_BINARY)
        .arg0(super::spawn::own_argv0())
        .env(MARKER, "1")
        .stdin(Stdio::from(OwnedFd::from(theirs)))
        .stdout(Stdio::null())
        .process_group(0)
        .spawn()?;
    for (name, inode) in names {
        write_all(&input, format!("+{inode} {name}\n").as_bytes())?;
    }
    Ok(Tracker { child, input })
}

/// Sends all of `bytes`, without `SIGPIPE`.
fn write_all(stream: &UnixStream, mut bytes: &[u8]) -> io::Result<()> {
    while !bytes.is_empty() {
        let sent = super::socket::send_no_signal(stream, bytes)?;
        bytes = &bytes[sent..];
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tracker_unlinks_what_is_still_announced_and_the_same_file() {
        let kept = format!("poolrt-unit-kept-{}", std::process::id());
        let gone = format!("poolrt-unit-gone-{}", std::process::id());
        let replaced = format!("poolrt-unit-replaced-{}", std::process::id());
        let a = super::super::shm::create(&kept, 8).unwrap();
        let b = super::super::shm::create(&gone, 8).unwrap();
        let c = super::super::shm::create(&replaced, 8).unwrap();
        let input = format!(
            "+{} {kept}\n+{} {gone}\n-{gone}\n+{} {replaced}\n",
            a.inode(),
            b.inode(),
            c.inode() + 1
        );
        serve(input.as_bytes());
        assert!(super::super::shm::open(&kept).is_err(), "unlinked");
        assert!(super::super::shm::open(&gone).is_ok(), "unannounced");
        assert!(super::super::shm::open(&replaced).is_ok(), "another file");
        super::super::shm::unlink(&gone).unwrap();
        super::super::shm::unlink(&replaced).unwrap();
    }
}
