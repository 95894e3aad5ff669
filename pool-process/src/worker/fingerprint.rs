//! Which build a process runs, and where its code lies.
//!
//! The fingerprint hashes the identity of `/proc/self/exe` (device, inode,
//! size, modification time) and the offset of a known entry function. A
//! worker re-executed from `/proc/self/exe` reaches the very file the
//! parent runs, even if the path was rebuilt meanwhile, so equal
//! fingerprints are the norm; a different binary (another build, another
//! program) is caught at the handshake instead of jumping to a wrong
//! address.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::sync::OnceLock;

use crate::sys::entry;

/// This process's build fingerprint.
pub(crate) fn fingerprint() -> u64 {
    static FINGERPRINT: OnceLock<u64> = OnceLock::new();
    *FINGERPRINT.get_or_init(|| {
        let mut hash = Fnv::new();
        if let Ok(meta) = fs::metadata(crate::sys::spawn::OWN_BINARY) {
            for part in [
                meta.dev(),
                meta.ino(),
                meta.size(),
                meta.mtime() as u64,
                meta.mtime_nsec() as u64,
            ] {
                hash.write(part);
            }
        }
        hash.write(entry::offset_of(probe));
        hash.write(u64::from(crate::wire::message::PROTOCOL));
        hash.finish()
    })
}

/// A function whose offset differs between builds that differ.
fn probe(_: &[u8], _: &mut Vec<u8>) -> u8 {
    0
}

/// True when `address` lies in an executable mapping of this program's
/// binary.
pub(crate) fn in_own_code(address: usize) -> bool {
    static RANGES: OnceLock<Vec<(usize, usize)>> = OnceLock::new();
    RANGES
        .get_or_init(own_code_ranges)
        .iter()
        .any(|&(start, end)| (start..end).contains(&address))
}

/// The executable mappings of the file that holds this crate's code, from
/// `/proc/self/maps`.
fn own_code_ranges() -> Vec<(usize, usize)> {
    let Ok(maps) = fs::read_to_string("/proc/self/maps") else {
        return Vec::new();
    };
    let lines: Vec<(usize, usize, &str, &str)> = maps
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let (start, end) = fields.next()?.split_once('-')?;
            let perms = fields.next()?;
            let path = fields.nth(3).unwrap_or("");
            Some((
                usize::from_str_radix(start, 16).ok()?,
                usize::from_str_radix(end, 16).ok()?,
                perms,
                path,
            ))
        })
        .collect();
    let code = entry::code_address();
    let Some(&(_, _, _, own)) = lines.iter().find(|(s, e, _, _)| (*s..*e).contains(&code)) else {
        return Vec::new();
    };
    lines
        .iter()
        .filter(|(_, _, perms, path)| *path == own && perms.contains('x'))
        .map(|&(s, e, _, _)| (s, e))
        .collect()
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
        assert!(in_own_code(probe as fn(&[u8], &mut Vec<u8>) -> u8 as usize));
        assert!(!in_own_code(0));
        assert_eq!(fingerprint(), fingerprint());
    }
}
