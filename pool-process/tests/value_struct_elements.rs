//! Elements that are the user's own `#[repr(C)]` plain-data structs, as
//! Python's `Array(MyStructure, ...)` of a `ctypes.Structure`: checked by
//! bytemuck's `Pod`, shared with children, read and written whole under
//! the lock, by field through a copy (Python's `a[i].x = ...` writes in
//! place; here `let mut p = g.get(i); p.x = ...; g.set(i, p)`).

mod support;

use bytemuck::{Pod, Zeroable};
use pool_process::{Array, Process, RawArray, Value};
use support::BOUND;

#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
#[repr(C)]
struct Particle {
    x: f64,
    y: f64,
    hits: u32,
    id: u16,
    flags: u16,
}

fn step(a: Array<Particle>, dt: f64) {
    let g = a.get_lock();
    for i in 0..g.len() {
        let mut p = g.get(i);
        p.x += dt;
        p.y -= dt;
        p.hits += 1;
        g.set(i, p);
    }
}

#[test]
fn children_update_an_array_of_structs() {
    let particles: Vec<Particle> = (0..5)
        .map(|i| Particle {
            id: i,
            x: f64::from(i),
            ..Particle::default()
        })
        .collect();
    let a = Array::new(particles).unwrap();
    let children: Vec<Process> = (0..4)
        .map(|_| {
            let p = Process::new(step, (a.clone(), 0.5));
            p.start().unwrap();
            p
        })
        .collect();
    for p in &children {
        assert!(p.join_timeout(BOUND).unwrap());
        assert_eq!(p.exitcode(), Some(0));
    }
    for (i, p) in a.to_vec().into_iter().enumerate() {
        let expected = Particle {
            x: i as f64 + 2.0,
            y: -2.0,
            hits: 4,
            id: i as u16,
            flags: 0,
        };
        assert_eq!(p, expected);
    }
}

/// Updates only the structs `i` with `i % 2 == parity`: no lock needed.
fn bump_hits(a: RawArray<Particle>, parity: usize) {
    for i in (parity..a.len()).step_by(2) {
        let mut p = a.get(i).unwrap();
        p.hits += 10;
        p.id = i as u16;
        a.set(i, p).unwrap();
    }
}

#[test]
fn children_update_their_own_structs_of_a_raw_array() {
    let a = RawArray::<Particle>::zeroed(9).unwrap();
    let children: Vec<Process> = (0..2)
        .map(|parity| {
            let p = Process::new(bump_hits, (a.clone(), parity));
            p.start().unwrap();
            p
        })
        .collect();
    for p in &children {
        assert!(p.join_timeout(BOUND).unwrap());
        assert_eq!(p.exitcode(), Some(0));
    }
    for (i, p) in a.to_vec().into_iter().enumerate() {
        assert_eq!((p.hits, usize::from(p.id)), (10, i));
    }
}

fn move_to(v: Value<Particle>) {
    v.set(Particle {
        x: 1.0,
        y: 2.0,
        hits: 3,
        id: 4,
        flags: 5,
    });
}

#[test]
fn a_value_holds_a_struct() {
    let v = Value::new(Particle::default()).unwrap();
    let p = Process::new(move_to, (v.clone(),));
    p.start().unwrap();
    assert!(p.join_timeout(BOUND).unwrap());
    assert_eq!(v.get().flags, 5);
    assert_eq!(v.get().x, 1.0);
}
