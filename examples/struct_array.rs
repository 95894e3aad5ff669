//! A NumPy-style array of structs in shared memory: Python's
//! `multiprocessing.Array(Particle, n)` of a `ctypes.Structure`, which
//! NumPy code views as a structured array (`np.frombuffer(arr.get_obj(),
//! dtype=[('x', 'f8'), ('y', 'f8'), ('vx', 'f8'), ('vy', 'f8'), ('bounces', 'u4'), ('id', 'u4')])`).
//!
//! The element is a `#[repr(C)]` struct of numbers, which bytemuck's
//! `Pod` derive checks is plain data. Four worker processes each own a
//! block of particles and move them for a number of steps, reading and
//! writing their block as one slice (`get_slice`/`set_slice`, Python's
//! `arr[i:j]`). A `Barrier` keeps the steps in lockstep; its action, run
//! once per step in the last process to arrive, counts the steps. The
//! parent then checks the shared result against the same simulation run
//! in one process.
//!
//! Run with `cargo run --release --example struct_array`.

use std::sync::OnceLock;
use std::time::Instant;

use bytemuck::{Pod, Zeroable};
use poolrt::process::{Array, Barrier, Process, Value};

/// One particle: 40 bytes, no padding, any bit pattern valid.
#[derive(Clone, Copy, Debug, PartialEq, Pod, Zeroable)]
#[repr(C)]
struct Particle {
    x: f64,
    y: f64,
    vx: f64,
    vy: f64,
    bounces: u32,
    id: u32,
}

const PARTICLES: usize = 40_000;
const WORKERS: usize = 4;
const STEPS: u32 = 50;
const DT: f64 = 0.01;

/// One step of one particle in the unit box, bouncing off the walls.
fn advance(p: &mut Particle) {
    p.x += p.vx * DT;
    p.y += p.vy * DT;
    if !(0.0..=1.0).contains(&p.x) {
        p.vx = -p.vx;
        p.x = p.x.clamp(0.0, 1.0);
        p.bounces += 1;
    }
    if !(0.0..=1.0).contains(&p.y) {
        p.vy = -p.vy;
        p.y = p.y.clamp(0.0, 1.0);
        p.bounces += 1;
    }
}

fn initial(id: usize) -> Particle {
    // A cheap deterministic scatter, so the serial check can redo it.
    let f = id as f64;
    Particle {
        x: (f * 0.618_034).fract(),
        y: (f * 0.414_214).fract(),
        vx: ((f * 0.732_051).fract() - 0.5) * 4.0,
        vy: ((f * 0.236_068).fract() - 0.5) * 4.0,
        bounces: 0,
        id: id as u32,
    }
}

/// The step counter the barrier's action reaches: an action is a plain
/// function run in whichever process arrives last, so it finds shared
/// objects through a static each process sets.
static STEPS_DONE: OnceLock<Value<u32>> = OnceLock::new();

fn count_step() {
    let steps = STEPS_DONE.get().expect("set before the first wait");
    steps.set(steps.get() + 1);
}

fn worker(particles: Array<Particle>, steps: Barrier, done: Value<u32>, block: usize) {
    let _ = STEPS_DONE.set(done);
    let per = PARTICLES / WORKERS;
    let range = block * per..(block + 1) * per;
    for _ in 0..STEPS {
        let mut mine = particles.get_slice(range.clone()).unwrap();
        mine.iter_mut().for_each(advance);
        particles.set_slice(range.clone(), &mine).unwrap();
        steps.wait().unwrap();
    }
}

fn main() {
    println!(
        "An Array of #[repr(C)] structs, moved in slices by {WORKERS} processes in lockstep on a Barrier"
    );
    let particles = Array::new((0..PARTICLES).map(initial)).unwrap();
    let done = Value::new(0u32).unwrap();
    let steps = Barrier::new(WORKERS).unwrap().with_action(count_step);

    let start = Instant::now();
    let workers: Vec<Process> = (0..WORKERS)
        .map(|block| {
            let args = (particles.clone(), steps.clone(), done.clone(), block);
            let p = Process::new(worker, args);
            p.start().unwrap();
            p
        })
        .collect();
    for p in &workers {
        p.join().unwrap();
    }
    let elapsed = start.elapsed();

    let shared = particles.to_vec();
    let bounces: u64 = shared.iter().map(|p| u64::from(p.bounces)).sum();
    println!(
        "{PARTICLES} particles ({} bytes each), {WORKERS} processes, {} steps in {elapsed:.2?}",
        size_of::<Particle>(),
        done.get()
    );
    println!("first: {:?}", shared[0]);
    println!("bounces: {bounces}");

    let mut serial: Vec<Particle> = (0..PARTICLES).map(initial).collect();
    for _ in 0..STEPS {
        serial.iter_mut().for_each(advance);
    }
    assert_eq!(shared, serial, "the processes computed what one would");
    assert_eq!(done.get(), STEPS, "the barrier's action ran once per step");
    println!("matches the serial run");
}
