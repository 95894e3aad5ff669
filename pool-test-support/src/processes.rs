//! Observing processes from the outside: their state in `/proc`, this
//! process's open descriptors, and the pids a helper process prints.

use crate::eventually;

/// The state letter of process `pid` from `/proc/<pid>/stat` (`'Z'` for a
/// zombie), or `None` when no such process exists.
pub fn process_state(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may contain spaces.
    let after = &stat[stat.rfind(')')? + 1..];
    after.trim_start().chars().next()
}

/// Waits until process `pid` no longer exists (not even as a zombie).
pub fn gone(pid: u32) {
    eventually(&format!("process {pid} to be gone"), || {
        process_state(pid).is_none()
    });
}

/// The number of open file descriptors of this process.
pub fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .expect("list /proc/self/fd")
        .count()
}

/// Reads `lines` (a helper process's output) up to the first line that
/// starts with `prefix`, and returns the pids listed after it (none if the
/// output ends first).
pub fn pids_after<B: std::io::BufRead>(lines: &mut std::io::Lines<B>, prefix: &str) -> Vec<u32> {
    for line in lines.by_ref() {
        let line = line.expect("read the helper's output");
        if let Some(list) = line.strip_prefix(prefix) {
            return list
                .split_whitespace()
                .map(|p| p.parse::<u32>().expect("a pid"))
                .collect();
        }
    }
    Vec::new()
}
