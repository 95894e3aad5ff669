//! Large results without lending, as on a machine whose kernel does not
//! let a pool read its workers' memory (Yama's `ptrace_scope` 2, a seccomp
//! filter): the worker copies them into the shared region. The same
//! checks as `lent_results.rs`, but one: the region keeps a large reply's
//! pages until the next, smaller message (`large_payload_memory.rs`).
//! Lending is switched off for this whole test binary, before any pool
//! starts.

mod support;

use std::sync::Once;

use support::large_results as check;

fn lending_off() {
    static OFF: Once = Once::new();
    OFF.call_once(pool_process::fault_disable_lending);
}

#[test]
fn every_bulk_type_crosses_intact() {
    lending_off();
    check::every_bulk_type_crosses_intact();
}

#[test]
fn executor_results_cross_intact() {
    lending_off();
    check::executor_results_cross_intact();
}

#[test]
fn a_large_chunk_reply_decodes() {
    lending_off();
    check::a_large_chunk_reply_decodes();
}
