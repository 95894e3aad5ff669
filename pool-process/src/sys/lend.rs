//! Lent replies: a large result read by the parent straight out of the
//! worker's memory, with one copy instead of two.
//!
//! A bulk result (bytes, text, a vector of numbers) used to be copied by
//! the worker into the shared region, then by the parent out of it into
//! the new vector. For a reply of at least [`LEND_FROM`] bytes, when the
//! parent's request allowed it, the worker instead sends the address and
//! length of the vector it already has and keeps it; the parent copies it
//! into the new vector with `process_vm_readv`, then says it is done
//! (`Mailbox::lend_taken`), and the worker frees it.
//!
//! Reading another process's memory needs the kernel's ptrace access
//! check: the same user, and under Yama's `ptrace_scope` 1 (the usual
//! default) the reader must be an ancestor, as a pool is of its workers
//! (fork-server workers included: they are started with `CLONE_PARENT`).
//! [`available`] asks once per process whether the call works at all (a
//! seccomp filter may refuse it); without it, requests do not allow
//! lending and replies go through the region as before.

use std::io;
use std::sync::OnceLock;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering::Relaxed;

/// Reply bodies from this size up are lent rather than copied.
pub(crate) const LEND_FROM: usize = 1 << 20;

/// A body left in a worker's memory: `len` bytes at `addr` in process
/// `pid`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Lent {
    pub(crate) pid: u32,
    pub(crate) addr: u64,
    pub(crate) len: usize,
}

/// Bytes of a lent reply before its head: address, then length.
pub(crate) const LENT_PREFIX: usize = 16;

impl Lent {
    /// The prefix a worker sends for `body`.
    pub(crate) fn prefix(body: &[u8]) -> [u8; LENT_PREFIX] {
        let mut prefix = [0u8; LENT_PREFIX];
        prefix[..8].copy_from_slice(&(body.as_ptr() as u64).to_le_bytes());
        prefix[8..].copy_from_slice(&(body.len() as u64).to_le_bytes());
        prefix
    }

    /// Splits a lent reply from process `pid` into the lent body and the
    /// head after the prefix.
    pub(crate) fn parse(pid: u32, reply: &[u8]) -> Option<(Lent, &[u8])> {
        let (prefix, head) = reply.split_at_checked(LENT_PREFIX)?;
        let addr = u64::from_le_bytes(prefix[..8].try_into().ok()?);
        let len = usize::try_from(u64::from_le_bytes(prefix[8..].try_into().ok()?)).ok()?;
        Some((Lent { pid, addr, len }, head))
    }

    /// Copies the whole body into `len` bytes at `dst`.
    ///
    /// # Safety
    ///
    /// `dst` must be valid for writes of `self.len` bytes.
    pub(crate) unsafe fn copy_to(&self, dst: *mut u8) -> io::Result<()> {
        let mut done = 0;
        while done < self.len {
            let local = libc::iovec {
                iov_base: dst.wrapping_add(done).cast(),
                iov_len: self.len - done,
            };
            let remote = libc::iovec {
                iov_base: (self.addr as usize + done) as *mut libc::c_void,
                iov_len: self.len - done,
            };
            // SAFETY: `local` lies within the caller's `len` writable bytes
            // at `dst` (the caller's contract); the kernel checks `remote`
            // against the other process's mappings and fails with EFAULT
            // rather than touch anything else.
            let read = unsafe { libc::process_vm_readv(self.pid as i32, &local, 1, &remote, 1, 0) };
            match read {
                -1 => return Err(io::Error::last_os_error()),
                0 => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the lent bytes ended early",
                    ));
                }
                n => done += n as usize,
            }
        }
        Ok(())
    }

    /// `head` followed by the body, as one vector (for readers that take
    /// a reply's bytes as they are). `Err` says why the body could not be
    /// read, naming the worker.
    pub(crate) fn read_after(&self, head: &[u8]) -> Result<Vec<u8>, String> {
        let total = head.len() + self.len;
        let mut bytes = Vec::with_capacity(total);
        bytes.extend_from_slice(head);
        let after_head = bytes.as_mut_ptr().wrapping_add(head.len());
        // SAFETY: the vector has room for `self.len` bytes after the head.
        unsafe { self.copy_to(after_head) }.map_err(|error| self.failed(&error))?;
        // SAFETY: the head and all `self.len` bytes after it were written.
        unsafe { bytes.set_len(total) };
        Ok(bytes)
    }

    /// What a failed read of the body says.
    pub(crate) fn failed(&self, error: &io::Error) -> String {
        format!("reading it from worker process {}: {error}", self.pid)
    }
}

/// Whether this process can read its workers' memory: `process_vm_readv`
/// works (no seccomp filter refuses it) and Yama allows a parent to read
/// its children. Asked once.
pub(crate) fn available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    // Relaxed: a test's switch, set before its pools start.
    !DISABLED.load(Relaxed) && *AVAILABLE.get_or_init(|| yama_allows_children() && reads_itself())
}

/// Set by [`disable`].
static DISABLED: AtomicBool = AtomicBool::new(false);

/// Set by [`kill_next_lender`].
static KILL_BEFORE_READ: AtomicBool = AtomicBool::new(false);

/// Whether the parent must kill the worker of this lent reply before it
/// reads it (a fault-injection hook; once). Always false without the
/// hook.
pub(crate) fn kill_before_read() -> bool {
    // Relaxed: a test's switch, set before the task is submitted.
    KILL_BEFORE_READ.load(Relaxed) && KILL_BEFORE_READ.swap(false, Relaxed)
}

/// Makes the next lent reply's worker die before the parent reads it.
#[cfg(feature = "fault-injection")]
pub(crate) fn kill_next_lender() {
    KILL_BEFORE_READ.store(true, Relaxed);
}

/// Turns lending off in this process (a fault-injection hook: large
/// replies then take the region, as where the kernel refuses the reads).
#[cfg(feature = "fault-injection")]
pub(crate) fn disable() {
    DISABLED.store(true, Relaxed);
}

/// Yama's `ptrace_scope`: 0 (classic) and 1 (descendants only) let a
/// parent read its children; 2 and 3 do not. No Yama: classic rules.
fn yama_allows_children() -> bool {
    match std::fs::read_to_string("/proc/sys/kernel/yama/ptrace_scope") {
        Ok(scope) => matches!(scope.trim(), "0" | "1"),
        Err(_) => true,
    }
}

/// One read of this process's own memory through the system call.
fn reads_itself() -> bool {
    let probe = *b"poolrt-lend-probe";
    let lent = Lent {
        pid: std::process::id(),
        addr: probe.as_ptr() as u64,
        len: probe.len(),
    };
    lent.read_after(&[]).is_ok_and(|bytes| bytes == probe)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_round_trips_and_a_short_reply_is_refused() {
        let body = vec![3u8; 40];
        let mut reply = Lent::prefix(&body).to_vec();
        reply.push(9);
        let (lent, head) = Lent::parse(77, &reply).unwrap();
        assert_eq!(
            (lent.pid, lent.addr, lent.len),
            (77, body.as_ptr() as u64, 40)
        );
        assert_eq!(head, [9]);
        assert!(Lent::parse(77, &reply[..LENT_PREFIX - 1]).is_none());
    }

    #[test]
    fn this_process_reads_itself() {
        assert!(reads_itself());
        let bytes: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        let lent = Lent {
            pid: std::process::id(),
            addr: bytes.as_ptr() as u64,
            len: bytes.len(),
        };
        assert_eq!(lent.read_after(&[]).unwrap(), bytes);
        let mut headed = vec![1, 2];
        headed.extend_from_slice(&bytes);
        assert_eq!(lent.read_after(&[1, 2]).unwrap(), headed);
    }

    #[test]
    fn a_bad_address_is_an_error_not_a_crash() {
        let lent = Lent {
            pid: std::process::id(),
            addr: 8,
            len: 16,
        };
        let error = lent.read_after(&[]).unwrap_err();
        assert!(
            error.starts_with("reading it from worker process "),
            "{error}"
        );
    }
}
