//! The demo: IO-bound work belongs on threads, CPU-bound work on processes,
//! measured on this machine.
//!
//! Python original: seed 004, "when to use threads and when to use
//! processes", which states the rule in words: IO operations (disk,
//! network) leave the CPU free, so threads suit them; computation needs
//! the CPU, and CPython's threads take turns at it, so CPU-bound work goes
//! to processes. This program measures the rule instead of stating it.
//!
//! It runs one CPU-bound job (32 tasks of about 10 ms of arithmetic) and one
//! IO-bound job (32 tasks that each wait 20 ms, like a network call) three
//! ways: serially, on the thread backend (`ThreadPoolExecutor(32)`) and on
//! the process backend (`Pool(W)`, W = the cores available). It prints the
//! wall times, the speed-ups over the serial run as a bar chart, and
//! conclusions drawn from those figures. It reads the 1-minute load average
//! before and after, and says so when other programs kept the cores too busy
//! to show the effect. Progress goes to stderr: one line per phase, and
//! a bar of the tasks done, their rate and the time left while a pool
//! works (`poolrt::progress`; drawn only when stderr is a terminal).
//!
//! Run with `cargo run --release --example cpu_vs_io` (a few seconds).

use std::io::Write;
use std::time::{Duration, Instant};

use pool_test_support::{calibrate, cores, load_average, spin};
use poolrt::process::Pool;
use poolrt::progress::ProgressExt;
use poolrt::thread::ThreadPoolExecutor;

const TASKS: usize = 32;
const THREADS: usize = 32;
const CPU_TASK: Duration = Duration::from_millis(10);
const IO_WAIT: Duration = Duration::from_millis(20);
/// The width of the longest bar, in characters.
const BAR_WIDTH: f64 = 48.0;

/// CPU-bound: pure arithmetic.
fn cpu_task(rounds: u64) -> u64 {
    spin(rounds)
}

/// IO-bound: waiting, as for a network reply.
fn io_task(wait_ms: u64) -> u64 {
    std::thread::sleep(Duration::from_millis(wait_ms));
    wait_ms
}

/// Runs `f` and returns how long it took.
fn time(f: impl FnOnce() -> u64) -> Duration {
    let start = Instant::now();
    std::hint::black_box(f());
    start.elapsed()
}

/// A progress line on stderr, so the output on stdout stays the report.
fn progress(step: usize, of: usize, what: &str) {
    eprintln!("[{step}/{of}] {what}");
    let _ = std::io::stderr().flush();
}

/// The wall times of one job.
struct Row {
    job: &'static str,
    serial: Duration,
    threads: Duration,
    processes: Duration,
}

impl Row {
    fn on_threads(&self) -> f64 {
        self.serial.as_secs_f64() / self.threads.as_secs_f64()
    }
    fn on_processes(&self) -> f64 {
        self.serial.as_secs_f64() / self.processes.as_secs_f64()
    }
}

/// A bar of `speedup` on a scale where `longest` fills [`BAR_WIDTH`].
fn bar(speedup: f64, longest: f64) -> String {
    let eighths = (speedup / longest * BAR_WIDTH * 8.0).round().max(1.0) as usize;
    let partial = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"][eighths % 8];
    format!("{}{partial}", "█".repeat(eighths / 8))
}

fn load_text(load: Option<f64>) -> String {
    load.map_or_else(|| "unknown".to_owned(), |l| format!("{l:.2}"))
}

fn main() -> Result<(), poolrt::Error> {
    println!(
        "Where does each kind of work go faster, threads or processes? \
         Measured here, not assumed.\n"
    );
    let w = cores();
    let load_before = load_average();
    let steps = 8;

    progress(1, steps, "calibrating a 10 ms CPU task on this machine");
    let rounds = calibrate(CPU_TASK);
    let wait_ms = IO_WAIT.as_millis() as u64;

    progress(
        2,
        steps,
        &format!("starting {w} worker processes, one per core"),
    );
    let started = Instant::now();
    let pool = Pool::builder().processes(w).pin_cores(true).build()?;
    pool.apply(cpu_task, 1)?; // the workers are up
    let pool_start = started.elapsed();
    let threads = ThreadPoolExecutor::new(THREADS)?;

    let mut rows = Vec::new();
    let mut step = 2;
    for (job, task, arg) in [
        ("CPU-bound", cpu_task as fn(u64) -> u64, rounds),
        ("IO-bound", io_task as fn(u64) -> u64, wait_ms),
    ] {
        step += 1;
        progress(
            step,
            steps,
            &format!("{job}: {TASKS} tasks one after another"),
        );
        let serial = time(|| (0..TASKS).map(|_| task(arg)).fold(0, u64::wrapping_add));
        step += 1;
        progress(step, steps, &format!("{job}: on {THREADS} threads"));
        let on_threads = time(|| {
            threads
                .map(move |_| task(arg), 0..TASKS)
                .progress()
                .map(|result| result.expect("the task ran"))
                .fold(0, u64::wrapping_add)
        });
        step += 1;
        progress(step, steps, &format!("{job}: on {w} worker processes"));
        let on_processes = time(|| {
            // A process pool ships a function by its type, so name it (a
            // `fn` pointer is a value it cannot send).
            let values = if job == "CPU-bound" {
                pool.imap_chunked(cpu_task, vec![arg; TASKS], 1).progress()
            } else {
                pool.imap_chunked(io_task, vec![arg; TASKS], 1).progress()
            };
            values
                .map(|result| result.expect("the task ran"))
                .fold(0, u64::wrapping_add)
        });
        rows.push(Row {
            job,
            serial,
            threads: on_threads,
            processes: on_processes,
        });
    }
    let load_after = load_average();
    eprintln!("done.\n");

    println!(
        "{TASKS} tasks per job; {THREADS} threads; {w} worker processes (started in {pool_start:.1?})\n"
    );
    println!(
        "{:<10} {:>10} {:>18} {:>20}",
        "job", "serial", "threads", "processes"
    );
    for row in &rows {
        println!(
            "{:<10} {:>8.0?} {:>9.0?} ({:>4.1}x) {:>10.0?} ({:>5.1}x)",
            row.job,
            row.serial,
            row.threads,
            row.on_threads(),
            row.processes,
            row.on_processes()
        );
    }

    // The chart: each job's speed-ups over its serial run, the fastest
    // filling the width, so the winner of each job shows at a glance.
    println!(
        "\nSpeed-up over running the tasks one after another (longer is faster; \
         each job on its own scale):"
    );
    for row in &rows {
        let speedups = [
            ("serial", 1.0),
            ("threads", row.on_threads()),
            ("processes", row.on_processes()),
        ];
        let longest = speedups.iter().map(|&(_, x)| x).fold(1.0, f64::max);
        println!("\n{}", row.job);
        for (label, x) in speedups {
            println!("  {label:<10} {:>5.1}x {}", x, bar(x, longest));
        }
    }

    // Conclusions, from the figures above.
    let (cpu, io) = (&rows[0], &rows[1]);
    println!();
    let (io_t, io_p) = (io.on_threads(), io.on_processes());
    if io_t > 1.5 * io_p {
        println!(
            "IO-bound work: threads win, {io_t:.1}x against {io_p:.1}x for {w} processes: \
             a waiting thread costs almost nothing, so {THREADS} of them wait at once, \
             while {w} processes wait {w} at a time."
        );
    } else {
        println!(
            "IO-bound work: threads reached {io_t:.1}x and {w} processes {io_p:.1}x; \
             threads should be far ahead (up to {THREADS}x against {w}x), so something \
             slowed them down here."
        );
    }

    let possible = w.min(TASKS) as f64;
    let (cpu_t, cpu_p) = (cpu.on_threads(), cpu.on_processes());
    let used_cores = cpu_p >= 0.75 * possible;
    if w == 1 {
        println!(
            "CPU-bound work: this machine offers one core, so neither threads ({cpu_t:.1}x) \
             nor processes ({cpu_p:.1}x) can beat the serial run."
        );
    } else if used_cores {
        println!(
            "CPU-bound work: processes used the cores, {cpu_p:.1}x of a possible {possible:.0}x."
        );
    } else {
        println!(
            "CPU-bound work: processes reached only {cpu_p:.1}x of a possible {possible:.0}x \
             on {w} cores."
        );
    }
    if w > 1 {
        if !used_cores {
            println!(
                "Threads got {cpu_t:.1}x: neither backend had the cores to itself, so this \
                 comparison says little here."
            );
        } else if cpu_t >= 0.75 * cpu_p {
            println!(
                "Rust threads have no GIL, so here they keep up ({cpu_t:.1}x); in CPython the \
                 same threads would stay near 1x, which is why the tutorials send CPU-bound \
                 work to processes."
            );
        } else {
            println!(
                "Threads reached {cpu_t:.1}x: Rust threads have no GIL and can match the \
                 processes on free cores; CPython's would stay near 1x."
            );
        }
    }

    // Was the machine free enough to show the effect? The load average
    // before the run counts the other programs; the one after also counts
    // this demo's own work.
    println!(
        "\nLoad average (1 min): {} before, {} after, on {w} cores.",
        load_text(load_before),
        load_text(load_after)
    );
    let crowded = load_before
        .or(load_after)
        .is_some_and(|l| l >= 0.75 * w as f64);
    match (w > 1, used_cores, crowded) {
        (false, _, _) => {}
        (true, true, false) => {
            println!("The machine was quiet enough for these figures to show the effect.")
        }
        (true, true, true) => println!(
            "Other programs were busy too, yet the processes still got {cpu_p:.1}x: \
             the effect shows."
        ),
        (true, false, true) => println!(
            "The machine was too busy to show the CPU effect: other programs kept the cores \
             busy (a load average near or above {w}), so the processes got {cpu_p:.1}x \
             instead of the {possible:.0}x that {w} free cores give. Run it again on a \
             quieter machine."
        ),
        (true, false, false) => println!(
            "The processes got {cpu_p:.1}x instead of the {possible:.0}x that {w} free cores \
             give, though the load average did not show other work: something else \
             (a CPU quota, frequency scaling) held them back."
        ),
    }
    Ok(())
}
