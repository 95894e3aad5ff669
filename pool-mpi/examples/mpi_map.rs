//! A CPU-bound map across MPI ranks, printing its throughput: the MPI
//! counterpart of mpi4py's `MPIPoolExecutor().map(f, items)`.
//!
//! ```sh
//! cargo build --release -p pool-mpi --features mpi --example mpi_map
//! # one machine: the root plus one worker rank per core
//! mpirun -n 3 target/release/examples/mpi_map
//! # a cluster: one rank per node feeding a local pool (see the README)
//! mpirun --hostfile hosts --map-by ppr:1:node -n 5 target/release/examples/mpi_map per-node
//! ```

use std::time::Instant;

use pool_mpi::{Placement, Pool};

/// The length of the Collatz sequence from `n`: a few hundred steps of
/// integer work per item.
fn collatz_steps(n: u64) -> u32 {
    let (mut n, mut steps) = (n.max(1), 0);
    while n != 1 {
        n = if n % 2 == 0 { n / 2 } else { 3 * n + 1 };
        steps += 1;
    }
    steps
}

fn main() -> Result<(), pool_core::Error> {
    let placement = match std::env::args().nth(1).as_deref() {
        Some("per-node") => Placement::RankPerNode,
        _ => Placement::RankPerCore,
    };
    // The worker ranks serve inside this call and exit; only rank 0 goes on.
    let pool = Pool::builder().placement(placement).build()?;
    let items = 2_000_000u64;

    let start = Instant::now();
    let steps = pool.map(collatz_steps, 1..=items)?;
    let elapsed = start.elapsed();

    let longest = steps.iter().max().copied().unwrap_or(0);
    println!(
        "{items} items on {} links over {} worker ranks ({placement:?}): {:.3} s, {:.0} items/s; longest sequence {longest} steps",
        pool.processes(),
        pool.ranks().len(),
        elapsed.as_secs_f64(),
        items as f64 / elapsed.as_secs_f64(),
    );
    pool.close();
    pool.join()
}
