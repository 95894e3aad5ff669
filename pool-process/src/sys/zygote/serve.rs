//! Steps 2-4 of the fork server, in the zygote: serving fork requests,
//! and a forked child becoming a worker.

use std::ffi::OsString;
use std::io;
use std::os::fd::{AsRawFd, IntoRawFd, OwnedFd};
use std::os::unix::ffi::OsStringExt;

use rustix::net::SocketFlags;

use super::fork::ThreadState;
use crate::sys::boot::WorkerStart;
use crate::sys::fd_pass::recv_with_fds;
use crate::sys::socket::send_no_signal;

/// The longest request a zygote reads (settings, environment, directory).
const MAX_REQUEST: usize = 16 << 20;

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
    if !crate::sys::current::die_with_parent(parent) {
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
        let Ok(mut request) = read_request(&conn) else {
            continue;
        };
        // The zygote takes the parent's environment itself, so its forked
        // children inherit it and none of them edits its own (which would
        // cost every one of them the allocations and the copied pages).
        // Unchanged since the last request, as it mostly is, it costs one
        // comparison.
        let env = std::mem::take(&mut request.env);
        if std::env::vars_os().ne(env.iter().cloned()) {
            // SAFETY: the zygote has one thread (`worker_start` checked it
            // before its boot, and it starts none).
            unsafe { replace_environment(env) };
        }
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
    /// The cores the worker may run on, one bit each (empty: unchanged).
    affinity: Vec<u8>,
    /// The parent's environment (the zygote takes it before it forks).
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
    let affinity = take(&mut rest)?.to_vec();
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
        affinity,
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
        affinity,
        fds,
        ..
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
    if !cwd.is_empty() {
        let _ = std::env::set_current_dir(&cwd);
    }
    if !affinity.is_empty() {
        let mut set = rustix::thread::CpuSet::new();
        for cpu in 0..(affinity.len() * 8).min(rustix::thread::CpuSet::MAX_CPU) {
            if affinity[cpu / 8] & (1 << (cpu % 8)) != 0 {
                set.set(cpu);
            }
        }
        // Best effort, as the spawn's inheritance would be.
        let _ = rustix::thread::sched_setaffinity(None, &set);
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
