//! Without the `mpi` feature the crate is empty and its MPI tests are
//! skipped: run them with `cargo test -p pool-mpi --features mpi` (needs
//! `openmpi-bin libopenmpi-dev libclang-dev`).

#[cfg(not(feature = "mpi"))]
#[test]
fn mpi_tests_are_skipped_without_the_mpi_feature() {
    eprintln!(
        "pool-mpi: MPI tests skipped (feature `mpi` is off); \
         run `cargo test -p pool-mpi --features mpi`"
    );
}
