//! Large results that the worker lends: the parent reads them straight
//! out of the worker's memory (`sys/lend.rs`), one copy in all. The same
//! checks as `lent_results_off.rs`, where the region carries them.

mod support;

use support::large_results as check;

#[test]
fn every_bulk_type_crosses_intact() {
    check::every_bulk_type_crosses_intact();
}

#[test]
fn executor_results_cross_intact() {
    check::executor_results_cross_intact();
}

#[test]
fn a_large_chunk_reply_decodes() {
    check::a_large_chunk_reply_decodes();
}

#[test]
fn the_worker_frees_a_large_result_by_itself() {
    check::the_worker_frees_a_large_result_by_itself();
}
