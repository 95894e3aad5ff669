//! `ShareableList`, compared with CPython 3.11's: the same layout byte
//! for byte (a list made by either opens in the other), the same
//! formats, and the same errors; and a round trip through a child.

mod shared_memory_support;

use pool_core::ErrorKind;
use pool_process::{Item, Process, ShareableList};
use shared_memory_support::{BOUND, python, unique};

fn sample() -> Vec<Item> {
    vec![
        Item::Int(-7),
        Item::Float(2.5),
        Item::Bool(true),
        Item::from("héllo"),
        Item::Bytes(b"raw\x01".to_vec()),
        Item::None,
        Item::from("exactly8"),
    ]
}

/// In a child: reads the list it was sent and rewrites it.
fn rewrite(list: ShareableList) {
    assert_eq!(list.to_vec().unwrap(), sample());
    list.set(0, i64::MAX).unwrap();
    list.set(1, "was f64").unwrap(); // fits a number's 8 bytes
    list.set(-1, Item::None).unwrap();
}

#[test]
fn a_child_reads_and_rewrites_a_list_it_was_sent() {
    let list = ShareableList::create(None, sample()).unwrap();
    let child = Process::new(rewrite, (list.clone_handle().unwrap(),));
    child.start().unwrap();
    assert!(child.join_timeout(BOUND).unwrap());
    assert_eq!(child.exitcode(), Some(0));
    let mut expected = sample();
    expected[0] = Item::Int(i64::MAX);
    expected[1] = Item::from("was f64");
    expected[6] = Item::None;
    assert_eq!(list.to_vec().unwrap(), expected);
    assert_eq!(list.format().unwrap(), "q8sxxxxxxx?8s8sxxxxxx?xxxxxxx?x");
    list.shm().unlink().unwrap();
}

#[test]
fn the_layout_is_cpython_s_byte_for_byte() {
    let list = ShareableList::create(None, sample()).unwrap();
    let script = r#"
import sys
from multiprocessing import shared_memory as s, resource_tracker
ours = s.ShareableList(name=sys.argv[1])
resource_tracker.unregister(ours.shm._name, "shared_memory")
theirs = s.ShareableList([-7, 2.5, True, "héllo", b"raw\x01", None, "exactly8"])
print(repr(ours))
print(ours.format)
print(bytes(ours.shm.buf) == bytes(theirs.shm.buf), ours.shm.size, theirs.shm.size)
ours[3] = "changed"
ours.shm.close()
theirs.shm.unlink()
"#;
    let ours_repr = format!("{list:?}");
    let Some(printed) = python(script, &[list.name()]) else {
        list.shm().unlink().unwrap();
        return;
    };
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(
        lines[0],
        format!(
            "ShareableList([-7, 2.5, True, 'héllo', b'raw\\x01', None, 'exactly8'], name='{}')",
            list.name()
        )
    );
    assert_eq!(lines[0], ours_repr, "Python's repr is ours");
    assert_eq!(lines[1], list.format().unwrap());
    assert_eq!(lines[2], format!("True {0} {0}", list.shm().size()));
    assert_eq!(list.get(3).unwrap(), Item::from("changed"));
    list.shm().unlink().unwrap();
}

#[test]
fn a_list_cpython_made_opens_here() {
    let name = unique("cpython-list");
    let script = r#"
import sys
from multiprocessing import shared_memory as s, resource_tracker
l = s.ShareableList([1, 0.5, False, "py", b"", None], name=sys.argv[1])
resource_tracker.unregister(l.shm._name, "shared_memory")  # Rust unlinks it
l.shm.close()
"#;
    if python(script, &[&name]).is_none() {
        return;
    }
    let list = ShareableList::open(&name).unwrap();
    assert_eq!(
        list.to_vec().unwrap(),
        [
            Item::Int(1),
            Item::Float(0.5),
            Item::Bool(false),
            Item::from("py"),
            Item::Bytes(vec![]),
            Item::None
        ]
    );
    assert_eq!(
        format!("{list:?}"),
        format!("ShareableList([1, 0.5, False, 'py', b'', None], name='{name}')")
    );
    list.shm().unlink().unwrap();
}

#[test]
fn errors_are_cpython_s() {
    let list = ShareableList::create(None, ["abc"]).unwrap();
    // Index errors, for reads and writes, at both ends. (CPython 3.11
    // reads `l[-2]` of a 1-item list as `l[0]`, wrapping twice: a bug
    // not copied.)
    for index in [1, -2] {
        let e = list.get(index).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::IndexOutOfRange, "{e}");
        let e = list.set(index, 1).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::IndexOutOfRange, "{e}");
    }
    // A str longer than its slot (8 bytes for "abc") is refused and
    // changes nothing.
    let e = list.set(0, "123456789").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidConfig);
    assert!(
        e.to_string().contains("9 bytes exceeds the slot's 8"),
        "{e}"
    );
    assert!(list.set(0, b"123456789".to_vec()).is_err());
    assert_eq!(list.get(0).unwrap(), Item::from("abc"));
    // The 8 bytes fit.
    list.set(0, "12345678").unwrap();
    assert_eq!(list.index("12345678").unwrap(), Some(0));
    assert_eq!(list.index("abc").unwrap(), None);

    let script = r#"
from multiprocessing import shared_memory as s
l = s.ShareableList(["abc"])
for f in [lambda: l[1], lambda: l.__setitem__(1, 1), lambda: l.__setitem__(0, "123456789"), lambda: l.index("zzz")]:
    try: f()
    except Exception as e: print(type(e).__name__, e)
l[0] = "12345678"; print(l[0])
l.shm.unlink()
"#;
    if let Some(printed) = python(script, &[]) {
        assert_eq!(
            printed,
            "IndexError index out of range\n\
             IndexError assignment index out of range\n\
             ValueError bytes/str item exceeds available storage\n\
             ValueError 'zzz' not in this container\n\
             12345678"
        );
    }
    list.shm().unlink().unwrap();
}

#[test]
fn count_and_index_use_python_s_equality() {
    let items: Vec<Item> = vec![1.into(), true.into(), 1.0.into(), "1".into(), 2.into()];
    let list = ShareableList::create(None, items).unwrap();
    assert_eq!(list.count(1).unwrap(), 3);
    assert_eq!(list.count("1").unwrap(), 1);
    assert_eq!(list.index(2.0).unwrap(), Some(4));
    assert_eq!(list.index(true).unwrap(), Some(0));
    if let Some(printed) = python(
        "from multiprocessing import shared_memory as s\n\
         l = s.ShareableList([1, True, 1.0, '1', 2])\n\
         print(l.count(1), l.count('1'), l.index(2.0), l.index(True))\n\
         l.shm.unlink()",
        &[],
    ) {
        assert_eq!(printed, "3 1 4 0");
    }
    list.shm().unlink().unwrap();
}

#[test]
fn an_empty_list_and_a_block_that_is_no_list() {
    let empty = ShareableList::create(None, Vec::<Item>::new()).unwrap();
    assert!(empty.is_empty());
    assert_eq!(empty.shm().size(), 16, "as CPython's ShareableList([])");
    empty.shm().unlink().unwrap();

    let junk = pool_process::SharedMemory::create(None, 8).unwrap();
    junk.write_at(0, &i64::MAX.to_ne_bytes()).unwrap();
    let e = ShareableList::open(junk.name()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Deserialize);
    assert!(e.to_string().contains(junk.name()), "{e}");
    junk.unlink().unwrap();
}
