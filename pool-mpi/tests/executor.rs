//! The MPI executor: `submit` returns pool-core's `TaskFuture`
//! (`result`, `as_completed`, done-callbacks), `map`, `shutdown`.

#![cfg(feature = "mpi")]

mod support;

#[test]
fn submit_returns_task_futures_and_map_streams() {
    support::assert_ok(&support::check("executor"), "executor");
}

#[test]
fn an_executor_that_started_one_link_still_ends_every_rank() {
    support::assert_ok(&support::check("executor_lazy"), "executor_lazy");
}
