//! The same map across two "machines": two network namespaces joined by a
//! veth pair, `tests/support/netns-agent` standing in for ssh, so the MPI
//! traffic (and Open MPI's own) really crosses a network interface. Ranks
//! 0 and 1 run in the first namespace, rank 2 in the second; the tasks
//! report their namespace, and both worker ranks ran some.
//!
//! Needs root (CI runs as root) and `ip` (iproute2); skipped, saying so,
//! without them.

#![cfg(feature = "mpi")]

use std::collections::BTreeSet;
use std::process::Command;

mod support;

/// Two namespaces and the veth pair between them, deleted on drop (also
/// when the test fails).
struct Namespaces {
    names: [String; 2],
}

impl Namespaces {
    /// Creates them; `None` when this process may not (not root).
    fn create() -> Option<Namespaces> {
        let id = std::process::id() % 100_000;
        let names = [format!("pmpa{id}"), format!("pmpb{id}")];
        let (va, vb) = (format!("pmva{id}"), format!("pmvb{id}"));
        let first = Command::new("ip")
            .args(["netns", "add", &names[0]])
            .output();
        match first {
            Ok(out) if out.status.success() => {}
            Ok(out) => {
                eprintln!(
                    "netns test skipped: cannot create a network namespace (root needed): {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                return None;
            }
            Err(e) => {
                eprintln!("netns test skipped: no `ip` command (iproute2): {e}");
                return None;
            }
        }
        let namespaces = Namespaces { names };
        let [a, b] = &namespaces.names;
        let steps: [&[&str]; 10] = [
            &["netns", "add", b],
            &["link", "add", &va, "type", "veth", "peer", "name", &vb],
            &["link", "set", &va, "netns", a],
            &["link", "set", &vb, "netns", b],
            &["-n", a, "addr", "add", "10.77.0.1/24", "dev", &va],
            &["-n", b, "addr", "add", "10.77.0.2/24", "dev", &vb],
            &["-n", a, "link", "set", "lo", "up"],
            &["-n", b, "link", "set", "lo", "up"],
            &["-n", a, "link", "set", &va, "up"],
            &["-n", b, "link", "set", &vb, "up"],
        ];
        for step in steps {
            let out = Command::new("ip").args(step).output().unwrap();
            assert!(
                out.status.success(),
                "ip {step:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Some(namespaces)
    }
}

impl Drop for Namespaces {
    fn drop(&mut self) {
        // Deleting a namespace deletes its end of the veth pair, and so
        // the pair.
        for name in &self.names {
            let _ = Command::new("ip").args(["netns", "del", name]).output();
        }
    }
}

#[test]
fn a_map_runs_on_ranks_in_two_network_namespaces() {
    let Some(namespaces) = Namespaces::create() else {
        return;
    };
    let [a, b] = &namespaces.names;
    let agent = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/netns-agent");
    let hosts = format!("{a}:2,{b}:2");
    let output = support::mpirun_via(
        &["ip", "netns", "exec", a],
        &[
            "--mca",
            "plm_rsh_agent",
            agent,
            "--mca",
            "btl",
            "tcp,self",
            "--mca",
            "btl_tcp_if_include",
            "10.77.0.0/24",
            "--mca",
            "oob_tcp_if_include",
            "10.77.0.0/24",
            "--host",
            &hosts,
            "-n",
            "3",
            support::CHECK,
            "netns",
        ],
    );
    let stdout = support::assert_ok(&output, "netns");
    let root = stdout
        .lines()
        .find_map(|l| l.strip_prefix("root netns "))
        .expect("the root's namespace");
    let tasks: BTreeSet<&str> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("task netns "))
        .collect();
    assert_eq!(tasks.len(), 2, "tasks ran in both namespaces: {stdout}");
    assert!(
        tasks.contains(root),
        "rank 1 shares the root's namespace: {stdout}"
    );
}
