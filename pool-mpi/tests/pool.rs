//! Every `Pool` method under `mpirun -n 3` (one root, two worker ranks,
//! one per core): apply, apply_async with callbacks on the root, map,
//! map_async, imap, imap_unordered, starmap, chunking, close/join; tasks
//! ran on the worker ranks, never on the root.

#![cfg(feature = "mpi")]

mod support;

#[test]
fn every_pool_method_runs_on_the_worker_ranks() {
    support::assert_ok(&support::check("pool"), "pool");
}

#[test]
fn the_per_node_placement_feeds_local_process_pools() {
    let stdout = support::assert_ok(&support::check("per_node"), "per_node");
    assert!(stdout.contains("under 2 ranks"), "{stdout}");
}

#[test]
fn terminate_fails_the_tasks_in_flight_and_join_returns() {
    support::assert_ok(&support::check("terminate"), "terminate");
}

#[test]
fn terminate_with_big_results_in_flight_still_ends_the_job() {
    support::assert_ok(&support::check("terminate_big"), "terminate_big");
}

#[test]
fn without_send_ahead_each_rank_has_one_link() {
    support::assert_ok(&support::check("send_ahead"), "send_ahead");
}

#[test]
fn send_ahead_over_its_limit_is_a_clear_error_and_the_job_ends() {
    let stdout = support::assert_ok(&support::check("send_ahead_limit"), "send_ahead_limit");
    assert!(
        stdout.contains("send_ahead(16) is over the limit of 15"),
        "{stdout}"
    );
}
