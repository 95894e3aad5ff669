//! poolrt's `Listener` and `Client` against CPython's own
//! `multiprocessing.connection` (the `python3` on the path, 3.11 here):
//! the framing and the authkey challenge are CPython's, so either side
//! can be Python. CPython 3.11 speaks the legacy HMAC-MD5 challenge,
//! which poolrt answers and accepts as CPython 3.12 does. Skipped, with
//! a note, where there is no `python3`.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use pool_process::connection::{Address, AuthenticationError, Client, Listener};
use pool_test_support::output_within;
use support::BOUND;

const KEY: &[u8] = b"shared between poolrt and CPython";

/// Runs `script`; a `quiet` one's stderr (an expected traceback) is
/// dropped.
fn python(script: &str, args: &[&str], quiet: bool) -> Option<Child> {
    let stderr = if quiet {
        Stdio::null()
    } else {
        Stdio::inherit()
    };
    match Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
    {
        Ok(child) => Some(child),
        Err(e) => {
            eprintln!("skipped: no python3 ({e})");
            None
        }
    }
}

/// Waits for `child` to exit, within [`BOUND`]; its exit code.
fn finish(child: Child) -> i32 {
    output_within(child, BOUND, "python3")
        .status
        .code()
        .unwrap_or(-1)
}

const PY_CLIENT: &str = r#"
import sys
from multiprocessing.connection import Client
address = sys.argv[1]
if ':' in address and not address.startswith('/'):
    host, port = address.rsplit(':', 1)
    address = (host, int(port))
c = Client(address, authkey=sys.argv[2].encode())
c.send_bytes(b"from python " + sys.version.split()[0].encode())
data = c.recv_bytes(256)
c.send_bytes(data[::-1])
c.close()
"#;

fn serve_cpython(listener: &Listener, address: &str) {
    let Some(child) = python(
        PY_CLIENT,
        &[address, std::str::from_utf8(KEY).unwrap()],
        false,
    ) else {
        return;
    };
    let conn = listener.accept_timeout(BOUND).unwrap();
    let hello = conn.recv_bytes_timeout(None, BOUND).unwrap();
    assert!(hello.starts_with(b"from python 3."), "{hello:?}");
    conn.send_bytes(b"poolrt", 0, None).unwrap();
    assert_eq!(conn.recv_bytes_timeout(None, BOUND).unwrap(), b"trloop");
    assert_eq!(finish(child), 0);
}

#[test]
fn a_cpython_client_with_the_key_talks_to_a_poolrt_listener() {
    let listener = Listener::builder()
        .authkey(KEY)
        .bind("127.0.0.1:0")
        .unwrap();
    let address = listener.address().to_string();
    serve_cpython(&listener, &address);
    let path = std::env::temp_dir().join(format!("poolrt-cpython-{}.sock", std::process::id()));
    let listener = Listener::builder()
        .authkey(KEY)
        .bind(path.as_path())
        .unwrap();
    serve_cpython(&listener, path.to_str().unwrap());
}

#[test]
fn a_cpython_client_with_a_wrong_key_is_refused() {
    let listener = Listener::builder()
        .authkey(KEY)
        .bind("127.0.0.1:0")
        .unwrap();
    let address = listener.address().to_string();
    let Some(child) = python(PY_CLIENT, &[&address, "wrong"], true) else {
        return;
    };
    let refused = listener.accept_timeout(BOUND).unwrap_err();
    let why = AuthenticationError::of(&refused).expect("an AuthenticationError");
    assert_eq!(why.reason(), "digest received was wrong");
    // CPython raises AuthenticationError('digest sent was rejected').
    assert_eq!(finish(child), 1);
}

const PY_LISTENER: &str = r#"
import sys
from multiprocessing.connection import Listener
from multiprocessing import AuthenticationError
with Listener(('127.0.0.1', 0), authkey=sys.argv[1].encode()) as listener:
    print(listener.address[1], flush=True)
    try:
        with listener.accept() as conn:
            conn.send_bytes(conn.recv_bytes().upper())
            print("served", flush=True)
    except AuthenticationError as e:
        print("refused:", e, flush=True)
"#;

fn cpython_listener(key: &str) -> Option<(Child, Address, impl Iterator<Item = String>)> {
    let mut child = python(PY_LISTENER, &[key], false)?;
    let mut lines = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map(|line| line.unwrap());
    let port: u16 = lines.next().expect("the port").parse().unwrap();
    Some((child, Address::from(format!("127.0.0.1:{port}")), lines))
}

#[test]
fn a_poolrt_client_with_the_key_talks_to_a_cpython_listener() {
    let Some((child, address, mut lines)) = cpython_listener(std::str::from_utf8(KEY).unwrap())
    else {
        return;
    };
    let conn = Client::new()
        .authkey(KEY)
        .connect_timeout(address, BOUND)
        .unwrap();
    conn.send_bytes(b"shout", 0, None).unwrap();
    assert_eq!(conn.recv_bytes_timeout(None, BOUND).unwrap(), b"SHOUT");
    assert_eq!(lines.next().as_deref(), Some("served"));
    assert_eq!(finish(child), 0);
}

#[test]
fn a_poolrt_client_with_a_wrong_key_is_refused_by_cpython() {
    let Some((child, address, mut lines)) = cpython_listener("another key") else {
        return;
    };
    let refused = Client::new()
        .authkey(KEY)
        .connect_timeout(address, BOUND)
        .unwrap_err();
    let why = AuthenticationError::of(&refused).expect("an AuthenticationError");
    assert_eq!(why.reason(), "digest sent was rejected");
    assert_eq!(
        lines.next().as_deref(),
        Some("refused: digest received was wrong")
    );
    assert_eq!(finish(child), 0);
}
