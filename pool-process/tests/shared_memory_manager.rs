//! `SharedMemoryManager`, as CPython's: the blocks it made are unlinked
//! when it shuts down (the end of a `with` block, here a drop), children
//! open them by name meanwhile, and views stay mapped after the shutdown.

mod shared_memory_support;

use pool_core::ErrorKind;
use pool_process::{Item, Process, ShareableList, SharedMemory, SharedMemoryManager};
use shared_memory_support::{BOUND, in_dev_shm, python};

/// In a child: bumps the first item of a list it opens by name.
fn bump(name: String) {
    let list = ShareableList::open(&name).unwrap();
    let Item::Int(n) = list.get(0).unwrap() else {
        panic!("not an int")
    };
    list.set(0, n + 1).unwrap();
}

#[test]
fn dropping_the_manager_unlinks_every_block_it_made() {
    let (shm, list) = {
        let smm = SharedMemoryManager::new();
        let shm = smm.shared_memory(4096).unwrap();
        let list = smm.shareable_list([41]).unwrap();
        let child = Process::new(bump, (list.name().to_owned(),));
        child.start().unwrap();
        assert!(child.join_timeout(BOUND).unwrap());
        assert_eq!(child.exitcode(), Some(0));
        assert!(in_dev_shm(shm.name()) && in_dev_shm(list.name()));
        (shm, list)
    };
    assert!(!in_dev_shm(shm.name()), "unlinked at drop");
    assert!(!in_dev_shm(list.name()), "unlinked at drop");
    assert!(SharedMemory::open(shm.name()).unwrap_err().is_io());
    // The views still work, as in Python.
    assert_eq!(list.get(0).unwrap(), Item::Int(42));
    shm.write_at(0, b"mapped").unwrap();
    // Already unlinked: unlinking again is CPython's FileNotFoundError.
    assert!(shm.unlink().unwrap_err().is_io());
}

#[test]
fn shutdown_unlinks_once_and_refuses_new_blocks() {
    let smm = SharedMemoryManager::new();
    let a = smm.shared_memory(8).unwrap();
    let b = smm.shared_memory(8).unwrap();
    // A block its user unlinked early is simply skipped.
    b.unlink().unwrap();
    smm.shutdown();
    assert!(!in_dev_shm(a.name()));
    let e = smm.shared_memory(8).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidState);
    assert!(smm.shareable_list([1]).is_err());
    smm.shutdown(); // idempotent, and so is the drop after it

    if let Some(printed) = python(
        "from multiprocessing.managers import SharedMemoryManager\n\
         from multiprocessing import shared_memory as s\n\
         with SharedMemoryManager() as smm:\n    \
             a = smm.SharedMemory(8); l = smm.ShareableList([1])\n    \
             names = [a.name, l.shm.name]\n\
         for n in names:\n    \
             try: s.SharedMemory(n)\n    \
             except FileNotFoundError: print('gone')",
        &[],
    ) {
        assert_eq!(printed, "gone\ngone");
    }
}
