//! `SharedMemory` by name, compared with CPython 3.11's
//! `multiprocessing.shared_memory.SharedMemory`: a block created here is
//! opened by a child `Process`, by a pool task, and by an unrelated
//! program (CPython itself); sizes and errors are CPython's.

mod shared_memory_support;

use std::io;

use pool_core::ErrorKind;
use pool_process::{Pool, Process, SharedMemory};
use shared_memory_support::{BOUND, python, unique};

/// In a child: opens the block by its name and writes its greeting.
fn greet_by_name(name: String) {
    let shm = SharedMemory::open(&name).unwrap();
    shm.write_at(0, b"hello from the child").unwrap();
}

/// In a pool worker: sums the bytes of a block that travelled as an
/// argument (by name).
fn sum_bytes(shm: SharedMemory) -> u64 {
    shm.to_vec().iter().map(|&b| u64::from(b)).sum()
}

#[test]
fn a_child_process_opens_a_block_by_name_and_the_parent_sees_its_writes() {
    let shm = SharedMemory::create(None, 64).unwrap();
    let child = Process::new(greet_by_name, (shm.name().to_owned(),));
    child.start().unwrap();
    assert!(child.join_timeout(BOUND).unwrap(), "the child finished");
    assert_eq!(child.exitcode(), Some(0));
    let mut out = [0u8; 20];
    shm.read_at(0, &mut out).unwrap();
    assert_eq!(&out, b"hello from the child");
    shm.unlink().unwrap();
}

#[test]
fn a_block_travels_to_a_pool_task_by_name() {
    let shm = SharedMemory::create(None, 1000).unwrap();
    shm.fill(0, 1000, 3).unwrap();
    let pool = Pool::new(1).unwrap();
    let sum = pool
        .apply_async(sum_bytes, shm.clone_handle().unwrap())
        .unwrap()
        .get_timeout(BOUND)
        .unwrap();
    assert_eq!(sum, 3000);
    shm.unlink().unwrap();
}

#[test]
fn cpython_opens_a_block_made_here_and_the_other_way_round() {
    let ours = SharedMemory::create(Some(&unique("to-cpython")), 10).unwrap();
    ours.write_at(0, b"rust").unwrap();
    let theirs = unique("from-cpython");
    let script = r#"
import sys
from multiprocessing import shared_memory, resource_tracker
ours = shared_memory.SharedMemory(sys.argv[1])
print(ours.size, bytes(ours.buf[:4]).decode())
ours.buf[4:10] = b"python"
resource_tracker.unregister(ours._name, "shared_memory")  # 3.11 tracks opens too
ours.close()
theirs = shared_memory.SharedMemory(sys.argv[2], create=True, size=5)
theirs.buf[:5] = b"cpyth"
resource_tracker.unregister(theirs._name, "shared_memory")  # keep it for Rust
theirs.close()
"#;
    let Some(printed) = python(script, &[ours.name(), &theirs]) else {
        ours.unlink().unwrap();
        return;
    };
    assert_eq!(printed, "10 rust");
    assert_eq!(ours.to_vec(), b"rustpython");
    let made_by_cpython = SharedMemory::open(&theirs).unwrap();
    assert_eq!(made_by_cpython.size(), 5);
    assert_eq!(made_by_cpython.to_vec(), b"cpyth");
    made_by_cpython.unlink().unwrap();
    ours.unlink().unwrap();
}

#[test]
fn sizes_are_what_was_asked_as_in_cpython() {
    let shm = SharedMemory::create(None, 10).unwrap();
    let again = SharedMemory::open(shm.name()).unwrap();
    assert_eq!((shm.size(), again.size()), (10, 10));
    if let Some(printed) = python(
        "from multiprocessing import shared_memory as s\n\
         a = s.SharedMemory(create=True, size=10)\n\
         print(a.size, s.SharedMemory(a.name).size, a.name[:4], len(a.name))\n\
         a.unlink()",
        &[],
    ) {
        assert_eq!(printed, format!("10 10 psm_ {}", shm.name().len()));
    }
    assert!(shm.name().starts_with("psm_"));
    shm.unlink().unwrap();
}

/// The OS error under a poolrt error.
fn io_kind(error: &pool_core::Error) -> io::ErrorKind {
    std::error::Error::source(error)
        .and_then(|e| e.downcast_ref::<io::Error>())
        .map(io::Error::kind)
        .expect("an OS error as the source")
}

#[test]
fn creating_a_taken_name_fails_as_cpython_s_file_exists_error() {
    let name = unique("taken");
    let shm = SharedMemory::create(Some(&name), 8).unwrap();
    let error = SharedMemory::create(Some(&name), 8).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::SharedMemory);
    assert_eq!(io_kind(&error), io::ErrorKind::AlreadyExists);
    assert!(error.to_string().contains(&name), "{error}");
    if let Some(printed) = python(
        "import sys\nfrom multiprocessing import shared_memory as s\n\
         try: s.SharedMemory(sys.argv[1], create=True, size=8)\n\
         except Exception as e: print(type(e).__name__)",
        &[&name],
    ) {
        assert_eq!(printed, "FileExistsError");
    }
    // The first block is untouched.
    assert_eq!(SharedMemory::open(&name).unwrap().size(), 8);
    shm.unlink().unwrap();
}

#[test]
fn opening_a_missing_name_fails_as_cpython_s_file_not_found_error() {
    let name = unique("missing");
    let error = SharedMemory::open(&name).unwrap_err();
    assert!(error.is_io(), "{error:?}");
    assert_eq!(io_kind(&error), io::ErrorKind::NotFound);
    assert_eq!(
        error.to_string(),
        format!("I/O failed: no shared memory named '{name}'")
    );
    if let Some(printed) = python(
        "import sys\nfrom multiprocessing import shared_memory as s\n\
         try: s.SharedMemory(sys.argv[1])\n\
         except Exception as e: print(type(e).__name__)",
        &[&name],
    ) {
        assert_eq!(printed, "FileNotFoundError");
    }
}

#[test]
fn size_zero_and_impossible_names_are_refused_as_cpython_refuses_them() {
    let error = SharedMemory::create(None, 0).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidConfig);
    assert!(error.to_string().contains("size 0"), "{error}");
    let named = SharedMemory::create(Some("poolrt-zero"), 0).unwrap_err();
    assert!(named.to_string().contains("'poolrt-zero'"), "{named}");
    for bad in ["", "a/b"] {
        let error = SharedMemory::create(Some(bad), 1).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidConfig, "{bad:?}");
        assert!(error.to_string().contains(&format!("{bad:?}")), "{error}");
    }
    if let Some(printed) = python(
        "from multiprocessing import shared_memory as s\n\
         for args in [dict(create=True, size=0), dict(name='', create=True, size=1), dict(name='a/b', create=True, size=1)]:\n    \
             try: s.SharedMemory(**args)\n    \
             except Exception as e: print(type(e).__name__)",
        &[],
    ) {
        assert_eq!(printed, "ValueError\nOSError\nOSError");
    }
}

#[test]
fn reads_and_writes_outside_the_block_are_index_errors_and_change_nothing() {
    let shm = SharedMemory::create(None, 16).unwrap();
    shm.fill(0, 16, 1).unwrap();
    let error = shm.write_at(10, &[9; 7]).unwrap_err();
    assert!(error.is_index_out_of_range());
    assert!(error.to_string().contains(shm.name()), "{error}");
    assert!(shm.write_at(usize::MAX, &[9]).is_err());
    assert_eq!(shm.to_vec(), [1; 16]);
    let mut out = [0; 17];
    assert!(
        shm.read_at(0, &mut out)
            .unwrap_err()
            .is_index_out_of_range()
    );
    assert!(shm.fill(16, 1, 0).is_err());
    shm.write_at(16, &[]).unwrap();
    shm.unlink().unwrap();
}
