//! Handing descriptors between running processes: a socket pair whose
//! messages each carry one descriptor (`SCM_RIGHTS`), and memfds that hold
//! one blob of bytes. A process queue sends its large items this way
//! (`shared/queue/ring.rs`): the item's bytes in a memfd of their own, the
//! memfd through the queue's [`FdChannel`].
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
    AddressFamily, RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags, SendAncillaryBuffer,
    SendAncillaryMessage, SendFlags, SocketFlags, SocketType, recvmsg, sendmsg, socketpair,
};

/// The byte each message carries beside its descriptor (a stream socket
/// sends no empty message).
const TOKEN: u8 = b'D';

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

    /// Sends a duplicate of `fd`: false if the socket's buffer is full (a
    /// few hundred descriptors wait unreceived), an error if the kernel
    /// refuses (`ETOOMANYREFS`: this user has too many descriptors in
    /// flight).
    pub(crate) fn try_send(&self, fd: BorrowedFd<'_>) -> io::Result<bool> {
        let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(1))];
        let mut control = SendAncillaryBuffer::new(&mut space);
        let fds = [fd];
        let pushed = control.push(SendAncillaryMessage::ScmRights(&fds));
        debug_assert!(pushed, "the buffer has room for one descriptor");
        let flags = SendFlags::DONTWAIT | SendFlags::NOSIGNAL;
        loop {
            match sendmsg(&self.send, &[IoSlice::new(&[TOKEN])], &mut control, flags) {
                Ok(_) => return Ok(true),
                Err(Errno::AGAIN) => return Ok(false),
                Err(Errno::INTR) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// The oldest descriptor sent and not yet received, if any.
    pub(crate) fn try_recv(&self) -> io::Result<Option<OwnedFd>> {
        let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(1))];
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
        let mut received = Vec::new();
        for message in control.drain() {
            if let RecvAncillaryMessage::ScmRights(fds) = message {
                received.extend(fds);
            }
        }
        match <[OwnedFd; 1]>::try_from(received) {
            Ok([fd]) => Ok(Some(fd)),
            Err(other) => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "a descriptor message carried {} descriptors instead of one",
                    other.len()
                ),
            )),
        }
    }
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
            assert!(channel.try_send(fd.as_fd()).unwrap());
        }
        for i in 0..3u8 {
            let fd = channel.try_recv().unwrap().expect("a descriptor");
            assert_eq!(memfd_contents(fd).unwrap(), vec![i; 5000]);
        }
        assert!(channel.try_recv().unwrap().is_none());
    }

    #[test]
    fn a_full_channel_refuses_without_waiting() {
        let channel = FdChannel::new().unwrap();
        let fd = memfd_holding("poolrt-test", b"x").unwrap();
        let mut sent = 0;
        while channel.try_send(fd.as_fd()).unwrap() {
            sent += 1;
            assert!(sent < 100_000, "the socket buffer never filled");
        }
        assert!(sent > 16, "only {sent} descriptors fit");
        assert!(channel.try_recv().unwrap().is_some());
        assert!(channel.try_send(fd.as_fd()).unwrap(), "room again");
    }
}
