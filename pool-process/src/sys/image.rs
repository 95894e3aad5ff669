//! This program's binary, as the kernel sees it: which file it is, and
//! where its code is mapped (both read from `/proc/self`).

use std::fs;
use std::ops::Range;
use std::os::unix::fs::MetadataExt;

use super::spawn::OWN_BINARY;

/// The identity of the file this process runs: device, inode, size and
/// modification time (seconds, nanoseconds). `None` if it cannot be read.
pub(crate) fn binary_identity() -> Option<[u64; 5]> {
    let meta = fs::metadata(OWN_BINARY).ok()?;
    Some([
        meta.dev(),
        meta.ino(),
        meta.size(),
        meta.mtime() as u64,
        meta.mtime_nsec() as u64,
    ])
}

/// The executable mappings of the file that holds `address` (an address
/// in this process's code), from `/proc/self/maps`. Empty if it cannot
/// be read or `address` lies in no file mapping.
pub(crate) fn code_ranges_around(address: usize) -> Vec<Range<usize>> {
    let Ok(maps) = fs::read_to_string("/proc/self/maps") else {
        return Vec::new();
    };
    let lines: Vec<(Range<usize>, &str, &str)> = maps
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let (start, end) = fields.next()?.split_once('-')?;
            let perms = fields.next()?;
            let path = fields.nth(3).unwrap_or("");
            Some((
                usize::from_str_radix(start, 16).ok()?..usize::from_str_radix(end, 16).ok()?,
                perms,
                path,
            ))
        })
        .collect();
    let Some((_, _, own)) = lines.iter().find(|(range, _, _)| range.contains(&address)) else {
        return Vec::new();
    };
    lines
        .iter()
        .filter(|(_, perms, path)| path == own && perms.contains('x'))
        .map(|(range, _, _)| range.clone())
        .collect()
}
