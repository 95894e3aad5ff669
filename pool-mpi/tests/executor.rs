//! The MPI executor: `submit` returns pool-core's `TaskFuture`
//! (`result`, `as_completed`, done-callbacks), `map`, `shutdown`.

#![cfg(feature = "mpi")]

mod support;

#[test]
fn submit_returns_task_futures_and_map_streams() {
    support::assert_ok(&support::check("executor"), "executor");
}
