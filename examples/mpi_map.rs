//! A CPU-bound map across MPI ranks, printing its throughput: the MPI
//! counterpart of mpi4py's `MPIPoolExecutor().map(f, items)` (the Python
//! programs of the seeds stop at one machine; this is their next step).
//!
//! ```sh
//! # one machine: started by mpirun, the root plus one worker rank per core
//! cargo build --release --features mpi --example mpi_map
//! mpirun -n 3 target/release/examples/mpi_map
//! # started alone, it starts itself that way (mpirun -n 3 --oversubscribe)
//! cargo run --release --features mpi --example mpi_map
//! # a cluster: the root and one rank per node, each feeding a local pool
//! mpirun --hostfile hosts --map-by node -n 5 target/release/examples/mpi_map per-node
//! ```

use std::process::Command;
use std::time::Instant;

use poolrt::mpi::{Placement, Pool};

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

fn main() -> Result<(), poolrt::Error> {
    if std::env::var_os("OMPI_COMM_WORLD_SIZE").is_none() && std::env::var_os("PMI_RANK").is_none()
    {
        start_under_mpirun();
    }
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

/// Not started by mpirun: runs this program under `mpirun -n 3
/// --oversubscribe` (the root and two worker ranks) and exits with its
/// status.
fn start_under_mpirun() -> ! {
    let me = std::env::current_exe().expect("this program's path");
    println!(
        "not started by mpirun: running `mpirun -n 3 --oversubscribe {}`",
        me.display()
    );
    let status = Command::new("mpirun")
        .args(["-n", "3", "--oversubscribe"])
        .arg(&me)
        .args(std::env::args_os().skip(1))
        // Open MPI refuses to run as root without these.
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        .status();
    match status {
        Ok(status) => std::process::exit(status.code().unwrap_or(1)),
        Err(e) => {
            eprintln!("cannot start mpirun (apt-get install openmpi-bin): {e}");
            std::process::exit(1)
        }
    }
}
