//! A different build that speaks the same start-up protocol: started on
//! one rank with mpirun's MPMD syntax, it must be refused by the root
//! before any task reaches it.

fn cube(x: u64) -> u64 {
    x * x * x
}

fn main() {
    // On a worker rank this serves (or, refused, exits); it never returns.
    match pool_mpi::Pool::new() {
        Ok(pool) => println!("other build as root: {:?}", pool.map(cube, 0..3)),
        Err(error) => println!("error: {error}"),
    }
}
