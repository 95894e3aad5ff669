//! Handing descriptors between running processes: a socket pair whose
//! messages each carry a few descriptors (`SCM_RIGHTS`), memfds that hold
//! one blob of bytes, and sends and receives on any stream socket that
//! carry descriptors beside their bytes. A process queue sends its large
//! items this way (`shared/queue/ring.rs`): the item's bytes in a memfd
//! of their own, the memfd (and the descriptors of the shared objects in
//! the item) through the queue's [`FdChannel`]. A `Connection` sends the
//! descriptors of the shared objects in a message with the message's
//! first bytes ([`send_with_fds`], [`recv_with_fds`]).
//!
//! A descriptor in flight belongs to the socket, not to any process: it
//! survives the exit of the process that sent it, and the kernel closes it
//! when the last process holding the socket closes it, so nothing leaks
//! even when every holder is killed.

use std::fs::File;
use std::io::{self, IoSlice, IoSliceMut};
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::fs::FileExt;

use rustix::io::Errno;
use rustix::net::{
    AddressFamily, RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags, ReturnFlags,
    SendAncillaryBuffer, SendAncillaryMessage, SendFlags, SocketFlags, SocketType, recvmsg,
    sendmsg, socketpair,
};

/// The byte each message carries beside its descriptor (a stream socket
/// sends no empty message).
const TOKEN: u8 = b'D';

/// The most descriptors one message carries: the kernel's `SCM_MAX_FD`.
pub(crate) const MAX_FDS: usize = 253;

/// Bytes of room for the control message of [`MAX_FDS`] descriptors.
const CONTROL: usize = rustix::cmsg_space!(ScmRights(MAX_FDS));

/// Both ends of a non-blocking Unix stream socket pair: descriptors are
/// sent on one and received from the other, in order, by any process
/// holding the pair. Neither call ever waits.
pub(crate) struct FdChannel {
    send: OwnedFd,
    recv: OwnedFd,
}

impl FdChannel {
    /// A new, empty channel.
    pub(crate) fn new() -> io::Result<FdChannel> {
        let (send, recv) = socketpair(
            AddressFamily::UNIX,
            SocketType::STREAM,
            SocketFlags::CLOEXEC | SocketFlags::NONBLOCK,
            None,
        )?;
        Ok(FdChannel { send, recv })
    }

    /// The channel whose two ends another process created ([`ends`]).
    ///
    /// [`ends`]: FdChannel::ends
    pub(crate) fn from_ends(send: OwnedFd, recv: OwnedFd) -> FdChannel {
        FdChannel { send, recv }
    }

    /// The sending and the receiving end, to hand to another process.
    pub(crate) fn ends(&self) -> [BorrowedFd<'_>; 2] {
        [self.send.as_fd(), self.recv.as_fd()]
    }

    /// Sends duplicates of `fds` (one to [`MAX_FDS`]) as one message:
    /// false if the socket's buffer is full (a few hundred messages wait
    /// unreceived), an error if the kernel refuses (`ETOOMANYREFS`: this
    /// user has too many descriptors in flight).
    pub(crate) fn try_send(&self, fds: &[BorrowedFd<'_>]) -> io::Result<bool> {
        debug_assert!(!fds.is_empty(), "a descriptor message carries descriptors");
        Ok(send_with_fds(&self.send, &[TOKEN], fds, true)? == 1)
    }

    /// The descriptors of the oldest message sent and not yet received, if
    /// any.
    pub(crate) fn try_recv(&self) -> io::Result<Option<Vec<OwnedFd>>> {
        let mut space = [MaybeUninit::uninit(); CONTROL];
        let mut control = RecvAncillaryBuffer::new(&mut space);
        let mut token = [0u8; 1];
        let flags = RecvFlags::DONTWAIT | RecvFlags::CMSG_CLOEXEC;
        loop {
            match recvmsg(
                &self.recv,
                &mut [IoSliceMut::new(&mut token)],
                &mut control,
                flags,
            ) {
                Ok(message) if message.bytes == 1 => break,
                Ok(_) => return Ok(None), // every sender closed its end
                Err(Errno::AGAIN) => return Ok(None),
                Err(Errno::INTR) => {}
                Err(e) => return Err(e.into()),
            }
        }
        let received = drain(&mut control);
        if received.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "a descriptor message carried no descriptor",
            ));
        }
        Ok(Some(received))
    }
}

/// Sends as much of `bytes` on the stream socket `socket` as it takes now
/// (`dont_wait`) or once there is room, with duplicates of `fds` (at most
/// [`MAX_FDS`]) attached to the first byte; with `MSG_NOSIGNAL`. Returns
/// how many bytes went; with `dont_wait`, `Ok(0)` if none fit, and then
/// no descriptor went either. Retries a send interrupted by a signal.
pub(crate) fn send_with_fds(
    socket: impl AsFd,
    bytes: &[u8],
    fds: &[BorrowedFd<'_>],
    dont_wait: bool,
) -> io::Result<usize> {
    let mut space = [MaybeUninit::uninit(); CONTROL];
    let mut control = SendAncillaryBuffer::new(&mut space);
    if !fds.is_empty() && !control.push(SendAncillaryMessage::ScmRights(fds)) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{} descriptors in one message, over the kernel's limit of {MAX_FDS}",
                fds.len()
            ),
        ));
    }
    let mut flags = SendFlags::NOSIGNAL;
    if dont_wait {
        flags |= SendFlags::DONTWAIT;
    }
    loop {
        match sendmsg(&socket, &[IoSlice::new(bytes)], &mut control, flags) {
            Ok(n) => return Ok(n),
            Err(Errno::AGAIN) if dont_wait => return Ok(0),
            Err(Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
}

/// Reads some bytes of the stream socket `socket` into `buf`, adding the
/// descriptors that came with them to `fds` (close-on-exec); `Ok(0)` at
/// end-of-file. On a socket that carries none (TCP), a plain read.
/// Retries a read interrupted by a signal.
pub(crate) fn recv_with_fds(
    socket: impl AsFd,
    buf: &mut [u8],
    fds: &mut Vec<OwnedFd>,
) -> io::Result<usize> {
    let mut space = [MaybeUninit::uninit(); CONTROL];
    let mut control = RecvAncillaryBuffer::new(&mut space);
    let message = loop {
        match recvmsg(
            &socket,
            &mut [IoSliceMut::new(buf)],
            &mut control,
            RecvFlags::CMSG_CLOEXEC,
        ) {
            Ok(message) => break message,
            Err(Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
    };
    fds.extend(drain(&mut control));
    if message.flags.contains(ReturnFlags::CTRUNC) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("a message came with more than {MAX_FDS} descriptors; the rest were lost"),
        ));
    }
    Ok(message.bytes)
}

/// The descriptors a received control message holds.
fn drain(control: &mut RecvAncillaryBuffer<'_>) -> Vec<OwnedFd> {
    let mut received = Vec::new();
    for message in control.drain() {
        if let RecvAncillaryMessage::ScmRights(fds) = message {
            received.extend(fds);
        }
    }
    received
}

/// A new memfd named `name` holding exactly `bytes`.
pub(crate) fn memfd_holding(name: &str, bytes: &[u8]) -> io::Result<OwnedFd> {
    let file = File::from(super::segment::memfd(name, bytes.len())?);
    file.write_all_at(bytes, 0)?;
    Ok(file.into())
}

/// Everything a memfd (or any regular file) holds. Reads at offset 0,
/// whatever the file offset shared with the sender's descriptor.
pub(crate) fn memfd_contents(fd: OwnedFd) -> io::Result<Vec<u8>> {
    let file = File::from(fd);
    let len = usize::try_from(file.metadata()?.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "a memfd too large to read"))?;
    let mut bytes = vec![0u8; len];
    file.read_exact_at(&mut bytes, 0)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptors_arrive_in_order_and_hold_their_bytes() {
        let channel = FdChannel::new().unwrap();
        for i in 0..3u8 {
            let fd = memfd_holding("poolrt-test", &vec![i; 5000]).unwrap();
            assert!(channel.try_send(&[fd.as_fd()]).unwrap());
        }
        for i in 0..3u8 {
            let [fd] = <[OwnedFd; 1]>::try_from(channel.try_recv().unwrap().unwrap()).unwrap();
            assert_eq!(memfd_contents(fd).unwrap(), vec![i; 5000]);
        }
        assert!(channel.try_recv().unwrap().is_none());
    }

    #[test]
    fn a_full_channel_refuses_without_waiting() {
        let channel = FdChannel::new().unwrap();
        let fd = memfd_holding("poolrt-test", b"x").unwrap();
        let mut sent = 0;
        while channel.try_send(&[fd.as_fd()]).unwrap() {
            sent += 1;
            assert!(sent < 100_000, "the socket buffer never filled");
        }
        assert!(sent > 16, "only {sent} descriptors fit");
        assert!(channel.try_recv().unwrap().is_some());
        assert!(channel.try_send(&[fd.as_fd()]).unwrap(), "room again");
    }

    #[test]
    fn descriptors_travel_with_the_bytes_of_a_stream() {
        let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
        let one = memfd_holding("poolrt-test", b"one").unwrap();
        let two = memfd_holding("poolrt-test", b"two").unwrap();
        assert_eq!(send_with_fds(&a, b"plain", &[], false).unwrap(), 5);
        assert_eq!(
            send_with_fds(&a, b"xy", &[one.as_fd(), two.as_fd()], false).unwrap(),
            2
        );
        let mut fds = Vec::new();
        let mut buf = [0u8; 5];
        assert_eq!(recv_with_fds(&b, &mut buf, &mut fds).unwrap(), 5);
        assert!(fds.is_empty(), "the descriptors belong to the later bytes");
        assert_eq!(recv_with_fds(&b, &mut buf, &mut fds).unwrap(), 2);
        let contents: Vec<Vec<u8>> = fds
            .into_iter()
            .map(|fd| memfd_contents(fd).unwrap())
            .collect();
        assert_eq!(contents, [b"one".to_vec(), b"two".to_vec()]);
    }
}
