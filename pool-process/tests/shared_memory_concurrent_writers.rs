//! Two processes write disjoint parts of one block at the same time and
//! neither disturbs the other, even where their parts share an 8-byte
//! word: what CPython's `shm.buf[a:b] = ...` gives, since each byte is
//! stored on its own.

mod shared_memory_support;

use pool_process::{Barrier, Process, SharedMemory};
use shared_memory_support::BOUND;

/// The block's size: the halves meet in the middle of a word.
const SIZE: usize = 64 * 1024 + 13;
/// Words whose halves the two interleaved writers share.
const WORDS: usize = 1 << 17;
/// Rounds each writer makes.
const ROUNDS: u8 = 50;

/// In a child: after the barrier, rewrites its half `ROUNDS` times, the
/// last time with `ROUNDS`.
fn write_half(shm: SharedMemory, barrier: Barrier, first: bool) {
    let (start, end) = if first {
        (0, SIZE / 2)
    } else {
        (SIZE / 2, SIZE)
    };
    barrier.wait_timeout(BOUND).unwrap();
    for round in 1..=ROUNDS {
        shm.fill(start, end - start, round).unwrap();
    }
}

/// In a child: after the barrier, fills one half of every word, word
/// after word, so the two children keep writing into the same words at
/// the same time.
fn write_half_words(shm: SharedMemory, barrier: Barrier, high: bool) {
    let (within, mark) = if high { (4, [0xB0; 4]) } else { (0, [0xA0; 4]) };
    barrier.wait_timeout(BOUND).unwrap();
    for word in 0..WORDS {
        shm.write_at(word * 8 + within, &mark).unwrap();
    }
}

#[test]
fn writers_of_two_halves_do_not_disturb_each_other() {
    let shm = SharedMemory::create(None, SIZE).unwrap();
    let barrier = Barrier::new(2).unwrap();
    let children: Vec<Process> = [true, false]
        .into_iter()
        .map(|first| {
            Process::new(
                write_half,
                (shm.clone_handle().unwrap(), barrier.clone(), first),
            )
        })
        .collect();
    for child in &children {
        child.start().unwrap();
    }
    for child in &children {
        assert!(child.join_timeout(BOUND).unwrap());
        assert_eq!(child.exitcode(), Some(0));
    }
    assert!(shm.to_vec().iter().all(|&b| b == ROUNDS));
    shm.unlink().unwrap();
}

#[test]
fn writers_of_the_two_halves_of_each_word_lose_none_of_them() {
    let shm = SharedMemory::create(None, WORDS * 8).unwrap();
    let barrier = Barrier::new(2).unwrap();
    let children: Vec<Process> = [false, true]
        .into_iter()
        .map(|high| {
            Process::new(
                write_half_words,
                (shm.clone_handle().unwrap(), barrier.clone(), high),
            )
        })
        .collect();
    for child in &children {
        child.start().unwrap();
    }
    for child in &children {
        assert!(child.join_timeout(BOUND).unwrap());
        assert_eq!(child.exitcode(), Some(0));
    }
    let bytes = shm.to_vec();
    let lost: Vec<usize> = (0..bytes.len())
        .filter(|&i| bytes[i] != if i % 8 >= 4 { 0xB0 } else { 0xA0 })
        .collect();
    assert!(
        lost.is_empty(),
        "{} bytes lost, first at {:?}",
        lost.len(),
        lost.first()
    );
    shm.unlink().unwrap();
}
