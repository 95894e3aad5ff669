//! Which build a process runs, and where its code lies.
//!
//! The fingerprint hashes the identity of `/proc/self/exe` (device, inode,
//! size, modification time) and the offset of a known entry function. A
//! worker re-executed from `/proc/self/exe` reaches the very file the
//! parent runs, even if the path was rebuilt meanwhile, so equal
//! fingerprints are the norm; a different binary (another build, another
//! program) is caught at the handshake instead of jumping to a wrong
//! address.

use std::ops::Range;
use std::sync::OnceLock;

use crate::sys::{entry, image};

/// This process's build fingerprint.
pub(crate) fn fingerprint() -> u64 {
    static FINGERPRINT: OnceLock<u64> = OnceLock::new();
    *FINGERPRINT.get_or_init(|| {
        let mut hash = Fnv::new();
        for part in image::binary_identity().into_iter().flatten() {
            hash.write(part);
        }
        hash.write(entry::offset_of(probe));
        hash.write(u64::from(crate::wire::message::PROTOCOL));
        hash.finish()
    })
}

/// The fingerprint of this build that copies of the binary on other
/// machines share (no inode or mtime): the file's size, the probe's
/// offset from the entry anchor, and the protocol.
pub(crate) fn portable_fingerprint() -> u64 {
    static FINGERPRINT: OnceLock<u64> = OnceLock::new();
    *FINGERPRINT.get_or_init(|| {
        let mut hash = Fnv::new();
        if let Ok(meta) = std::fs::metadata("/proc/self/exe") {
            hash.write(meta.len());
        }
        hash.write(entry::offset_of(probe));
        hash.write(u64::from(crate::wire::message::PROTOCOL));
        hash.finish()
    })
}

/// A function whose offset differs between builds that differ.
fn probe(_: &[u8], _: &mut crate::wire::codec::Encoded) -> u8 {
    0
}

/// True when `address` lies in an executable mapping of this program's
/// binary.
pub(crate) fn in_own_code(address: usize) -> bool {
    static RANGES: OnceLock<Vec<Range<usize>>> = OnceLock::new();
    RANGES
        .get_or_init(|| image::code_ranges_around(entry::code_address()))
        .iter()
        .any(|range| range.contains(&address))
}

/// FNV-1a, enough to compare two builds.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, value: u64) {
        for byte in value.to_le_bytes() {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_code_contains_our_functions() {
        assert!(in_own_code(entry::code_address()));
        assert!(in_own_code(probe as crate::sys::entry::Entry as usize));
        assert!(!in_own_code(0));
        assert_eq!(fingerprint(), fingerprint());
    }
}
