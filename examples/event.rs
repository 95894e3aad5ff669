//! Port of seed 002 (`002_8c066e6e45607155.txt`), section
//! "threading.Event": ten threads print `start` and wait for the event;
//! when it is set they print `execute`. The seed sets it when the user types
//! `true`; here a `Timer` types it after 300 ms, so no input is needed.

use std::sync::Arc;
use std::time::Duration;

use poolrt::thread::{Event, Thread, Timer, join_non_daemon};

fn do_(event: &Event) {
    println!("start");
    event.wait();
    println!("execute");
}

fn main() {
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
            println!("input:{inp}");
            if inp == "true" {
                event.set();
            }
        }
    });
    typist.start().unwrap();
    join_non_daemon();
}
