//! Memory goes back after a large payload: the worker's resident set
//! returns to within a few MiB of its baseline after one further small
//! task (the mailbox region's pages are punched out and the reply buffer
//! is dropped), and the parent holds no copy of the payload at the end.

mod support;

use pool_process::Pool;
use support::memory::{mib, rss};
use support::worker_pid;

const MIB: usize = 1024 * 1024;
const PAYLOAD: usize = 64 * MIB;

fn length(bytes: Vec<u8>) -> usize {
    bytes.len()
}

fn filled(len: usize) -> Vec<u8> {
    vec![2u8; len]
}

#[test]
fn rss_returns_to_baseline_after_a_large_payload_each_way() {
    let pool = Pool::new(1).unwrap();
    let pid = pool.apply(worker_pid, ()).unwrap();
    assert_eq!(pool.pids(), vec![pid]);
    let pid = pid.to_string();
    let worker_baseline = rss(&pid);
    let parent_baseline = rss("self");

    // A large argument: the parent writes it into the region, the worker
    // reads and decodes it.
    assert_eq!(pool.apply(length, vec![1u8; PAYLOAD]).unwrap(), PAYLOAD);
    assert_eq!(pool.apply(worker_pid, ()).unwrap().to_string(), pid);
    let worker_after = rss(&pid);
    assert!(
        worker_after < worker_baseline + 16 * MIB,
        "after a {} argument the worker keeps {} (baseline {})",
        mib(PAYLOAD),
        mib(worker_after),
        mib(worker_baseline)
    );

    // A large reply: the worker encodes it into its reply buffer and the
    // region; the parent decodes it.
    let reply = pool.apply(filled, PAYLOAD).unwrap();
    assert_eq!(reply.len(), PAYLOAD);
    assert!(reply.iter().all(|&b| b == 2));
    drop(reply);
    assert_eq!(pool.apply(worker_pid, ()).unwrap().to_string(), pid);
    let worker_after = rss(&pid);
    assert!(
        worker_after < worker_baseline + 16 * MIB,
        "after a {} reply the worker keeps {} (baseline {})",
        mib(PAYLOAD),
        mib(worker_after),
        mib(worker_baseline)
    );

    let parent_after = rss("self");
    assert!(
        parent_after < parent_baseline + 2 * PAYLOAD,
        "the parent keeps {} (baseline {})",
        mib(parent_after),
        mib(parent_baseline)
    );
    eprintln!(
        "worker {} -> {}, parent {} -> {}",
        mib(worker_baseline),
        mib(worker_after),
        mib(parent_baseline),
        mib(parent_after)
    );
}
