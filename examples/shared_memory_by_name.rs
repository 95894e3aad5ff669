//! Port of the examples of Python's `multiprocessing.shared_memory`
//! documentation (no seed program uses named shared memory): a block and
//! a `ShareableList` shared by name between this program, a separately
//! started program, and a child `Process`.
//!
//! ```python
//! shm_a = shared_memory.SharedMemory(create=True, size=10)
//! shm_a.buf[:4] = bytearray([22, 33, 44, 55])
//! shm_b = shared_memory.SharedMemory(shm_a.name)      # by name
//! array.array('b', shm_b.buf[:5])                     # [22, 33, 44, 55, 0]
//! shm_b.buf[:5] = b'howdy'
//! bytes(shm_a.buf[:5])                                # b'howdy'
//! ```
//!
//! The separately started program is this binary run again with the
//! names as arguments: any program of the same user can open them, a
//! CPython one included (`shared_memory.SharedMemory(name)`,
//! `ShareableList(name=name)`). The blocks are unlinked at the end, so
//! nothing is left in `/dev/shm`; had this program been killed first, its
//! shared-memory tracker would have unlinked them.

use std::process::Command;

use poolrt::process::{Item, Process, ShareableList, SharedMemory};

/// The argument that makes this program the other one.
const OTHER: &str = "--open-by-name";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some(OTHER) {
        other_program(&args[2], &args[3]);
        return;
    }
    println!(
        "Named shared memory: blocks opened by name from another program and a child, then unlinked"
    );

    // The documentation's example, in one process.
    let shm_a = SharedMemory::create(None, 10).unwrap();
    shm_a.write_at(0, &[22, 33, 44, 55]).unwrap();
    let shm_b = SharedMemory::open(shm_a.name()).unwrap();
    let mut first = [0u8; 5];
    shm_b.read_at(0, &mut first).unwrap();
    println!("{} holds {first:?}", shm_b.name());
    shm_b.write_at(0, b"howdy").unwrap();
    shm_a.read_at(0, &mut first).unwrap();
    println!("through shm_a: {:?}", String::from_utf8_lossy(&first));
    shm_b.close();

    // A ShareableList, in CPython's own layout.
    let items: [Item; 5] = [
        "howdy".into(),
        b"HoWdY".to_vec().into(),
        (-273.154).into(),
        100.into(),
        true.into(),
    ];
    let list = ShareableList::create(None, items).unwrap();
    println!("created {list:?}");

    // Another program opens both by name.
    let status = Command::new(std::env::current_exe().unwrap())
        .args([OTHER, shm_a.name(), list.name()])
        .status()
        .unwrap();
    assert!(status.success(), "the other program failed: {status}");
    println!("after the other program: {list:?}");
    shm_a.read_at(0, &mut first).unwrap();
    println!("and the block holds {:?}", String::from_utf8_lossy(&first));

    // A child process gets the list as an argument: it travels by name.
    let child = Process::new(count_items, (list.clone_handle().unwrap(),));
    child.start().unwrap();
    child.join().unwrap();

    shm_a.unlink().unwrap();
    list.shm().unlink().unwrap();
    for name in [shm_a.name(), list.name()] {
        assert!(!std::path::Path::new("/dev/shm").join(name).exists());
    }
    println!("unlinked both: nothing is left in /dev/shm");
}

/// The other program: opens the block and the list by name and changes
/// them, as the documentation's second process does.
fn other_program(block: &str, list: &str) {
    let shm = SharedMemory::open(block).unwrap();
    shm.write_at(0, b"HOWDY").unwrap();
    let list = ShareableList::open(list).unwrap();
    println!("  other program (pid {}) sees {list:?}", std::process::id());
    list.set(2, "dry ice").unwrap(); // a number's 8 bytes hold 7 of text
    list.set(-1, Item::None).unwrap();
}

/// In a child: what the documentation's `sl.count` and `sl.index` show.
fn count_items(list: ShareableList) {
    println!(
        "  child (pid {}): {} items, index of 100 is {:?}, count of None is {}",
        std::process::id(),
        list.len(),
        list.index(100).unwrap(),
        list.count(Item::None).unwrap()
    );
}
