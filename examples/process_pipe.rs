//! A `Pipe` carries one message per `send`: two sends need two receives,
//! and a third receive waits (here, up to a timeout) until the other end is
//! closed.
//!
//! Python original: seed 004, the `Pipe` programs of "communication
//! between processes": `parent_conn, child_conn = Pipe()`, the child end
//! passed to the child process, which sends `[42, None, 'hello from
//! child1']`:
//!
//! 1. one send, one recv;
//! 2. two sends, one recv: only the first message is read;
//! 3. two sends, two recvs: "as many receives as the other end sends";
//! 4. two sends, three recvs: the third `recv` hangs the original forever;
//! 5. both ways: the child also receives `"data from parent_conn"`.
//!
//! The message `[42, None, 'hello ...']` is a tuple `(i32, Option<i32>,
//! String)` here. `conn.close()` is dropping the `Connection`.
//!
//! On 4: the original hangs because its parent still holds `child_conn`, so
//! the pipe never reaches end-of-file. In poolrt, once the child has
//! started the parent holds no copy of the child's end (it was moved into
//! the `Process`), so when the child ends `recv` reports the closed pipe
//! (Python's `EOFError`).
//! To show the original's situation the parent keeps a copy (`try_clone`) and
//! the third receive uses `recv_timeout`; dropping the copy then gives the
//! end-of-file.

use std::time::Duration;

use poolrt::process::{Connection, Pipe, Process};

type Message = (i32, Option<i32>, String);

fn show((n, none, text): Message) -> String {
    let none = none.map_or("None".to_owned(), |v| v.to_string());
    format!("[{n}, {none}, '{text}']")
}

fn f_once(conn: Connection) {
    conn.send(&(42, None::<i32>, "hello from child1")).unwrap(); // to parent_conn
    drop(conn); // conn.close(): close the end once done sending
}

fn f_twice(conn: Connection) {
    conn.send(&(42, None::<i32>, "hello from child1")).unwrap();
    conn.send(&(42, None::<i32>, "hello from child2")).unwrap(); // a second send
    drop(conn);
}

fn f_both_ways(conn: Connection) {
    conn.send(&(42, None::<i32>, "hello from child1")).unwrap();
    conn.send(&(42, None::<i32>, "hello from child2")).unwrap();
    println!("child received: {}", conn.recv::<String>().unwrap());
    drop(conn);
}

fn main() {
    println!("A Pipe between two processes: one message per send, in order.\n");
    println!("-- 1: one send, one recv");
    // A pipe: two ends, like two telephones on one line.
    let (parent_conn, child_conn) = Pipe(true).unwrap();
    let p = Process::new(f_once, (child_conn,)); // child_conn goes to the other side
    p.start().unwrap();
    println!("{}", show(parent_conn.recv().unwrap())); // parent_conn stays here, to receive
    p.join().unwrap();

    println!("\n-- 2: two sends, one recv");
    let (parent_conn, child_conn) = Pipe(true).unwrap();
    let p = Process::new(f_twice, (child_conn,));
    p.start().unwrap();
    println!("{}", show(parent_conn.recv().unwrap()));
    p.join().unwrap(); // this end received only one of the two messages

    println!("\n-- 3: two sends, two recvs");
    let (parent_conn, child_conn) = Pipe(true).unwrap();
    let p = Process::new(f_twice, (child_conn,));
    p.start().unwrap();
    println!("{}", show(parent_conn.recv().unwrap()));
    println!("{}", show(parent_conn.recv().unwrap())); // the second receive
    p.join().unwrap();

    println!("\n-- 4: two sends, three recvs");
    let (parent_conn, child_conn) = Pipe(true).unwrap();
    let kept = child_conn.try_clone().unwrap(); // the parent's copy, as in Python
    let p = Process::new(f_twice, (child_conn,));
    p.start().unwrap();
    println!("{}", show(parent_conn.recv().unwrap()));
    println!("{}", show(parent_conn.recv().unwrap()));
    p.join().unwrap();
    match parent_conn.recv_timeout::<Message>(Duration::from_millis(300)) {
        Ok(message) => println!("{}", show(message)),
        // The original is stuck here, unless the other end sends again.
        Err(error) => println!("third recv, after 0.3 s: {error} (the original hangs here)"),
    }
    drop(kept);
    match parent_conn.recv::<Message>() {
        Ok(message) => println!("{}", show(message)),
        Err(error) => println!("once the parent's copy is closed too: {error} (EOFError)"),
    }

    println!("\n-- 5: both ways");
    let (parent_conn, child_conn) = Pipe(true).unwrap();
    let p = Process::new(f_both_ways, (child_conn,));
    p.start().unwrap();
    println!("{}", show(parent_conn.recv().unwrap()));
    println!("{}", show(parent_conn.recv().unwrap()));
    parent_conn.send("data from parent_conn").unwrap();
    p.join().unwrap();
}
