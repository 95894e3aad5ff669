//! The hook that turns a re-executed copy of the program into a worker
//! before the program's `main` runs.
//!
//! An entry in the ELF `.init_array` runs in every process of the program,
//! before `main`, in every kind of binary that links this crate: the
//! program's own binaries and examples, unit and integration test
//! harnesses, doctests and criterion benches. In an ordinary process it
//! finds no worker marker in the environment and returns at once. In a
//! worker it never returns: [`super::boot()`] serves tasks, then exits
//! the process, so `main` (or the test harness) never starts and the
//! program's own logic never runs twice.
//!
//! rustc keeps `#[used]` statics of every crate it links, and a program
//! that starts workers links this crate, so the entry is always present
//! where it is needed.
//!
//! The `.init_array` entry is the one `unsafe` attribute outside `sys/`:
//! it is the worker's `main`, so it lives with the worker, and `sys/`
//! never calls up into worker code.

#[used]
#[allow(unsafe_code)]
// the worker's `main`; see the module docs
// SAFETY: `.init_array` holds pointers to `extern "C" fn()` that the
// loader calls once before `main`; `before_main` is such a function, and
// it never unwinds (it aborts on a panic).
#[unsafe(link_section = ".init_array")]
static BEFORE_MAIN: extern "C" fn() = before_main;

extern "C" fn before_main() {
    let outcome = std::panic::catch_unwind(super::boot);
    if outcome.is_err() {
        // A panic here would unwind into the loader.
        std::process::abort();
    }
}

/// Makes sure the constructor is linked into every binary that starts
/// workers (it is, by `#[used]`; this keeps it so under any linker).
pub(crate) fn ensure_linked() {
    std::hint::black_box(&BEFORE_MAIN);
}

/// The boot of a fork server (`sys/zygote/`): serves fork requests;
/// each forked child becomes a worker. Returns the zygote's exit code.
pub(super) fn fork_server(start: crate::sys::boot::WorkerStart, parent: i32) -> i32 {
    crate::sys::zygote::serve(start, parent, prepare, forked_worker)
}

/// What every worker computes on its first request, computed once in
/// the zygote so its forked workers inherit it.
fn prepare() {
    let _ = super::fingerprint::fingerprint();
    let _ = super::fingerprint::in_own_code(0);
}

/// A forked child's life as a worker: the settings its parent sent, then
/// steps 1-4 as in a re-executed worker.
fn forked_worker(start: crate::sys::boot::WorkerStart) -> i32 {
    match start.marker().to_str().and_then(super::Settings::parse) {
        Some(settings) => super::serve(&settings, start),
        None => {
            eprintln!(
                "poolrt: worker forked with unreadable settings {:?}",
                start.marker()
            );
            3
        }
    }
}
