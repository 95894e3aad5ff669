//! poolrt leaves neither zombies nor orphans: an ended child is reaped at
//! once, even before `join`, and a child whose parent is killed dies with
//! it; the program checks both in `/proc`.
//!
//! Python originals: seed 000, §2 "two ways a child's resources are
//! reclaimed" and §2.1 "zombie and orphan processes", with seed 001's
//! "looking at a process's pid and ppid".
//!
//! 1. Seed 001: the child prints its pid and its parent's (`os.getppid()`
//!    is `std::os::unix::process::parent_id()`).
//! 2. Seed 000 §2: the main process ends its code while the child still
//!    runs; the child is reclaimed together with the main process, which
//!    waits for it (Python at exit, an explicit `join` here).
//! 3. Zombie: a child that has ended but was not reaped keeps its
//!    pid. poolrt reaps every child as soon as it ends, from a supervisor
//!    thread, so even before `join` is called no zombie is left: the pid
//!    is gone from `/proc`.
//! 4. Orphan: a child whose parent ends before it is adopted by
//!    init (or a subreaper) in Python. Here a middle process is killed
//!    while its own child runs; the program reports what happens to that
//!    grandchild. With poolrt every child gets the kernel's parent-death
//!    signal, so it dies with its parent instead of being orphaned.
//!
//! Sleeps are shortened: 10 s → 500 ms, 3 s → 150 ms.

use std::os::unix::process::parent_id;
use std::process;
use std::time::Duration;

use poolrt::process::{Process, Queue};

fn pid_task() {
    println!("{} is running,parent id is {}", process::id(), parent_id());
    std::thread::sleep(Duration::from_millis(200));
    println!("{} is done", process::id());
}

fn task() {
    println!("start....");
    std::thread::sleep(Duration::from_millis(500));
    println!("end...");
}

fn quick() {
    println!("child {} ends at once", process::id());
}

fn grandchild(pids: Queue<u32>) {
    pids.put(process::id()).unwrap();
    std::thread::sleep(Duration::from_millis(500));
}

fn middle(pids: Queue<u32>) {
    let g = Process::new(grandchild, (pids,));
    g.start().unwrap();
    g.join().unwrap();
}

/// The state letter and parent pid of `pid`, from `/proc/<pid>/stat`;
/// `None` once the pid is gone (reaped).
fn proc_state(pid: u32) -> Option<(char, u32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "pid (comm) S ppid ...": the command may hold spaces, so skip past ')'.
    let mut fields = stat[stat.rfind(')')? + 1..].split_whitespace();
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    Some((state, ppid))
}

fn main() {
    println!("No zombie and no orphan: children are reaped at once and die with their parent.\n");
    println!("-- seed 001: pid and ppid");
    let p = Process::new(pid_task, ());
    p.start().unwrap();
    println!("main: pid {}, parent {}", process::id(), parent_id());
    p.join().unwrap();

    println!("\n-- seed 000 §2: the main code ends first, the child is still reclaimed");
    let obj = Process::new(task, ());
    obj.start().unwrap();
    println!("main process");
    std::thread::sleep(Duration::from_millis(150));
    println!("main program code ends");
    obj.join().unwrap(); // Python waits here for non-daemon children at exit

    println!("\n-- §2.1 zombie: an ended child that nobody has joined yet");
    let p = Process::new(quick, ());
    p.start().unwrap();
    let pid = p.pid().unwrap();
    while p.is_alive() {
        std::thread::sleep(Duration::from_millis(5));
    }
    match proc_state(pid) {
        None => println!("pid {pid} is already reaped before join: no zombie"),
        Some((state, _)) => println!("pid {pid} is still in the process table, state {state}"),
    }
    p.join().unwrap();

    println!("\n-- §2.1 orphan: the parent dies while its child runs");
    let pids = Queue::new(0).unwrap();
    let m = Process::builder()
        .name("middle")
        .target(middle, (pids.clone(),));
    m.start().unwrap();
    let g = pids.get().unwrap();
    println!(
        "middle {} runs grandchild {g} (its parent: {:?})",
        m.pid().unwrap(),
        proc_state(g).map(|(_, ppid)| ppid)
    );
    m.kill().unwrap(); // the parent dies abruptly
    let _ = m.join();
    println!("middle killed, exitcode {:?}", m.exitcode());
    // The kernel re-parents the grandchild first, then signals it: give it
    // a moment (it sleeps 500 ms, so it is still running if orphaned).
    std::thread::sleep(Duration::from_millis(100));
    match proc_state(g) {
        None | Some(('Z', _)) => {
            println!("grandchild {g} died with its parent: no orphan left running")
        }
        Some((_, ppid)) => println!("grandchild {g} is an orphan, adopted by pid {ppid}"),
    }
}
