//! `Barrier::with_action` across processes, compared with CPython's
//! `multiprocessing.Barrier(parties, action=...)`: the action runs once
//! per round, in the last process to arrive (the one whose `wait`
//! returns `parties - 1`), before any party is released. A panicking
//! action breaks the barrier: its process's error carries the panic
//! (Python re-raises the action's exception there), the others get a
//! plain broken-barrier error. An action may `abort()` or `reset()`.

mod support;

use std::sync::OnceLock;
use std::time::Instant;

use pool_process::{Barrier, Process, Queue, Value};
use support::BOUND;

const PARTIES: u32 = 3;
const ROUNDS: u32 = 4;

/// What the action reaches, set in each process before it waits: an
/// action is a fn item, so it finds shared objects through statics.
struct Shared {
    /// Rounds the action ran.
    runs: Value<u32>,
    /// The pid of the process that ran the last action.
    actor: Value<u32>,
    /// Waits that returned, over every round.
    released: Value<u32>,
}

static SHARED: OnceLock<Shared> = OnceLock::new();

fn install(runs: Value<u32>, actor: Value<u32>, released: Value<u32>) {
    let _ = SHARED.set(Shared {
        runs,
        actor,
        released,
    });
}

/// The action: checks nobody of this round was released yet, counts the
/// round and records who ran it.
fn record() {
    let s = SHARED.get().expect("installed before waiting");
    let runs = s.runs.get();
    assert_eq!(
        s.released.get(),
        runs * PARTIES,
        "a party left before the action"
    );
    s.runs.set(runs + 1);
    s.actor.set(std::process::id());
}

/// Meets the others `ROUNDS` times; per round: (pid, index, actor seen).
fn rounds(b: &Barrier) -> Vec<(u32, usize, u32)> {
    let s = SHARED.get().unwrap();
    (0..ROUNDS)
        .map(|_| {
            let index = b.wait_timeout(BOUND).unwrap();
            // The next action waits for this party's next arrival: safe
            // to read.
            let actor = s.actor.get();
            let g = s.released.get_lock();
            g.set(g.get() + 1);
            (std::process::id(), index, actor)
        })
        .collect()
}

fn party(
    b: Barrier,
    runs: Value<u32>,
    actor: Value<u32>,
    released: Value<u32>,
    out: Queue<Vec<(u32, usize, u32)>>,
) {
    install(runs, actor, released);
    out.put(rounds(&b)).unwrap();
}

#[test]
fn the_action_runs_once_per_round_in_the_last_arriving_process() {
    let b = Barrier::new(PARTIES as usize).unwrap().with_action(record);
    let (runs, actor, released) = (
        Value::new(0u32).unwrap(),
        Value::new(0u32).unwrap(),
        Value::new(0u32).unwrap(),
    );
    install(runs.clone(), actor.clone(), released.clone());
    let out = Queue::new(0).unwrap();
    let children: Vec<Process> = (1..PARTIES)
        .map(|_| {
            let args = (
                b.clone(),
                runs.clone(),
                actor.clone(),
                released.clone(),
                out.clone(),
            );
            let p = Process::new(party, args);
            p.start().unwrap();
            p
        })
        .collect();
    let mut all = vec![rounds(&b)];
    for _ in &children {
        all.push(out.get_timeout(BOUND).unwrap());
    }
    for p in &children {
        assert!(p.join_timeout(BOUND).unwrap());
        assert_eq!(p.exitcode(), Some(0));
    }
    assert_eq!(runs.get(), ROUNDS, "once per round");
    for round in 0..ROUNDS as usize {
        let this: Vec<_> = all.iter().map(|party| party[round]).collect();
        let mut indexes: Vec<usize> = this.iter().map(|&(_, i, _)| i).collect();
        indexes.sort_unstable();
        assert_eq!(indexes, [0, 1, 2], "round {round}: {this:?}");
        let last = this
            .iter()
            .find(|&&(_, i, _)| i == PARTIES as usize - 1)
            .unwrap();
        for &(_, _, seen) in &this {
            assert_eq!(
                seen, last.0,
                "round {round}: the last arrival ran it: {this:?}"
            );
        }
    }
}

fn refuse() {
    panic!("the action refuses");
}

fn wait_once(b: Barrier, out: Queue<(bool, bool, bool)>) {
    let error = b.wait_timeout(BOUND).unwrap_err();
    out.put((
        error.action_panic().is_some(),
        error.is_reset(),
        error.is_timeout(),
    ))
    .unwrap();
}

#[test]
fn a_panicking_action_breaks_the_barrier_for_every_process() {
    let b = Barrier::new(2).unwrap().with_action(refuse);
    let out = Queue::new(0).unwrap();
    let p = Process::new(wait_once, (b.clone(), out.clone()));
    p.start().unwrap();
    // Whichever arrives last runs the action: one error carries the
    // panic, the other is plain.
    let mine = b.wait_timeout(BOUND).unwrap_err();
    let theirs = out.get_timeout(BOUND).unwrap();
    assert!(p.join_timeout(BOUND).unwrap());
    let panics = [mine.action_panic().is_some(), theirs.0];
    assert_eq!(
        panics.iter().filter(|&&p| p).count(),
        1,
        "{mine:?} {theirs:?}"
    );
    if let Some(panic) = mine.action_panic() {
        assert_eq!(panic.message(), "the action refuses");
    }
    assert!(!mine.is_reset() && !mine.is_timeout());
    assert!(!theirs.1 && !theirs.2);
    assert!(b.broken());
    assert!(b.wait_timeout(BOUND).is_err(), "broken until reset");
    b.reset();
    assert!(!b.broken());
}

/// An action that aborts the barrier it runs for.
static ABORTED: OnceLock<Barrier> = OnceLock::new();
fn abort_it() {
    ABORTED.get().unwrap().abort();
}

static RESET: OnceLock<Barrier> = OnceLock::new();
fn reset_it() {
    RESET.get().unwrap().reset();
}

#[test]
fn an_action_may_abort_or_reset_its_barrier() {
    let b = Barrier::new(1).unwrap().with_action(abort_it);
    let _ = ABORTED.set(b.clone());
    let error = b.wait_timeout(BOUND).unwrap_err();
    assert!(!error.is_reset() && error.action_panic().is_none());
    assert!(b.broken());

    let b = Barrier::new(1).unwrap().with_action(reset_it);
    let _ = RESET.set(b.clone());
    let error = b.wait_timeout(BOUND).unwrap_err();
    assert!(error.is_reset(), "{error:?}");
    assert!(!b.broken());
}

/// A barrier of two whose action aborts it, set in both processes.
static PAIR: OnceLock<Barrier> = OnceLock::new();
fn abort_pair() {
    PAIR.get().unwrap().abort();
}

fn wait_in_pair(b: Barrier, out: Queue<(bool, bool, bool)>) {
    let _ = PAIR.set(b.clone());
    let start = Instant::now();
    let error = b.wait_timeout(BOUND).unwrap_err();
    let woken = start.elapsed() < BOUND;
    out.put((error.is_reset(), error.is_timeout(), woken))
        .unwrap();
}

#[test]
fn an_aborting_action_wakes_the_other_processes_with_an_error() {
    let b = PAIR.get_or_init(|| Barrier::new(2).unwrap().with_action(abort_pair));
    let out = Queue::new(0).unwrap();
    let p = Process::new(wait_in_pair, (b.clone(), out.clone()));
    p.start().unwrap();
    // Whoever arrives last aborts: both waits fail, neither as a reset
    // or a timeout, and neither hangs.
    let start = Instant::now();
    let mine = b.wait_timeout(BOUND).unwrap_err();
    assert!(start.elapsed() < BOUND, "woken by the abort, not the bound");
    assert_eq!(
        out.get_timeout(BOUND).unwrap(),
        (false, false, true),
        "(reset, timeout, woken before the bound)"
    );
    assert!(!mine.is_reset() && !mine.is_timeout(), "{mine:?}");
    assert!(p.join_timeout(BOUND).unwrap());
    assert!(b.broken());
}

#[test]
fn the_action_and_timeout_belong_to_every_clone() {
    let b = Barrier::new(1).unwrap();
    let clone = b.clone();
    let b = b.with_action(refuse);
    assert!(clone.wait().unwrap_err().action_panic().is_some());
    assert!(b.broken());
}
