//! `Manager`, `Dict` and `List`: containers changed by several processes,
//! proxies passed to a `Process` and through a pool, Python's index rules
//! and errors, and every proxy failing cleanly once the manager is gone.

mod support;

use pool_core::ErrorKind;
use pool_process::{Dict, List, Manager, Pool, Process};

fn fill(d: Dict<u32, String>, l: List<i32>, me: u32) {
    d.insert(me, format!("from {me}")).unwrap();
    for i in 0..100 {
        l.append(i).unwrap();
    }
}

#[test]
fn several_processes_change_one_dict_and_one_list() {
    let manager = Manager::new().unwrap();
    let d = manager.dict().unwrap();
    let l = manager.list([-1]).unwrap();
    let children: Vec<Process> = (0..4)
        .map(|me| Process::new(fill, (d.clone(), l.clone(), me)))
        .collect();
    for c in &children {
        c.start().unwrap();
    }
    for c in &children {
        c.join().unwrap();
    }
    assert_eq!(d.len().unwrap(), 4);
    for me in 0..4 {
        assert_eq!(d.get(&me).unwrap(), Some(format!("from {me}")));
    }
    let items = l.to_vec().unwrap();
    assert_eq!(items.len(), 401, "no append was lost");
    assert_eq!(items[0], -1);
    for i in 0..100 {
        assert_eq!(items.iter().filter(|&&x| x == i).count(), 4);
    }
}

fn count_in(d: Dict<String, u64>, word: String) -> u64 {
    d.insert(word.clone(), word.len() as u64).unwrap();
    d.len().unwrap() as u64
}

#[test]
fn proxies_travel_through_a_pool_unlike_inherited_objects() {
    let manager = Manager::new().unwrap();
    let d = manager.dict().unwrap();
    let pool = Pool::new(2).unwrap();
    let words = ["alpha", "beta", "gamma"];
    let results: Vec<_> = words
        .iter()
        .map(|w| {
            pool.apply_async(count_in_pair, (d.clone(), (*w).to_owned()))
                .unwrap()
        })
        .collect();
    for r in results {
        r.get().unwrap();
    }
    let mut got = d.items().unwrap();
    got.sort();
    assert_eq!(
        got,
        [
            ("alpha".to_owned(), 5),
            ("beta".to_owned(), 4),
            ("gamma".to_owned(), 5)
        ]
    );
}

fn count_in_pair((d, word): (Dict<String, u64>, String)) -> u64 {
    count_in(d, word)
}

#[test]
fn dicts_keep_insertion_order_and_lists_take_python_indexes() {
    let manager = Manager::new().unwrap();
    let d = manager.dict().unwrap();
    for k in [3u8, 1, 2] {
        d.insert(k, k * 10).unwrap();
    }
    d.insert(1, 11).unwrap();
    assert_eq!(d.keys().unwrap(), [3, 1, 2], "an update keeps the place");
    assert_eq!(d.remove(&3).unwrap(), Some(30));
    assert_eq!(d.values().unwrap(), [11, 20]);
    assert!(!d.contains_key(&3).unwrap());

    let l = manager.list(0..5i64).unwrap();
    assert_eq!(l.get(-1).unwrap(), 4);
    assert_eq!(l.get(-5).unwrap(), 0);
    let error = l.get(5).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::IndexOutOfRange);
    assert!(error.to_string().contains("out of range"), "{error}");
    assert!(l.get(-6).is_err());
    l.set(0, 100).unwrap();
    l.insert(-1, 35).unwrap();
    assert_eq!(l.to_vec().unwrap(), [100, 1, 2, 3, 35, 4]);
    assert_eq!(l.pop_at(1).unwrap(), 1);
    assert_eq!(l.pop().unwrap(), 4);
    l.reverse().unwrap();
    assert_eq!(l.to_vec().unwrap(), [35, 3, 2, 100]);
    l.clear().unwrap();
    let error = l.pop().unwrap_err();
    assert!(error.to_string().contains("empty"), "{error}");
    assert_eq!(error.kind(), ErrorKind::IndexOutOfRange);
}

#[test]
fn a_list_index_out_of_range_is_an_index_error() {
    let manager = Manager::new().unwrap();
    let l = manager.list([1u8, 2]).unwrap();
    for error in [
        l.get(2).unwrap_err(),
        l.set(-3, 0).unwrap_err(),
        l.pop_at(7).unwrap_err(),
    ] {
        assert!(error.is_index_out_of_range(), "{error:?}");
        assert!(
            error.to_string().starts_with("index out of range: "),
            "{error}"
        );
        assert!(error.to_string().contains("a list of 2"), "{error}");
    }
    assert_eq!(l.to_vec().unwrap(), [1, 2], "nothing changed");
}

#[test]
fn a_value_of_another_type_is_a_deserialize_error() {
    let manager = Manager::new().unwrap();
    let strings = manager.list(["not a bool".to_owned()]).unwrap();
    // The same list, seen through a proxy of another type.
    let bytes = postcard::to_stdvec(&strings).unwrap();
    let bools: List<bool> = postcard::from_bytes(&bytes).unwrap();
    assert_eq!(bools.get(0).unwrap_err().kind(), ErrorKind::Deserialize);
}

#[test]
fn every_proxy_fails_as_closed_once_the_manager_is_gone() {
    let manager = Manager::new().unwrap();
    let d = manager.dict::<u8, u8>().unwrap();
    let l = manager.list([1u8]).unwrap();
    d.insert(1, 1).unwrap();
    manager.shutdown();
    assert_eq!(d.get(&1).unwrap_err().kind(), ErrorKind::Closed);
    assert_eq!(l.len().unwrap_err().kind(), ErrorKind::Closed);
    assert_eq!(d.insert(2, 2).unwrap_err().kind(), ErrorKind::Closed);
}

#[test]
fn proxies_keep_their_manager_running_in_its_own_process() {
    let d = Manager::new().unwrap().dict().unwrap();
    d.insert("kept".to_owned(), 1u8).unwrap();
    let copy = d.clone();
    drop(d);
    assert_eq!(copy.get(&"kept".to_owned()).unwrap(), Some(1));
}
