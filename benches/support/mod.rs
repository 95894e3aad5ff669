//! Helpers shared by the benches: a countdown latch for fire-and-forget
//! baselines, the bare pipe round trip the process benches compare with,
//! and a summary that turns the medians criterion just measured into the
//! ratios the README reports. The calibrated CPU-bound task comes from
//! `pool-test-support`, which the CPU-vs-IO demo shares.
#![allow(dead_code, unreachable_pub, unused_imports)] // each bench uses a subset

use std::fs;
use std::hint::black_box;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::{Arc, Condvar, Mutex};
use std::time::SystemTime;

pub use pool_test_support::{calibrate, cores, spin};

/// Counts down from `n`; `wait` returns when it reaches zero.
#[derive(Clone)]
pub struct Latch(Arc<(Mutex<usize>, Condvar)>);

impl Latch {
    pub fn new(n: usize) -> Latch {
        Latch(Arc::new((Mutex::new(n), Condvar::new())))
    }

    pub fn count_down(&self) {
        let mut left = self.0.0.lock().unwrap();
        *left -= 1;
        if *left == 0 {
            self.0.1.notify_all();
        }
    }

    pub fn wait(&self) {
        let mut left = self.0.0.lock().unwrap();
        while *left > 0 {
            left = self.0.1.wait(left).unwrap();
        }
    }
}

/// Where criterion writes its estimates: the workspace's target folder
/// (this package sits in `benches/`, one level below the workspace root).
fn criterion_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("criterion")
}

/// When this bench process started: estimates older than this belong to
/// an earlier run and are ignored.
pub fn run_started() -> SystemTime {
    static STARTED: OnceLock<SystemTime> = OnceLock::new();
    *STARTED.get_or_init(SystemTime::now)
}

/// The median, in seconds per iteration, that criterion wrote in *this* run
/// for `group/function`. `None` if that bench did not run (filtered out).
pub fn median_seconds(group: &str, function: &str) -> Option<f64> {
    let path = criterion_dir()
        .join(group)
        .join(function)
        .join("new")
        .join("estimates.json");
    let written = fs::metadata(&path).ok()?.modified().ok()?;
    if written < run_started() {
        return None;
    }
    let json = fs::read_to_string(path).ok()?;
    let median = &json[json.find("\"median\"")?..];
    let value = &median[median.find("\"point_estimate\":")? + "\"point_estimate\":".len()..];
    let end = value.find([',', '}'])?;
    value[..end].trim().parse::<f64>().ok().map(|ns| ns / 1e9)
}

/// Measures, as `name` in `group`, an 8-byte round trip over two pipes to
/// a child process (`cat`): the floor for any pipe-based pool.
pub fn bench_pipe_round_trip(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
) {
    use std::io::{Read, Write};
    use std::process::{Command, Stdio};

    let mut child = Command::new("cat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("cat is on every Linux");
    let mut to = child.stdin.take().unwrap();
    let mut from = child.stdout.take().unwrap();
    let mut buf = [0u8; 8];
    group.bench_function(name, |b| {
        b.iter(|| {
            to.write_all(&7u64.to_le_bytes()).unwrap();
            from.read_exact(&mut buf).unwrap();
            black_box(buf)
        });
    });
    drop(to);
    child.wait().unwrap();
}
