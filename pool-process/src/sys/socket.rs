//! Socket calls std does not offer: sending on any socket descriptor
//! (Unix or TCP) without `SIGPIPE` (reads, and sends that carry
//! descriptors or must not wait, are `fd_pass.rs`'s), waiting for readability or writability with a deadline (one
//! descriptor or several), connecting a Unix socket within a time limit,
//! waking a blocked `accept`, a descriptor that is always readable, and
//! the peer's credentials.

use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use rustix::event::{EventfdFlags, PollFd, PollFlags, eventfd, poll};
use rustix::net::sockopt::Timeout;
use rustix::net::{
    AddressFamily, SendFlags, SocketAddrUnix, SocketFlags, SocketType, send, socket_with,
};

/// Sends some of `bytes` with `MSG_NOSIGNAL` (a closed peer is a
/// `BrokenPipe` error, not a `SIGPIPE`); returns how many. Retries a send
/// interrupted by a signal.
pub(crate) fn send_no_signal(stream: impl AsFd, bytes: &[u8]) -> io::Result<usize> {
    loop {
        match send(&stream, bytes, SendFlags::NOSIGNAL) {
            Ok(n) => return Ok(n),
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
}

/// Waits until `fd` has bytes (or end-of-file) or `deadline` passes; true
/// if it is readable. Retries a wait interrupted by a signal.
pub(crate) fn wait_readable(fd: impl AsFd, deadline: Option<Instant>) -> io::Result<bool> {
    wait_for(fd, PollFlags::IN, deadline)
}

/// Waits until `fd` can take more bytes (or its peer is gone) or
/// `deadline` passes; true if it is writable.
pub(crate) fn wait_writable(fd: impl AsFd, deadline: Option<Instant>) -> io::Result<bool> {
    wait_for(fd, PollFlags::OUT, deadline)
}

fn wait_for(fd: impl AsFd, events: PollFlags, deadline: Option<Instant>) -> io::Result<bool> {
    loop {
        let timeout = super::futex::timeout_until(deadline);
        let mut fds = [PollFd::new(&fd, events)];
        match poll(&mut fds, timeout.as_ref()) {
            Ok(n) => return Ok(n > 0),
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
}

/// Which of `fds` are readable (or at end-of-file, or hung up), after
/// waiting until at least one is or `deadline` passes: one flag per
/// descriptor, in order. Retries a wait interrupted by a signal.
pub(crate) fn readable_among(
    fds: &[BorrowedFd<'_>],
    deadline: Option<Instant>,
) -> io::Result<Vec<bool>> {
    let mut polled: Vec<PollFd<'_>> = fds
        .iter()
        .map(|fd| PollFd::new(fd, PollFlags::IN))
        .collect();
    loop {
        let timeout = super::futex::timeout_until(deadline);
        match poll(&mut polled, timeout.as_ref()) {
            Ok(_) => break,
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
    // `IN` for data or end-of-file; `HUP` and `ERR` also mean a read
    // would not wait (a pidfd of a reaped child reports `HUP`).
    let ready = PollFlags::IN | PollFlags::HUP | PollFlags::ERR;
    Ok(polled
        .iter()
        .map(|fd| fd.revents().intersects(ready))
        .collect())
}

/// Connects a new Unix stream socket to `address` (a path or an abstract
/// name). With `timeout`, a listener whose backlog is full makes the
/// connect fail with `WouldBlock` once it has passed (the kernel's send
/// timeout bounds the wait for room in the backlog); without, it waits.
pub(crate) fn connect_unix(
    address: &SocketAddrUnix,
    timeout: Option<Duration>,
) -> io::Result<OwnedFd> {
    let socket = socket_with(
        AddressFamily::UNIX,
        SocketType::STREAM,
        SocketFlags::CLOEXEC,
        None,
    )?;
    // A zero send timeout means "forever" to the kernel.
    let bound = timeout.map(|t| t.max(Duration::from_micros(1)));
    rustix::net::sockopt::set_socket_timeout(&socket, Timeout::Send, bound)?;
    loop {
        match rustix::net::connect(&socket, address) {
            Ok(()) => break,
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
    rustix::net::sockopt::set_socket_timeout(&socket, Timeout::Send, None)?;
    Ok(socket)
}

/// A descriptor that is readable from now on: an `eventfd` holding 1. It
/// stands for an event that has already happened.
pub(crate) fn always_readable() -> io::Result<OwnedFd> {
    Ok(eventfd(1, EventfdFlags::CLOEXEC)?)
}

/// Shuts a listening socket down: on Linux this fails an `accept`
/// blocked on it in another thread (and wakes a `poll` on it), which
/// std's listeners cannot do.
pub(crate) fn shut_listener(listener: impl AsFd) -> io::Result<()> {
    Ok(rustix::net::shutdown(
        listener,
        rustix::net::Shutdown::Both,
    )?)
}

/// Whether the process at the other end of `stream` runs as this
/// process's user (by the kernel's peer credentials).
pub(crate) fn peer_is_same_user(stream: &UnixStream) -> bool {
    rustix::net::sockopt::socket_peercred(stream)
        .is_ok_and(|cred| cred.uid == rustix::process::getuid())
}
