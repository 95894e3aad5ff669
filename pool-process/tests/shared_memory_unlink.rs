//! Unlinking, as CPython's `SharedMemory.unlink` does it: the name goes at
//! once (opening it fails), the views already open keep working and keep
//! seeing each other, and a second unlink is an error.

mod shared_memory_support;

use pool_process::{Process, SharedMemory};
use pool_test_support::{Rendezvous, hold};
use shared_memory_support::{BOUND, in_dev_shm, python};

/// In a child: waits until the parent unlinked the block, then writes
/// through its view.
fn write_after_unlink(shm: SharedMemory, rendezvous: String) {
    hold(&rendezvous);
    shm.write_at(0, b"after").unwrap();
}

#[test]
fn after_unlink_the_name_is_gone_and_views_keep_working() {
    let a = SharedMemory::create(None, 32).unwrap();
    let b = a.clone_handle().unwrap();
    let name = a.name().to_owned();
    assert!(in_dev_shm(&name));
    a.unlink().unwrap();
    assert!(!in_dev_shm(&name));
    let error = SharedMemory::open(&name).unwrap_err();
    assert!(error.is_io(), "{error:?}");

    a.write_at(0, b"still shared").unwrap();
    let mut out = [0; 12];
    b.read_at(0, &mut out).unwrap();
    assert_eq!(&out, b"still shared");

    let again = a.unlink().unwrap_err();
    assert!(again.is_io(), "{again:?}");
    assert!(again.to_string().contains(&name), "{again}");
    // Closing one view leaves the other.
    a.close();
    b.write_at(12, b"!").unwrap();
    assert_eq!(&b.to_vec()[..13], b"still shared!");

    if let Some(printed) = python(
        "from multiprocessing import shared_memory as s\n\
         a = s.SharedMemory(create=True, size=32); b = s.SharedMemory(a.name)\n\
         a.unlink()\n\
         try: s.SharedMemory(a.name)\n\
         except Exception as e: print(type(e).__name__)\n\
         a.buf[:5] = b'still'; print(bytes(b.buf[:5]).decode())\n\
         try: a.unlink()\n\
         except Exception as e: print(type(e).__name__)",
        &[],
    ) {
        assert_eq!(printed, "FileNotFoundError\nstill\nFileNotFoundError");
    }
}

#[test]
fn a_child_holding_a_view_writes_through_it_after_the_parent_unlinked() {
    let shm = SharedMemory::create(None, 8).unwrap();
    let rendezvous = Rendezvous::new();
    // The child's view opens as its argument arrives, before the unlink.
    let child = Process::new(
        write_after_unlink,
        (shm.clone_handle().unwrap(), rendezvous.path()),
    );
    child.start().unwrap();
    let held = rendezvous.arrival();
    shm.unlink().unwrap();
    held.release();
    assert!(child.join_timeout(BOUND).unwrap());
    assert_eq!(child.exitcode(), Some(0));
    assert_eq!(&shm.to_vec()[..5], b"after");
}
