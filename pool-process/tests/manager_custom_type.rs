//! A type registered with a manager (Python's `BaseManager.register`):
//! made by name, called through its proxy from a `Process` and a `Pool`
//! task, with blocking commands that wait without holding the object; a
//! wrong type or an unknown name is an error naming it.

use std::time::Duration;

use pool_core::ErrorKind;
use pool_process::managers::{Caller, Handled, Proxy, Shared};
use pool_process::{Manager, Pool, Process};
use serde::{Deserialize, Serialize};

/// A counter that can be waited on until it reaches a value.
struct Counter(i64);

#[derive(Serialize, Deserialize)]
enum Op {
    Add(i64),
    Get,
    WaitFor(i64),
}

impl Shared for Counter {
    type Command = Op;
    type Reply = i64;

    fn handle(&mut self, op: Op, _: Caller) -> Handled<i64> {
        match op {
            Op::Add(n) => self.0 += n,
            Op::Get => {}
            Op::WaitFor(n) if self.0 < n => return Handled::Wait,
            Op::WaitFor(_) => {}
        }
        Handled::Done(self.0)
    }
}

struct Other;

impl Shared for Other {
    type Command = ();
    type Reply = ();

    fn handle(&mut self, (): (), _: Caller) -> Handled<()> {
        Handled::Done(())
    }
}

fn add(counter: Proxy<Counter>, n: i64) {
    counter.call(Op::Add(n)).unwrap();
}

fn manager() -> Manager {
    Manager::builder()
        .register("Counter", Counter)
        .register("Other", |(): ()| Other)
        .start()
        .unwrap()
}

#[test]
fn a_registered_type_works_from_a_process_and_a_pool_task() {
    let m = manager();
    let counter = m.create::<Counter, _>("Counter", &100i64).unwrap();
    let p = Process::new(add, (counter.clone(), 1));
    p.start().unwrap();
    p.join().unwrap();
    let pool = Pool::new(2).unwrap();
    let results: Vec<_> = (0..10)
        .map(|_| pool.apply_async(add_pair, (counter.clone(), 2)).unwrap())
        .collect();
    for r in results {
        r.get().unwrap();
    }
    assert_eq!(counter.call(Op::Get).unwrap(), 121);
    assert_eq!(
        counter
            .call_timeout(Op::WaitFor(121), Duration::from_secs(30))
            .unwrap(),
        121
    );
    let waited = counter.call_timeout(Op::WaitFor(1_000), Duration::from_millis(20));
    assert!(waited.unwrap_err().is_timeout());
}

fn add_pair((counter, n): (Proxy<Counter>, i64)) -> i64 {
    counter.call(Op::Add(n)).unwrap()
}

#[test]
fn a_blocked_command_waits_for_a_change_from_another_process() {
    let m = manager();
    let counter = m.create::<Counter, _>("Counter", &0i64).unwrap();
    let p = Process::new(add, (counter.clone(), 5));
    let waiter = {
        let counter = counter.clone();
        std::thread::spawn(move || counter.call_timeout(Op::WaitFor(5), Duration::from_secs(30)))
    };
    p.start().unwrap();
    p.join().unwrap();
    assert_eq!(waiter.join().unwrap().unwrap(), 5);
}

#[test]
fn wrong_types_and_unknown_names_are_errors_naming_them() {
    let m = manager();
    let wrong = m.create::<Other, _>("Counter", &1i64).unwrap_err();
    assert_eq!(wrong.kind(), ErrorKind::Deserialize);
    assert!(wrong.to_string().contains("Counter"), "{wrong}");
    let unknown = m.create::<Counter, _>("Nope", &1i64).unwrap_err();
    assert_eq!(unknown.kind(), ErrorKind::UnknownFunction);
    assert!(unknown.to_string().contains("Nope"), "{unknown}");
    let bad_args = m.create::<Counter, _>("Counter", &()).unwrap_err();
    assert_eq!(bad_args.kind(), ErrorKind::Deserialize, "{bad_args}");
}
