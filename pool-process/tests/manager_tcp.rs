//! A manager served over TCP by one program and used by two others, all
//! three child processes of the test (the test binary run again in a
//! role): the clients `connect()` with the address and key, find the
//! same named dict and list, and the test shuts the server down, which
//! ends its `serve_forever`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use pool_process::Manager;
use pool_test_support::{BOUND, output_within};

const KEY: &[u8] = b"tcp test key";
const ROLE: &str = "POOLRT_TEST_MANAGER_ROLE";
const ADDRESS: &str = "POOLRT_TEST_MANAGER_ADDRESS";
const ME: &str = "POOLRT_TEST_MANAGER_ME";
const ADDS: u32 = 200;

fn program(role: &str) -> Command {
    let mut command = Command::new(std::env::current_exe().unwrap());
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
            let manager = Manager::builder()
                .address("127.0.0.1:0")
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
        _ => {}
    }
}

#[test]
fn two_programs_share_objects_through_a_manager_a_third_serves_over_tcp() {
    let mut server = program("server").spawn().unwrap();
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
            program("client")
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
    let manager = Manager::connect(address.as_str(), KEY).unwrap();
    let scores = manager.dict_named::<u32, u32>("scores").unwrap();
    assert_eq!(scores.len().unwrap(), 2 * ADDS as usize);
    assert_eq!(scores.get(&2_005).unwrap(), Some(5));
    let log = manager.list_named::<u32>("log", []).unwrap();
    assert_eq!(log.count(&1).unwrap(), ADDS as usize);
    assert_eq!(log.count(&2).unwrap(), ADDS as usize);
    manager.shutdown();
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
    // The same programs across a network namespace pair need
    // privileges this test does not assume.
    eprintln!("skipped: the network-namespace variant (needs CAP_NET_ADMIN to create a veth pair)");
}
