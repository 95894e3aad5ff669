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

/// The state letter and CPU time (user + system, in clock ticks) from a
/// `stat` file of `/proc` (a process's, or a thread's under `task/`), or
/// `None` once it is gone.
pub fn stat_of(path: &std::path::Path) -> Option<(char, u64)> {
    let stat = std::fs::read_to_string(path).ok()?;
    // After the parenthesised name: state is field 3; utime and stime are
    // fields 14 and 15.
    let after = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    let state = fields[0].chars().next()?;
    Some((
        state,
        fields[11].parse::<u64>().ok()? + fields[12].parse::<u64>().ok()?,
    ))
}

/// Asserts that the threads or processes whose `stat` files are `files`
/// all go to sleep, then use under 1% of a core: at most one clock tick
/// (10 ms at 100 Hz, the accounting's granularity) over one second. CPU
/// time comes from the kernel, so this holds however loaded the machine is.
pub fn assert_idle(files: &[std::path::PathBuf], what: &str) {
    eventually(&format!("{what}: every thread asleep"), || {
        files
            .iter()
            .all(|f| stat_of(f).is_some_and(|(state, _)| state == 'S'))
    });
    let ticks = || -> u64 {
        files
            .iter()
            .filter_map(|f| stat_of(f))
            .map(|(_, t)| t)
            .sum()
    };
    let before = ticks();
    let window = std::time::Duration::from_secs(1);
    // The quantity under test is CPU used over wall time, so this waits out
    // a fixed window: there is no event to wait for.
    std::thread::sleep(window);
    let used = ticks() - before;
    assert!(used <= 1, "{what} used {used} ticks in {window:?}");
}
