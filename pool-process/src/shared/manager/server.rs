//! The manager's server: an accept thread, one thread per connected
//! process, and the containers, as bytes, behind one mutex.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixListener, UnixStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;

use indexmap::IndexMap;
use parking_lot::Mutex;
use pool_core::{Error, ErrorKind};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Reply, Request};

/// The containers, by id.
#[derive(Default)]
struct Store {
    next_id: u64,
    dicts: HashMap<u64, IndexMap<Vec<u8>, Vec<u8>>>,
    lists: HashMap<u64, Vec<Vec<u8>>>,
}

/// What the server threads share.
#[derive(Default)]
struct Shared {
    store: Mutex<Store>,
    stopping: AtomicBool,
    /// A second handle to every connection, to end them at shutdown.
    connections: Mutex<Vec<UnixStream>>,
}

/// A running manager server.
pub(crate) struct Server {
    address: String,
    /// A second handle to the listening socket, to wake `accept` at
    /// shutdown.
    listener: UnixListener,
    shared: Arc<Shared>,
    accept: Mutex<Option<JoinHandle<()>>>,
}

impl Server {
    pub(super) fn start() -> Result<Server, Error> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let spawn_error = |e: io::Error| {
            Error::new(ErrorKind::Spawn, e).with_detail("cannot start the manager's server")
        };
        let nonce = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let address = format!(
            "poolrt-manager-{}-{}-{nonce:08x}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let listener = SocketAddr::from_abstract_name(address.as_bytes())
            .and_then(|addr| UnixListener::bind_addr(&addr))
            .map_err(spawn_error)?;
        let second = listener.try_clone().map_err(spawn_error)?;
        let shared = Arc::new(Shared::default());
        let accept = {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name("poolrt-manager".to_owned())
                .spawn(move || accept_loop(&listener, &shared))
                .map_err(spawn_error)?
        };
        Ok(Server {
            address,
            listener: second,
            shared,
            accept: Mutex::new(Some(accept)),
        })
    }

    pub(crate) fn address(&self) -> &str {
        &self.address
    }

    /// Stops accepting, ends every connection, waits for the accept
    /// thread. Idempotent.
    pub(super) fn shutdown(&self) {
        if self.shared.stopping.swap(true, Ordering::SeqCst) {
            return;
        }
        // Wake the accept thread: on Linux, shutting a listening socket
        // down fails a blocked `accept`.
        let _ = crate::sys::socket::shut_listener(&self.listener);
        for connection in self.shared.connections.lock().drain(..) {
            let _ = connection.shutdown(std::net::Shutdown::Both);
        }
        if let Some(accept) = self.accept.lock().take() {
            let _ = accept.join();
        }
        super::proxy::forget(&self.address);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Connects to the manager named `address`.
pub(super) fn connect(address: &str) -> io::Result<UnixStream> {
    UnixStream::connect_addr(&SocketAddr::from_abstract_name(address.as_bytes())?)
}

fn accept_loop(listener: &UnixListener, shared: &Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        if !same_user(&stream) {
            continue;
        }
        let (Ok(second), Ok(spare)) = (stream.try_clone(), stream.try_clone()) else {
            continue;
        };
        shared.connections.lock().push(second);
        let shared = shared.clone();
        let started = std::thread::Builder::new()
            .name("poolrt-manager-conn".to_owned())
            .spawn(move || serve(stream, &shared));
        if started.is_err() {
            // No thread to serve it (thread limit, memory): shut the
            // connection, so its client gets a closed-manager error
            // instead of waiting for a reply for ever.
            let _ = spare.shutdown(std::net::Shutdown::Both);
        }
    }
}

/// Whether the peer runs as our user (Python's manager checks an authkey;
/// the kernel's peer credentials do that job here).
fn same_user(stream: &UnixStream) -> bool {
    crate::sys::socket::peer_is_same_user(stream)
}

fn serve(mut stream: UnixStream, shared: &Shared) {
    while let Ok(Some(request)) = read_frame::<Request>(&mut stream) {
        let reply = shared.store.lock().handle(request);
        if write_frame(&mut stream, &reply).is_err() {
            return;
        }
    }
}

/// `index` counted from the end when negative, as in Python; `None` when
/// out of range.
fn position(len: usize, index: i64) -> Option<usize> {
    let len = i64::try_from(len).ok()?;
    let at = if index < 0 { index + len } else { index };
    (0..len).contains(&at).then_some(at as usize)
}

impl Store {
    fn new_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn handle(&mut self, request: Request) -> Reply {
        use Request::*;
        match request {
            NewDict => {
                let id = self.new_id();
                self.dicts.insert(id, IndexMap::new());
                Reply::Id(id)
            }
            NewList(items) => {
                let id = self.new_id();
                self.lists.insert(id, items);
                Reply::Id(id)
            }
            DictSet(id, key, value) => self.with_dict(id, |dict| {
                dict.insert(key, value);
                Reply::Done
            }),
            DictGet(id, key) => self.with_dict(id, |dict| Reply::Value(dict.get(&key).cloned())),
            DictRemove(id, key) => self.with_dict(id, |dict| Reply::Value(dict.shift_remove(&key))),
            DictLen(id) => self.with_dict(id, |dict| Reply::Len(dict.len() as u64)),
            DictItems(id) => self.with_dict(id, |dict| {
                Reply::Items(dict.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            }),
            DictClear(id) => self.with_dict(id, |dict| {
                dict.clear();
                Reply::Done
            }),
            ListAppend(id, value) => self.with_list(id, |list| {
                list.push(value);
                Reply::Done
            }),
            ListExtend(id, values) => self.with_list(id, |list| {
                list.extend(values);
                Reply::Done
            }),
            ListGet(id, index) => self.with_list(id, |list| match position(list.len(), index) {
                Some(at) => Reply::Value(Some(list[at].clone())),
                None => out_of_range(index, list.len()),
            }),
            ListSet(id, index, value) => {
                self.with_list(id, |list| match position(list.len(), index) {
                    Some(at) => {
                        list[at] = value;
                        Reply::Done
                    }
                    None => out_of_range(index, list.len()),
                })
            }
            ListInsert(id, index, value) => self.with_list(id, |list| {
                // Python clamps an insert position into the list.
                let len = list.len() as i64;
                let at = if index < 0 { index + len } else { index };
                list.insert(at.clamp(0, len) as usize, value);
                Reply::Done
            }),
            ListPop(id, index) => self.with_list(id, |list| match position(list.len(), index) {
                Some(at) => Reply::Value(Some(list.remove(at))),
                None if list.is_empty() => Reply::OutOfRange("pop from an empty list".to_owned()),
                None => out_of_range(index, list.len()),
            }),
            ListLen(id) => self.with_list(id, |list| Reply::Len(list.len() as u64)),
            ListItems(id) => self.with_list(id, |list| Reply::Values(list.clone())),
            ListClear(id) => self.with_list(id, |list| {
                list.clear();
                Reply::Done
            }),
            ListReverse(id) => self.with_list(id, |list| {
                list.reverse();
                Reply::Done
            }),
        }
    }

    fn with_dict(
        &mut self,
        id: u64,
        f: impl FnOnce(&mut IndexMap<Vec<u8>, Vec<u8>>) -> Reply,
    ) -> Reply {
        self.dicts.get_mut(&id).map_or_else(missing, f)
    }

    fn with_list(&mut self, id: u64, f: impl FnOnce(&mut Vec<Vec<u8>>) -> Reply) -> Reply {
        self.lists.get_mut(&id).map_or_else(missing, f)
    }
}

fn missing() -> Reply {
    Reply::Refused("no such shared object on this manager".to_owned())
}

fn out_of_range(index: i64, len: usize) -> Reply {
    Reply::OutOfRange(format!("list index {index} of a list of {len}"))
}

/// Writes one `u32`-length-prefixed postcard frame.
pub(super) fn write_frame<T: Serialize>(stream: &mut UnixStream, value: &T) -> io::Result<()> {
    let mut frame = postcard::to_extend(value, vec![0u8; 4]).map_err(io::Error::other)?;
    let len = u32::try_from(frame.len() - 4).map_err(io::Error::other)?;
    frame[..4].copy_from_slice(&len.to_le_bytes());
    stream.write_all(&frame)
}

/// Reads one frame; `None` at a clean end of stream.
pub(super) fn read_frame<T: DeserializeOwned>(stream: &mut UnixStream) -> io::Result<Option<T>> {
    let mut len = [0u8; 4];
    match stream.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let mut body = vec![0u8; u32::from_le_bytes(len) as usize];
    stream.read_exact(&mut body)?;
    postcard::from_bytes(&body)
        .map(Some)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_indexes_count_from_the_end_when_negative() {
        assert_eq!(position(3, 0), Some(0));
        assert_eq!(position(3, -1), Some(2));
        assert_eq!(position(3, -3), Some(0));
        assert_eq!(position(3, 3), None);
        assert_eq!(position(3, -4), None);
        assert_eq!(position(0, 0), None);
    }
}
