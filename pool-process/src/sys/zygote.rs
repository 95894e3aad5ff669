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
//!    settings, its own environment and working directory, and, as
//!    descriptors, its standard streams, the mailbox's two ends and the
//!    shared objects the worker inherits. The zygote forks with
//!    `clone3(CLONE_PARENT)`, so the worker is the *parent's* child: the
//!    parent opens a pidfd on it, signals, waits for and reaps it exactly
//!    as a spawned worker ([`ChildHandle`]). The zygote answers with the
//!    pid (or the error) and closes its copies.
//! 4. **Become the worker** (in the forked child): register glibc's
//!    robust-mutex list again and keep glibc's cached thread id right
//!    (what glibc's own `fork` does: `CLONE_CHILD_SETTID` on the address
//!    the loader gave `set_tid_address`), place the descriptors at the
//!    numbers a spawn would (0-2, then 3 and up) and close every other,
//!    take the parent's environment and directory, then run the worker
//!    exactly as a re-executed one does from its greeting on.
//! 5. **End**: the zygote dies with the parent's process (parent-death
//!    signal). A zygote found gone (a refused connection) is reaped and
//!    started again; any other failure (no `clone3`, no
//!    `PR_GET_TID_ADDRESS`, a bind refused) turns the fork server off for
//!    the rest of the process, and workers are spawned as before.
//!
//! Workers forked this way see the parent's environment, directory and
//! standard streams at the time of their start, as spawned ones do. What
//! they do not follow are process attributes the parent changes after
//! the zygote started (resource limits, `umask`, scheduling): those
//! are the zygote's.

use std::ffi::{OsStr, OsString};
use std::io;
use std::os::fd::{AsFd, AsRawFd, IntoRawFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rustix::net::{AddressFamily, SocketAddrUnix, SocketFlags, SocketType};

use super::boot::WorkerStart;
use super::child::ChildHandle;
use super::fd_pass::{recv_with_fds, send_with_fds};
use super::socket::{connect_unix, send_no_signal, wait_readable};
use super::spawn::{OWN_BINARY, own_argv0, spawn_placing};

/// What the worker marker of a zygote starts with; its parent's pid
/// follows.
const ZYGOTE_PREFIX: &str = "zygote:";

/// The longest request a zygote reads (settings, environment, directory).
const MAX_REQUEST: usize = 16 << 20;

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

/// Forks a worker through the fork server, with `marker` (its settings),
/// the parent's environment without `key` (the marker's variable), and
/// `socket`, `region` and `inherited` placed as a spawn places them.
/// `Ok(None)` when the fork server cannot be used: the caller spawns the
/// worker instead. An error only once a worker exists (it is then killed
/// and reaped).
pub(crate) fn spawn(
    key: &str,
    marker: &OsStr,
    socket: &OwnedFd,
    region: &OwnedFd,
    inherited: &[OwnedFd],
) -> io::Result<Option<ChildHandle>> {
    for _attempt in 0..2 {
        let Some(address) = running(key) else {
            return Ok(None);
        };
        match request(&address, key, marker, socket, region, inherited) {
            Ok(pid) => return ChildHandle::open(pid).map(Some),
            Err(Failure::Gone) => forget_gone(),
            Err(Failure::Broken) => {
                turn_off();
                return Ok(None);
            }
        }
    }
    Ok(None)
}

/// Why a request got no worker.
enum Failure {
    /// The zygote is gone (its listener closed): start another.
    Gone,
    /// Anything else: the fork server is turned off.
    Broken,
}

/// The running zygote's address, starting it first if needed.
fn running(key: &str) -> Option<SocketAddrUnix> {
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
        State::Running { address, .. } => Some(address.clone()),
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
fn forget_gone() {
    let mut state = STATE.lock().unwrap_or_else(|e| e.into_inner());
    if let State::Running { pid, .. } = &*state {
        if let Some(pid) = rustix::process::Pid::from_raw(*pid) {
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

    let deadline = Instant::now() + ANSWER_TIMEOUT;
    let mut answer = [0u8; 4];
    let mut got = 0;
    while got < answer.len() {
        match wait_readable(&conn, Some(deadline)) {
            Ok(true) => {}
            _ => return Err(Failure::Broken),
        }
        match rustix::io::read(&conn, &mut answer[got..]) {
            Ok(0) => return Err(Failure::Broken),
            Ok(n) => got += n,
            Err(rustix::io::Errno::INTR) => {}
            Err(_) => return Err(Failure::Broken),
        }
    }
    match i32::from_le_bytes(answer) {
        pid if pid > 0 => Ok(pid),
        _ => Err(Failure::Broken),
    }
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

/// Steps 2-4, in the zygote: serves fork requests until the parent goes.
/// `prepare` runs once first (what every worker would otherwise compute
/// again); a forked child runs `worker` and exits with its code. Returns
/// the zygote's exit code.
pub(crate) fn serve(
    start: WorkerStart,
    parent: i32,
    prepare: fn(),
    worker: fn(WorkerStart) -> i32,
) -> i32 {
    let listener = start.take_listener();
    if !super::current::die_with_parent(parent) {
        return 4;
    }
    let Some(thread) = ThreadState::read() else {
        return 10;
    };
    prepare();
    loop {
        let conn = match rustix::net::accept_with(&listener, SocketFlags::CLOEXEC) {
            Ok(conn) => conn,
            Err(rustix::io::Errno::INTR | rustix::io::Errno::CONNABORTED) => continue,
            Err(_) => return 11,
        };
        let from_parent = rustix::net::sockopt::socket_peercred(&conn)
            .is_ok_and(|cred| cred.pid.as_raw_nonzero().get() == parent);
        if !from_parent {
            continue;
        }
        let Ok(request) = read_request(&conn) else {
            continue;
        };
        let answer = match thread.fork() {
            Ok(0) => {
                // The child: it never returns.
                let code = become_worker(request, listener, conn, &thread, worker);
                std::process::exit(code);
            }
            Ok(pid) => pid,
            Err(e) => -e.raw_os_error().unwrap_or(libc::EIO),
        };
        let _ = send_no_signal(&conn, &answer.to_le_bytes());
        // `request`'s descriptors and `conn` close here.
    }
}

/// One fork request, as the zygote read it.
struct Request {
    streams: u8,
    marker: OsString,
    cwd: OsString,
    env: Vec<(OsString, OsString)>,
    fds: Vec<OwnedFd>,
}

fn read_request(conn: &OwnedFd) -> io::Result<Request> {
    let mut fds = Vec::new();
    let mut head = [0u8; 4];
    read_exact(conn, &mut head, &mut fds)?;
    let len = u32::from_le_bytes(head) as usize;
    if len > MAX_REQUEST {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "request too long",
        ));
    }
    let mut body = vec![0u8; len];
    read_exact(conn, &mut body, &mut fds)?;
    let (&streams, mut rest) = body.split_first().ok_or_else(malformed)?;
    let marker = OsString::from_vec(take(&mut rest)?.to_vec());
    let cwd = OsString::from_vec(take(&mut rest)?.to_vec());
    let mut env = Vec::new();
    while !rest.is_empty() {
        let entry = take(&mut rest)?;
        let eq = entry
            .iter()
            .position(|&b| b == b'=')
            .ok_or_else(malformed)?;
        env.push((
            OsString::from_vec(entry[..eq].to_vec()),
            OsString::from_vec(entry[eq + 1..].to_vec()),
        ));
    }
    let expected = streams.count_ones() as usize + 2;
    if fds.len() < expected {
        return Err(malformed());
    }
    Ok(Request {
        streams,
        marker,
        cwd,
        env,
        fds,
    })
}

fn malformed() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "a malformed request")
}

/// Takes one length-prefixed item off the front of `rest`.
fn take<'a>(rest: &mut &'a [u8]) -> io::Result<&'a [u8]> {
    let (len, tail) = rest.split_first_chunk::<4>().ok_or_else(malformed)?;
    let len = u32::from_le_bytes(*len) as usize;
    if tail.len() < len {
        return Err(malformed());
    }
    let (item, tail) = tail.split_at(len);
    *rest = tail;
    Ok(item)
}

fn read_exact(conn: &OwnedFd, buf: &mut [u8], fds: &mut Vec<OwnedFd>) -> io::Result<()> {
    let mut got = 0;
    while got < buf.len() {
        match recv_with_fds(conn, &mut buf[got..], fds)? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => got += n,
        }
    }
    Ok(())
}

/// Step 4, in the forked child: returns the worker's exit code.
fn become_worker(
    request: Request,
    listener: OwnedFd,
    conn: OwnedFd,
    thread: &ThreadState,
    worker: fn(WorkerStart) -> i32,
) -> i32 {
    thread.adopt();
    let Request {
        streams,
        marker,
        cwd,
        env,
        fds,
    } = request;
    // Targets: the standard streams present, then 3, 4, 5...
    let mut targets: Vec<i32> = (0..3).filter(|bit| streams & (1 << bit) != 0).collect();
    let placed = fds.len() - targets.len();
    targets.extend((3..).take(placed));
    let top = 3 + placed as i32;
    if place(&fds, &targets, top).is_err() {
        return 12;
    }
    // The originals all lie above the targets' range or were replaced by
    // a `dup2`, and `close_from` closes them: let no destructor close a
    // number that now names a placed descriptor.
    for fd in fds.into_iter().chain([listener, conn]) {
        let _ = fd.into_raw_fd();
    }
    if close_from(top).is_err() {
        return 12;
    }
    // SAFETY: this process has one thread: it was just forked from the
    // single-threaded zygote.
    unsafe { replace_environment(env) };
    if !cwd.is_empty() {
        let _ = std::env::set_current_dir(&cwd);
    }
    worker(WorkerStart::forked(marker))
}

/// Duplicates `fds[i]` onto `targets[i]`, through copies above `top` so
/// no `dup2` clobbers a source still to be placed.
fn place(fds: &[OwnedFd], targets: &[i32], top: i32) -> io::Result<()> {
    let copies = fds
        .iter()
        .map(|fd| rustix::io::fcntl_dupfd_cloexec(fd, top.max(10)))
        .collect::<Result<Vec<_>, _>>()?;
    for (copy, &target) in copies.iter().zip(targets) {
        // SAFETY: `dup2` onto a number this process does not otherwise
        // use from now on: the zygote's listener and connection, and the
        // received originals, are forgotten by the caller without being
        // closed through their old numbers.
        if unsafe { libc::dup2(copy.as_raw_fd(), target) } < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Closes every descriptor from `first` up.
fn close_from(first: i32) -> io::Result<()> {
    // SAFETY: `close_range` takes plain integers; the caller has
    // forgotten every owned descriptor in the range.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_close_range,
            first as libc::c_uint,
            libc::c_uint::MAX,
            0,
        )
    };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Replaces the whole environment with `env`.
///
/// # Safety
///
/// No other thread may read or write the environment meanwhile.
unsafe fn replace_environment(env: Vec<(OsString, OsString)>) {
    for (key, _) in std::env::vars_os() {
        // SAFETY: the caller guarantees no concurrent environment access.
        unsafe { std::env::remove_var(key) };
    }
    for (key, value) in env {
        if !key.is_empty() {
            // SAFETY: as above.
            unsafe { std::env::set_var(key, value) };
        }
    }
}

/// What glibc's `fork` keeps right in a child that a raw `clone3` does
/// not: the thread id glibc caches (the address the loader gave
/// `set_tid_address`) and the robust-mutex list registered with the
/// kernel.
struct ThreadState {
    tid_address: u64,
    robust_head: u64,
    robust_len: usize,
}

/// `struct clone_args` up to `tls` (`CLONE_ARGS_SIZE_VER0`).
#[repr(C)]
struct CloneArgs {
    flags: u64,
    pidfd: u64,
    child_tid: u64,
    parent_tid: u64,
    exit_signal: u64,
    stack: u64,
    stack_size: u64,
    tls: u64,
}

impl ThreadState {
    /// Reads both in the zygote; `None` if the kernel cannot tell them
    /// (no `PR_GET_TID_ADDRESS` without checkpoint/restore support).
    fn read() -> Option<ThreadState> {
        let mut tid_address: *mut libc::c_int = std::ptr::null_mut();
        // SAFETY: PR_GET_TID_ADDRESS writes one pointer to the address
        // given, which is a live local of that type.
        let rc = unsafe {
            libc::prctl(
                libc::PR_GET_TID_ADDRESS,
                &mut tid_address as *mut *mut libc::c_int,
            )
        };
        if rc != 0 || tid_address.is_null() {
            return None;
        }
        let mut robust_head: *mut libc::c_void = std::ptr::null_mut();
        let mut robust_len: libc::size_t = 0;
        // SAFETY: get_robust_list writes a pointer and a length to the two
        // live locals given.
        let rc = unsafe {
            libc::syscall(
                libc::SYS_get_robust_list,
                0,
                &mut robust_head as *mut *mut libc::c_void,
                &mut robust_len as *mut libc::size_t,
            )
        };
        if rc != 0 {
            return None;
        }
        Some(ThreadState {
            tid_address: tid_address as u64,
            robust_head: robust_head as u64,
            robust_len,
        })
    }

    /// Forks this single-threaded process, the child becoming a child of
    /// this process's parent (`CLONE_PARENT`): 0 in the child, its pid in
    /// the zygote. The kernel writes the child's thread id where glibc
    /// caches it, in the child's memory, and clears it at its exit, as
    /// glibc's `fork` asks.
    fn fork(&self) -> io::Result<i32> {
        let args = CloneArgs {
            flags: (libc::CLONE_PARENT | libc::CLONE_CHILD_SETTID | libc::CLONE_CHILD_CLEARTID)
                as u64,
            pidfd: 0,
            child_tid: self.tid_address,
            parent_tid: 0,
            // With CLONE_PARENT the kernel takes the zygote's own exit
            // signal (SIGCHLD, as a spawned child's) and refuses another.
            exit_signal: 0,
            stack: 0,
            stack_size: 0,
            tls: 0,
        };
        // SAFETY: a fork-like clone3 (no CLONE_VM, no new stack): the child
        // runs on a copy of this process's memory, which has one thread,
        // so no lock is held by a thread the child lacks; `args` is a live
        // `clone_args` of the size given.
        let rc = unsafe {
            libc::syscall(
                libc::SYS_clone3,
                &args as *const CloneArgs,
                std::mem::size_of::<CloneArgs>(),
            )
        };
        if rc < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(rc as i32)
    }

    /// In the child: registers the robust list again (the kernel does not
    /// copy it), as glibc's `fork` does.
    fn adopt(&self) {
        // SAFETY: the head is glibc's list head of this (only) thread, at
        // the same address in the copy; the zygote holds no robust mutex,
        // so the list is empty.
        unsafe {
            libc::syscall(
                libc::SYS_set_robust_list,
                self.robust_head as *mut libc::c_void,
                self.robust_len,
            )
        };
    }
}
