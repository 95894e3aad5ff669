//! An `Event` holds threads back until it is set: ten threads print
//! `start`, and only after the event is set do all ten print `execute`.
//!
//! Python original: seed 002, section "threading.Event": ten threads print
//! `start` and wait for the event; when it is set they print `execute`.
//! The original sets it when the user types `true`; here a `Timer` "types"
//! it after 300 ms, so no input is needed.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::time::Duration;

use poolrt::thread::{Event, Thread, Timer, join_non_daemon};

static EXECUTED: AtomicUsize = AtomicUsize::new(0);

fn do_(event: &Event) {
    println!("start");
    event.wait();
    println!("execute");
    EXECUTED.fetch_add(1, SeqCst);
}

fn main() {
    println!("Ten threads wait for an Event; nothing executes until it is set.\n");
    let event_obj = Arc::new(Event::new().unwrap());
    for _ in 0..10 {
        let event = event_obj.clone();
        Thread::new(move || do_(&event)).start().unwrap();
    }
    event_obj.clear();

    let typist = Timer::new(Duration::from_millis(300), {
        let event = event_obj.clone();
        move || {
            let inp = "true";
            println!(
                "input:{inp}  (threads that executed before the event was set: {})",
                EXECUTED.load(SeqCst)
            );
            if inp == "true" {
                event.set();
            }
        }
    });
    typist.start().unwrap();
    join_non_daemon();
    println!(
        "\nafter the event was set: {} threads executed",
        EXECUTED.load(SeqCst)
    );
}
