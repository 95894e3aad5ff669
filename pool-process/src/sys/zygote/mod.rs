//! The fork server: one re-executed, single-threaded copy of the program
//! (the *zygote*) that forks a pool's workers, so that a worker costs a
//! `fork` of a small process instead of an `execve` of the whole program
//! (the kernel's exec, the dynamic loader's relocations and CPU probing,
//! the page faults of a fresh image: most of a worker's start-up).
//!
//! # Lifecycle, step by step
//!
//! 1. **Start** (first worker of the process, [`spawn`]): the parent binds
//!    a listening Unix socket to a fresh abstract name and spawns the
//!    zygote (`posix_spawn` of `/proc/self/exe`, like any worker) with the
//!    listener as descriptor 3 and the worker marker set to
//!    `zygote:<parent pid>`. A thread of its own does the spawn and then
//!    parks for the rest of the program: the kernel's parent-death signal
//!    follows the spawning thread, and this thread is the zygote's parent
//!    and, through `CLONE_PARENT`, every forked worker's. The parent keeps
//!    no descriptor: only the zygote holds the listener.
//! 2. **Serve** ([`serve`], in the zygote, before `main`, single-threaded):
//!    it asks to die with its parent, then accepts connections. A peer
//!    that is not its parent process (by the kernel's peer credentials) is
//!    dropped unread.
//! 3. **Fork** (one connection per worker): the parent sends the worker's
//!    settings, its own environment, working directory and the cores
//!    the requesting thread may run on, and, as
//!    descriptors, its standard streams, the mailbox's two ends and the
//!    shared objects the worker inherits. The zygote first takes the
//!    parent's environment itself if it changed (so no child edits its
//!    own), then forks with
//!    `clone3(CLONE_PARENT)`, so the worker is the *parent's* child: the
//!    parent opens a pidfd on it, signals, waits for and reaps it exactly
//!    as a spawned worker ([`ChildHandle`]). The zygote answers with the
//!    pid (or the error) and closes its copies.
//! 4. **Become the worker** (in the forked child): register glibc's
//!    robust-mutex list again and keep glibc's cached thread id right
//!    (what glibc's own `fork` does: `CLONE_CHILD_SETTID` on the address
//!    the loader gave `set_tid_address`), place the descriptors at the
//!    numbers a spawn would (0-2, then 3 and up) and close every other,
//!    take the parent's directory and cores, then run the worker
//!    exactly as a re-executed one does from its greeting on.
//! 5. **End**: the zygote dies with the parent's process (parent-death
//!    signal). A zygote found gone (a refused connection) is reaped and
//!    started again; any other failure (no `clone3`, no
//!    `PR_GET_TID_ADDRESS`, a bind refused) turns the fork server off for
//!    the rest of the process, and workers are spawned as before. A
//!    zygote that fails after it had a whole request and before it
//!    answered may have forked a worker holding the mailbox sent, so the
//!    worker spawned instead gets a new mailbox ([`Forked::Tainted`]); a
//!    worker forked then is unknown to the parent, ends when its mailbox
//!    closes, and is left unreaped (a rare race, with a broken zygote).
//!
//! Workers forked this way see the parent's environment, directory and
//! standard streams at the time of their start, as spawned ones do. What
//! they do not follow are process attributes the parent changes after
//! the zygote started (resource limits, `umask`, scheduling): those
//! are the zygote's.

use std::ffi::OsStr;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rustix::net::{AddressFamily, SocketAddrUnix, SocketFlags, SocketType};

use super::child::ChildHandle;
use super::fd_pass::send_with_fds;
use super::socket::{connect_unix, send_no_signal, wait_readable};
use super::spawn::{OWN_BINARY, own_argv0, spawn_placing};

mod fork;
mod serve;

pub(crate) use serve::serve;

/// What the worker marker of a zygote starts with; its parent's pid
/// follows.
const ZYGOTE_PREFIX: &str = "zygote:";

/// How long the parent waits for the zygote's answer to one request.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);

/// The fork server as the parent sees it.
enum State {
    /// Not started yet (or found gone, and reaped).
    Unstarted,
    /// Running: started by process `owner` (a process that forked
    /// inherits the state but not the zygote), as child `pid`.
    Running {
        owner: i32,
        pid: i32,
        address: SocketAddrUnix,
    },
    /// Failed for good in this process: workers are spawned.
    Off,
}

static STATE: Mutex<State> = Mutex::new(State::Unstarted);

/// What became of a request to the fork server.
pub(crate) enum Forked {
    /// The worker: a child of this process, as a spawned one.
    Child(ChildHandle),
    /// The fork server cannot be used, and has forked nothing: spawn the
    /// worker with the same descriptors.
    Unavailable,
    /// The fork server failed after it had the whole request and before
    /// it answered: it may have forked a worker that holds the
    /// descriptors sent. They must not serve another worker: spawn one
    /// with new ones. (The fork server is turned off.)
    Tainted,
}

/// Forks a worker through the fork server, with `marker` (its settings),
/// the parent's environment without `key` (the marker's variable), and
/// `socket`, `region` and `inherited` placed as a spawn places them. An
/// error only once a worker exists (it is then killed and reaped).
pub(crate) fn spawn(
    key: &str,
    marker: &OsStr,
    socket: &OwnedFd,
    region: &OwnedFd,
    inherited: &[OwnedFd],
) -> io::Result<Forked> {
    for _attempt in 0..2 {
        let Some((zygote, address)) = running(key) else {
            return Ok(Forked::Unavailable);
        };
        match request(&address, key, marker, socket, region, inherited) {
            Ok(pid) => return ChildHandle::open(pid).map(Forked::Child),
            Err(Failure::Gone) => forget_gone(zygote),
            Err(Failure::Broken) => {
                turn_off();
                return Ok(Forked::Unavailable);
            }
            Err(Failure::Lost) => {
                turn_off();
                return Ok(Forked::Tainted);
            }
        }
    }
    Ok(Forked::Unavailable)
}

/// Why a request got no worker.
enum Failure {
    /// The zygote is gone (its listener closed): start another.
    Gone,
    /// It cannot serve, and forked nothing: the fork server is turned off.
    Broken,
    /// No answer to a whole request: a worker may exist ([`Forked::Tainted`]).
    Lost,
}

/// The running zygote's pid and address, starting it first if needed.
fn running(key: &str) -> Option<(i32, SocketAddrUnix)> {
    let mut state = STATE.lock().unwrap_or_else(|e| e.into_inner());
    let me = super::current::pid();
    if let State::Running { owner, .. } = &*state
        && *owner != me
    {
        // Inherited through a fork of the parent: the zygote is another
        // process's.
        *state = State::Unstarted;
    }
    if matches!(*state, State::Unstarted) {
        *state = match start(key) {
            Ok((pid, address)) => State::Running {
                owner: me,
                pid,
                address,
            },
            Err(_) => State::Off,
        };
    }
    match &*state {
        State::Running { pid, address, .. } => Some((*pid, address.clone())),
        _ => None,
    }
}

/// Step 1: binds the listener and spawns the zygote from a thread that
/// never ends.
fn start(key: &str) -> io::Result<(i32, SocketAddrUnix)> {
    use std::hash::{BuildHasher, Hasher};
    let nonce = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    let name = format!("poolrt-zygote-{}-{nonce:016x}", super::current::pid());
    let address = SocketAddrUnix::new_abstract_name(name.as_bytes())?;
    let listener = rustix::net::socket_with(
        AddressFamily::UNIX,
        SocketType::STREAM,
        SocketFlags::CLOEXEC,
        None,
    )?;
    rustix::net::bind(&listener, &address)?;
    rustix::net::listen(&listener, 128)?;
    let marker = format!("{ZYGOTE_PREFIX}{}", super::current::pid());
    let key = key.to_owned();
    let (tell, told) = std::sync::mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name("poolrt-forkserver".into())
        .stack_size(64 << 10)
        .spawn(move || {
            let spawned = spawn_placing(
                OWN_BINARY.as_ref(),
                &own_argv0(),
                (&key, marker.as_ref()),
                &[listener.as_fd()],
            );
            drop(listener);
            let _ = tell.send(spawned);
            // The zygote's and its workers' parent-death signal follows
            // this thread: it must last as long as the process.
            loop {
                std::thread::park();
            }
        })?;
    let pid = told
        .recv()
        .map_err(|_| io::Error::other("the fork server's thread ended"))??;
    Ok((pid, address))
}

/// Step 5: a zygote found gone is reaped (it is our child, unreaped, so
/// its pid still names it), and the next request starts another.
fn forget_gone(zygote: i32) {
    let mut state = STATE.lock().unwrap_or_else(|e| e.into_inner());
    // Only the zygote that was found gone: another thread may have
    // reaped it and started the next one meanwhile.
    if let State::Running { pid, .. } = &*state
        && *pid == zygote
    {
        if let Some(pid) = rustix::process::Pid::from_raw(zygote) {
            let _ = rustix::process::waitpid(Some(pid), rustix::process::WaitOptions::empty());
        }
        *state = State::Unstarted;
    }
}

/// Turns the fork server off for this process (the zygote, if any, is
/// killed and reaped).
fn turn_off() {
    let mut state = STATE.lock().unwrap_or_else(|e| e.into_inner());
    if let State::Running { pid, .. } = &*state
        && let Some(pid) = rustix::process::Pid::from_raw(*pid)
    {
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
        let _ = rustix::process::waitpid(Some(pid), rustix::process::WaitOptions::empty());
    }
    *state = State::Off;
}

/// Step 3, the parent's side: one connection, one request, one answer.
fn request(
    address: &SocketAddrUnix,
    key: &str,
    marker: &OsStr,
    socket: &OwnedFd,
    region: &OwnedFd,
    inherited: &[OwnedFd],
) -> Result<i32, Failure> {
    let conn = match connect_unix(address, Some(ANSWER_TIMEOUT)) {
        Ok(conn) => conn,
        Err(e) if e.raw_os_error() == Some(libc::ECONNREFUSED) => return Err(Failure::Gone),
        Err(_) => return Err(Failure::Broken),
    };
    let mut fds = Vec::with_capacity(5 + inherited.len());
    let mut streams = 0u8;
    let (stdin, stdout, stderr) = (std::io::stdin(), std::io::stdout(), std::io::stderr());
    let stdio = [stdin.as_fd(), stdout.as_fd(), stderr.as_fd()];
    for (bit, fd) in stdio.into_iter().enumerate() {
        if rustix::io::fcntl_getfd(fd).is_ok() {
            streams |= 1 << bit;
            fds.push(fd);
        }
    }
    fds.push(socket.as_fd());
    fds.push(region.as_fd());
    fds.extend(inherited.iter().map(AsFd::as_fd));

    let mut body = vec![streams];
    put(&mut body, marker.as_bytes());
    let cwd =
        std::env::current_dir().map_or_else(|_| Vec::new(), |d| d.into_os_string().into_vec());
    put(&mut body, &cwd);
    put(&mut body, &affinity());
    for (k, v) in std::env::vars_os() {
        if k.as_bytes() != key.as_bytes() {
            let mut entry = k.into_vec();
            entry.push(b'=');
            entry.extend_from_slice(v.as_bytes());
            put(&mut body, &entry);
        }
    }
    let mut frame = (body.len() as u32).to_le_bytes().to_vec();
    frame.extend_from_slice(&body);

    let sent = send_with_fds(&conn, &frame, &fds, false).map_err(|_| Failure::Broken)?;
    let mut rest = &frame[sent..];
    while !rest.is_empty() {
        let n = send_no_signal(&conn, rest).map_err(|_| Failure::Broken)?;
        rest = &rest[n..];
    }

    // The zygote has the whole request: from here on it may have forked.
    let deadline = Instant::now() + ANSWER_TIMEOUT;
    let mut answer = [0u8; 4];
    let mut got = 0;
    while got < answer.len() {
        match wait_readable(&conn, Some(deadline)) {
            Ok(true) => {}
            _ => return Err(Failure::Lost),
        }
        match rustix::io::read(&conn, &mut answer[got..]) {
            Ok(0) => return Err(Failure::Lost),
            Ok(n) => got += n,
            Err(rustix::io::Errno::INTR) => {}
            Err(_) => return Err(Failure::Lost),
        }
    }
    match i32::from_le_bytes(answer) {
        pid if pid > 0 => Ok(pid),
        _ => Err(Failure::Broken),
    }
}

/// The cores this thread may run on, one bit each (none if unknown): a
/// spawned child inherits the spawning thread's, so a forked one is given
/// them too.
fn affinity() -> Vec<u8> {
    let Ok(set) = rustix::thread::sched_getaffinity(None) else {
        return Vec::new();
    };
    let mut bits = vec![0u8; rustix::thread::CpuSet::MAX_CPU / 8];
    for cpu in 0..rustix::thread::CpuSet::MAX_CPU {
        if set.is_set(cpu) {
            bits[cpu / 8] |= 1 << (cpu % 8);
        }
    }
    bits
}

/// Appends `bytes` with its length in front.
fn put(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(bytes);
}

/// The parent's pid, if `marker` is a zygote's.
pub(crate) fn zygote_parent(marker: &OsStr) -> Option<i32> {
    marker.to_str()?.strip_prefix(ZYGOTE_PREFIX)?.parse().ok()
}
