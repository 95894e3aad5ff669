//! How much memory a child process holds: its private resident memory,
//! read from `/proc/<pid>/statm` through a descriptor opened once.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;

/// A child's private resident memory, read on demand.
///
/// Private means anonymous: `statm`'s resident pages minus its shared
/// ones. It is what a task's own allocations make grow (heap, stacks,
/// private copies), and it leaves out the program's file-backed pages and
/// the shared memory a child holds with its parent (the mailbox region,
/// whose pages go back after a large message anyway).
pub(crate) struct PrivateResident {
    statm: File,
    page: u64,
}

impl PrivateResident {
    /// Opens `/proc/<pid>/statm`. The caller must own the child and not
    /// have reaped it yet, so `pid` cannot name anybody else. The
    /// descriptor stays with that process: once it has exited, reads fail
    /// or see nothing, but never another process that got its pid.
    pub(crate) fn open(pid: u32) -> io::Result<PrivateResident> {
        Ok(PrivateResident {
            statm: File::open(format!("/proc/{pid}/statm"))?,
            page: page_size(),
        })
    }

    /// The child's private resident memory now, in bytes: one `pread`.
    pub(crate) fn bytes(&self) -> io::Result<u64> {
        // "size resident shared text lib data dt", in pages; under 100
        // bytes.
        let mut buf = [0u8; 128];
        let n = self.statm.read_at(&mut buf, 0)?;
        let mut fields = std::str::from_utf8(&buf[..n])
            .ok()
            .into_iter()
            .flat_map(str::split_ascii_whitespace)
            .map(str::parse::<u64>);
        match (fields.nth(1), fields.next()) {
            (Some(Ok(resident)), Some(Ok(shared))) => {
                Ok(resident.saturating_sub(shared) * self.page)
            }
            _ => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "an unreadable /proc/<pid>/statm",
            )),
        }
    }
}

/// The size of a memory page, in bytes.
fn page_size() -> u64 {
    // SAFETY: `sysconf` only reads a system constant; it has no
    // preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    u64::try_from(page).unwrap_or(4096)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_memory_grows_with_an_allocation_and_is_read_again_each_time() {
        // Other tests of this binary allocate a few MiB at the same time:
        // the margins are far wider.
        const BLOCK: u64 = 256 << 20;
        let me = PrivateResident::open(std::process::id()).unwrap();
        let before = me.bytes().unwrap();
        assert!(before > 0);
        let block = std::hint::black_box(vec![1u8; BLOCK as usize]);
        let during = me.bytes().unwrap();
        assert!(during >= before + BLOCK * 3 / 4, "{before} -> {during}");
        drop(block);
        let after = me.bytes().unwrap();
        assert!(after <= during - BLOCK * 3 / 4, "{during} -> {after}");
    }
}
