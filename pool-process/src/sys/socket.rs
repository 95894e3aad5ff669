//! Unix-socket calls std does not offer: sending without `SIGPIPE` (and
//! without waiting), waiting for readability or writability with a
//! deadline, waking a blocked `accept`, and the peer's credentials.

use std::io;
use std::os::fd::AsFd;
use std::os::unix::net::{UnixListener, UnixStream};
use std::time::Instant;

use rustix::event::{PollFd, PollFlags, poll};
use rustix::net::{SendFlags, send};

/// Sends some of `bytes` with `MSG_NOSIGNAL` (a closed peer is a
/// `BrokenPipe` error, not a `SIGPIPE`); returns how many. Retries a send
/// interrupted by a signal.
pub(crate) fn send_no_signal(stream: &UnixStream, bytes: &[u8]) -> io::Result<usize> {
    loop {
        match send(stream, bytes, SendFlags::NOSIGNAL) {
            Ok(n) => return Ok(n),
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
}

/// Sends as much of `bytes` as fits now, with `MSG_NOSIGNAL`; `Ok(0)` if
/// nothing fits (the socket's buffer is full). Retries a send interrupted
/// by a signal.
pub(crate) fn send_some_now(stream: &UnixStream, bytes: &[u8]) -> io::Result<usize> {
    loop {
        match send(stream, bytes, SendFlags::NOSIGNAL | SendFlags::DONTWAIT) {
            Ok(n) => return Ok(n),
            Err(rustix::io::Errno::AGAIN) => return Ok(0),
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

/// Shuts a listening socket down: on Linux this fails an `accept`
/// blocked on it in another thread, which std's listener cannot do.
pub(crate) fn shut_listener(listener: &UnixListener) -> io::Result<()> {
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
