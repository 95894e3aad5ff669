//! Port of the `multiprocessing.connection` example of Python's
//! documentation ("Listeners and Clients"): two separate programs, a
//! server and a client, talking through a `Listener`/`Client` pair with an
//! authkey.
//!
//! ```python
//! # server
//! with Listener(address, authkey=b'secret password') as listener:
//!     with listener.accept() as conn:
//!         print('connection accepted from', listener.last_accepted)
//!         conn.send([2.25, None, 'junk', float])
//!         conn.send_bytes(b'hello')
//!         conn.send_bytes(array('i', [42, 1729]))
//! # client
//! with Client(address, authkey=b'secret password') as conn:
//!     print(conn.recv())                  # => [2.25, None, 'junk', float]
//!     print(conn.recv_bytes())            # => 'hello'
//!     arr = array('i', [0, 0, 0, 0, 0])
//!     print(conn.recv_bytes_into(arr))    # => 8
//!     print(arr)                          # => array('i', [42, 1729, 0, 0, 0])
//! ```
//!
//! Run it as `cargo run --release --example listener_client`: the server
//! listens on a free TCP port of 127.0.0.1 (Python's `('localhost',
//! 6000)`) and starts this same binary twice as a separate program, with
//! `client <address>` on its command line and the key in its
//! environment: once with the right key, which gets the messages, and
//! once with a wrong one, which both sides refuse before any message is
//! read. `float` (a Python type object) has no counterpart: the list is
//! `(f64, Option<i32>, String)`, and the `array('i')` is `i32`s in native
//! byte order, as Python's.

use std::process::Command;
use std::time::Duration;

use poolrt::process::connection::{AuthenticationError, Client, Listener};

const KEY_VARIABLE: &str = "LISTENER_CLIENT_AUTHKEY";
const BOUND: Duration = Duration::from_secs(30);

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("client") => client(&args[2]),
        _ => server(),
    }
}

fn server() {
    println!("A Listener and a Client in two separate programs, authenticated with an authkey");
    let listener = Listener::builder()
        .authkey(b"secret password")
        .bind("127.0.0.1:0")
        .expect("listen on 127.0.0.1");
    let address = listener.address().to_string();
    println!("server: listening on {address}");

    // The client, a separate program: this binary again.
    let start_client = |key: &str| {
        Command::new(std::env::current_exe().expect("this program's path"))
            .args(["client", &address])
            .env(KEY_VARIABLE, key)
            .spawn()
            .expect("start the client program")
    };

    let mut intruder = start_client("guessed password");
    match listener.accept_timeout(BOUND) {
        Ok(_) => panic!("a wrong key was accepted"),
        Err(e) => match AuthenticationError::of(&e) {
            Some(why) => println!("server: refused a client: {why}"),
            None => panic!("accept failed: {e}"),
        },
    }
    assert!(intruder.wait().expect("wait for the client").success());

    let mut client = start_client("secret password");
    let conn = listener.accept_timeout(BOUND).expect("accept the client");
    println!(
        "server: connection accepted from {}",
        listener.last_accepted().expect("a peer")
    );
    conn.send(&(2.25f64, None::<i32>, "junk")).unwrap();
    conn.send_bytes(b"hello", 0, None).unwrap();
    let array: Vec<u8> = [42i32, 1729].iter().flat_map(|n| n.to_ne_bytes()).collect();
    conn.send_bytes(&array, 0, None).unwrap();
    conn.close();
    assert!(client.wait().expect("wait for the client").success());
    listener.close();
    println!("server: done");
}

fn client(address: &str) {
    let key = std::env::var(KEY_VARIABLE).expect("the key in the environment");
    let conn = match Client::new()
        .authkey(key.as_bytes())
        .connect_timeout(address, BOUND)
    {
        Ok(conn) => conn,
        Err(e) => {
            // multiprocessing.AuthenticationError: digest sent was rejected
            let why = AuthenticationError::of(&e).expect("an authentication failure");
            println!(
                "client {}: refused by the server: {why}",
                std::process::id()
            );
            return;
        }
    };
    let (x, none, junk): (f64, Option<i32>, String) = conn.recv_timeout(BOUND).unwrap();
    println!("client: [{x}, {none:?}, {junk:?}]");
    let hello = conn.recv_bytes_timeout(None, BOUND).unwrap();
    println!("client: {:?}", String::from_utf8_lossy(&hello));
    let mut arr = [0u8; 5 * 4];
    let n = conn.recv_bytes_into_timeout(&mut arr, 0, BOUND).unwrap();
    let ints: Vec<i32> = arr
        .chunks(4)
        .map(|c| i32::from_ne_bytes(c.try_into().unwrap()))
        .collect();
    println!("client: recv_bytes_into gave {n} bytes: array('i', {ints:?})");
}
