//! A manager served over TCP by one program and used by two others, all
//! three child processes of the test (the test binary run again in a
//! role): the clients `connect()` with the address and key, find the
//! same named dict and list, and a third client checks them and shuts
//! the server down, which ends its `serve_forever`. The same programs run
//! again with the server in one network namespace and the clients in
//! another, joined by a veth pair, when the test may create them (it
//! says it skipped otherwise).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use pool_process::Manager;
use pool_test_support::{BOUND, output_within};

const KEY: &[u8] = b"tcp test key";
const ROLE: &str = "POOLRT_TEST_MANAGER_ROLE";
const ADDRESS: &str = "POOLRT_TEST_MANAGER_ADDRESS";
const ME: &str = "POOLRT_TEST_MANAGER_ME";
const BIND: &str = "POOLRT_TEST_MANAGER_BIND";
const ADDS: u32 = 200;

/// The test binary run again as `role`, inside the network namespace
/// `netns` if given.
fn program(role: &str, netns: Option<&str>) -> Command {
    let exe = std::env::current_exe().unwrap();
    let mut command = match netns {
        Some(ns) => {
            let mut c = Command::new("ip");
            c.args(["netns", "exec", ns]).arg(exe);
            c
        }
        None => Command::new(exe),
    };
    command
        .args(["role_program", "--exact", "--nocapture", "--test-threads=1"])
        .env(ROLE, role)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// The body of the server and client programs; a no-op in a plain run.
#[test]
fn role_program() {
    match std::env::var(ROLE).as_deref() {
        Ok("server") => {
            let bind = std::env::var(BIND).unwrap_or_else(|_| "127.0.0.1:0".to_owned());
            let manager = Manager::builder()
                .address(bind.as_str())
                .authkey(KEY)
                .start()
                .unwrap();
            println!("ADDRESS {}", manager.address());
            manager.serve_forever().unwrap();
            println!("SERVED");
        }
        Ok("client") => {
            let me: u32 = std::env::var(ME).unwrap().parse().unwrap();
            let address = std::env::var(ADDRESS).unwrap();
            let manager = Manager::connect(address.as_str(), KEY).unwrap();
            let scores = manager.dict_named::<u32, u32>("scores").unwrap();
            let log = manager.list_named::<u32>("log", []).unwrap();
            for i in 0..ADDS {
                scores.insert(me * 1000 + i, i).unwrap();
                log.append(me).unwrap();
            }
        }
        Ok("verify") => {
            let address = std::env::var(ADDRESS).unwrap();
            let manager = Manager::connect(address.as_str(), KEY).unwrap();
            let scores = manager.dict_named::<u32, u32>("scores").unwrap();
            assert_eq!(scores.len().unwrap(), 2 * ADDS as usize);
            assert_eq!(scores.get(&2_005).unwrap(), Some(5));
            let log = manager.list_named::<u32>("log", []).unwrap();
            assert_eq!(log.count(&1).unwrap(), ADDS as usize);
            assert_eq!(log.count(&2).unwrap(), ADDS as usize);
            manager.shutdown();
        }
        _ => {}
    }
}

/// Runs the server (in `server_ns`, bound to `bind`), two clients and
/// the checker (in `client_ns`); asserts each succeeded.
fn run_programs(bind: &str, server_ns: Option<&str>, client_ns: Option<&str>) {
    let mut server = program("server", server_ns)
        .env(BIND, bind)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let address = loop {
        let line = lines
            .next()
            .expect("the server printed its address")
            .unwrap();
        // libtest prints "test role_program ... " on the same line.
        if let Some((_, address)) = line.split_once("ADDRESS ") {
            break address.trim().to_owned();
        }
    };
    let clients: Vec<_> = (1..=2)
        .map(|me| {
            program("client", client_ns)
                .env(ADDRESS, &address)
                .env(ME, me.to_string())
                .spawn()
                .unwrap()
        })
        .collect();
    for client in clients {
        let out = output_within(client, BOUND, "a client program");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let verify = program("verify", client_ns)
        .env(ADDRESS, &address)
        .spawn()
        .unwrap();
    let out = output_within(verify, BOUND, "the checking program");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let out = output_within(server, BOUND, "the server program");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        rest.iter().any(|l| l.contains("SERVED")),
        "serve_forever returned: {rest:?}"
    );
}

#[test]
fn two_programs_share_objects_through_a_manager_a_third_serves_over_tcp() {
    run_programs("127.0.0.1:0", None, None);
}

/// Two network namespaces joined by a veth pair; deleted on drop.
struct NamespacePair {
    names: [String; 2],
}

impl NamespacePair {
    /// `None` (and why) when this process may not create them.
    fn create(subnet: u8) -> Result<NamespacePair, String> {
        let id = std::process::id();
        let pair = NamespacePair {
            names: [format!("poolrt-a-{id}"), format!("poolrt-b-{id}")],
        };
        let [a, b] = &pair.names;
        let (va, vb) = (format!("pra{id}"), format!("prb{id}"));
        let (ip_a, ip_b) = (
            format!("10.254.{subnet}.1/24"),
            format!("10.254.{subnet}.2/24"),
        );
        let steps: [&[&str]; 9] = [
            &["netns", "add", a],
            &["netns", "add", b],
            &[
                "link", "add", &va, "netns", a, "type", "veth", "peer", "name", &vb, "netns", b,
            ],
            &["-n", a, "addr", "add", &ip_a, "dev", &va],
            &["-n", b, "addr", "add", &ip_b, "dev", &vb],
            &["-n", a, "link", "set", &va, "up"],
            &["-n", b, "link", "set", &vb, "up"],
            &["-n", a, "link", "set", "lo", "up"],
            &["-n", b, "link", "set", "lo", "up"],
        ];
        for step in steps {
            let out = Command::new("ip")
                .args(step)
                .output()
                .map_err(|e| format!("no `ip` command: {e}"))?;
            if !out.status.success() {
                return Err(format!(
                    "`ip {}` failed: {}",
                    step.join(" "),
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
        }
        Ok(pair)
    }
}

impl Drop for NamespacePair {
    fn drop(&mut self) {
        for name in &self.names {
            let _ = Command::new("ip").args(["netns", "del", name]).output();
        }
    }
}

#[test]
fn the_same_programs_across_a_network_namespace_pair() {
    let subnet = (std::process::id() % 250) as u8;
    let pair = match NamespacePair::create(subnet) {
        Ok(pair) => pair,
        Err(why) => {
            eprintln!("skipped: cannot create a network namespace pair ({why})");
            return;
        }
    };
    run_programs(
        &format!("10.254.{subnet}.1:0"),
        Some(&pair.names[0]),
        Some(&pair.names[1]),
    );
}
