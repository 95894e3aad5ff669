//! Resident-memory observations for the memory tests: the resident set
//! of a process, and this process's peak, reset on demand.

const KIB: usize = 1024;

/// A `kB` field of `/proc/<pid>/status` (`pid` may be `self`), in bytes.
pub fn status_bytes(pid: &str, field: &str) -> usize {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_else(|e| panic!("read /proc/{pid}/status: {e}"));
    let line = status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .unwrap_or_else(|| panic!("no {field} line in /proc/{pid}/status"));
    let kib: usize = line
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("{field} of {pid}: {line:?}: {e}"));
    kib * KIB
}

/// The resident set (`VmRSS`) of `pid` (or `self`), in bytes.
pub fn rss(pid: &str) -> usize {
    status_bytes(pid, "VmRSS")
}

/// Resets this process's peak resident set (`VmHWM`) to its current
/// resident set (`/proc/self/clear_refs`, "5").
pub fn reset_peak() {
    std::fs::write("/proc/self/clear_refs", "5")
        .expect("reset VmHWM through /proc/self/clear_refs");
}

/// This process's peak resident set (`VmHWM`) since the last
/// [`reset_peak`], in bytes.
pub fn peak() -> usize {
    status_bytes("self", "VmHWM")
}

/// `bytes` in MiB, for messages.
pub fn mib(bytes: usize) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024 * 1024) as f64)
}
