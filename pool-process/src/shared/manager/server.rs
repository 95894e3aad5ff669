//! The manager's server: an accept thread, one thread per connection (at
//! most `max_connections` of them), and the objects.
//!
//! # A connection, step by step
//!
//! 1. The accept thread takes it; over the connection limit, it is
//!    closed at once (its client's call fails naming the limit).
//! 2. Its thread runs the authkey handshake (bounded by
//!    [`HANDSHAKE_TIMEOUT`]); a local manager also checks that the peer
//!    runs as our user. Nothing is deserialized before both pass.
//! 3. The first frame says which process speaks (`Hello`); the server
//!    counts each process's connections.
//! 4. Requests are served one at a time. A frame over the cap, a frame
//!    that does not deserialize, a peer that closes mid-frame or stays
//!    silent past the idle timeout: the connection is closed, its thread
//!    ends, and every other connection is served on.
//! 5. When a process's last connection ends (it exited or died), every
//!    object is told (`caller_gone`): a lock it held is released.

use std::collections::HashMap;
use std::io;
use std::net::TcpListener;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr as UnixAddr, UnixListener, UnixStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};
use pool_core::{Error, ErrorKind};

use super::object::{Caller, Registry, Served, Store};
use super::wire::{Failure, Framed, Reply, Request, Stream};
use crate::connection::Address;
use crate::shared::socket::{Side, authenticate};

/// How long a peer has to pass the authkey handshake.
pub(super) const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How often a waiting command checks that its caller is still there.
const WAIT_SLICE: Duration = Duration::from_millis(100);

/// The stack of a connection's thread: it runs object methods only.
const CONNECTION_STACK: usize = 256 << 10;

/// A server's settings.
#[derive(Clone)]
pub(super) struct Config {
    pub(super) authkey: Vec<u8>,
    pub(super) max_frame: usize,
    pub(super) max_connections: usize,
    pub(super) idle_timeout: Option<Duration>,
    /// A local manager admits only processes of this user.
    pub(super) same_user: bool,
}

/// The listening socket.
enum Listening {
    Unix(UnixListener),
    Tcp(TcpListener),
}

impl AsFd for Listening {
    fn as_fd(&self) -> BorrowedFd<'_> {
        match self {
            Listening::Unix(l) => l.as_fd(),
            Listening::Tcp(l) => l.as_fd(),
        }
    }
}

/// What the server's threads share.
pub(super) struct Shared {
    pub(super) store: Mutex<Store>,
    registry: Registry,
    config: Config,
    stopping: AtomicBool,
    /// A second handle to the listening socket, to wake `accept`.
    listener: OwnedFd,
    /// A second handle to every open connection, to end them at shutdown.
    connections: Mutex<HashMap<u64, Stream>>,
    next_connection: AtomicU64,
    /// Open connections (counted before their thread starts).
    live: AtomicUsize,
    /// Open connections by process token.
    processes: Mutex<HashMap<u64, usize>>,
    stopped: Mutex<bool>,
    stopped_changed: Condvar,
}

/// A running manager server.
pub(crate) struct Server {
    address: Address,
    pub(super) shared: Arc<Shared>,
    accept: Mutex<Option<JoinHandle<()>>>,
}

impl Server {
    /// Binds `address` (a fresh abstract name when `None`) and starts the
    /// accept thread.
    pub(super) fn start(
        address: Option<Address>,
        config: Config,
        registry: Registry,
        initializer: Option<Box<dyn FnOnce() + Send>>,
    ) -> Result<Server, Error> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let address = address.unwrap_or_else(|| {
            let mut nonce = [0u8; 8];
            let _ = getrandom::fill(&mut nonce);
            Address::Abstract(
                format!(
                    "poolrt-manager-{}-{}-{:016x}",
                    std::process::id(),
                    NEXT.fetch_add(1, Ordering::Relaxed),
                    u64::from_le_bytes(nonce)
                )
                .into_bytes(),
            )
        });
        let failed = |e: io::Error| {
            Error::new(ErrorKind::Spawn, e)
                .with_detail(format!("cannot start a manager's server on {address}"))
        };
        let (listening, address) = match &address {
            Address::Abstract(name) => {
                let l = UnixAddr::from_abstract_name(name)
                    .and_then(|a| UnixListener::bind_addr(&a))
                    .map_err(failed)?;
                (Listening::Unix(l), address.clone())
            }
            Address::Unix(path) => (
                Listening::Unix(UnixListener::bind(path).map_err(failed)?),
                address.clone(),
            ),
            Address::Tcp(tcp) => {
                let l = TcpListener::bind(tcp).map_err(failed)?;
                let bound = l.local_addr().map_err(failed)?;
                (Listening::Tcp(l), Address::Tcp(bound))
            }
        };
        let listener = listening.as_fd().try_clone_to_owned().map_err(failed)?;
        let shared = Arc::new(Shared {
            store: Mutex::new(Store::default()),
            registry,
            config,
            stopping: AtomicBool::new(false),
            listener,
            connections: Mutex::new(HashMap::new()),
            next_connection: AtomicU64::new(0),
            live: AtomicUsize::new(0),
            processes: Mutex::new(HashMap::new()),
            stopped: Mutex::new(false),
            stopped_changed: Condvar::new(),
        });
        let (ready, started) = std::sync::mpsc::channel();
        let accept = {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name("poolrt-manager".to_owned())
                .spawn(move || {
                    if let Some(initializer) = initializer {
                        let ran =
                            std::panic::catch_unwind(std::panic::AssertUnwindSafe(initializer));
                        let failed = ran.is_err();
                        let _ = ready.send(ran.map_err(|panic| panic_text(&*panic)));
                        if failed {
                            return;
                        }
                    } else {
                        let _ = ready.send(Ok(()));
                    }
                    accept_loop(&listening, &shared);
                })
                .map_err(failed)?
        };
        match started.recv() {
            Ok(Ok(())) => {}
            Ok(Err(message)) => {
                let _ = accept.join();
                return Err(Error::from_kind(ErrorKind::Initializer)
                    .with_detail(format!("the manager's initializer panicked: {message}")));
            }
            Err(_) => {
                let _ = accept.join();
                return Err(Error::from_kind(ErrorKind::Initializer)
                    .with_detail("the manager's initializer did not finish"));
            }
        }
        Ok(Server {
            address,
            shared,
            accept: Mutex::new(Some(accept)),
        })
    }

    pub(crate) fn address(&self) -> &Address {
        &self.address
    }

    /// The number of open connections.
    pub(super) fn connections(&self) -> usize {
        self.shared.live.load(Ordering::SeqCst)
    }

    /// Waits until the server stops (a `shutdown`, from here or from a
    /// client).
    pub(super) fn wait_stopped(&self) {
        let mut stopped = self.shared.stopped.lock();
        while !*stopped {
            self.shared.stopped_changed.wait(&mut stopped);
        }
    }

    /// Stops accepting, ends every connection, waits for the accept
    /// thread. Idempotent.
    pub(super) fn shutdown(&self) {
        self.shared.stop();
        if let Some(accept) = self.accept.lock().take() {
            let _ = accept.join();
        }
        super::client::forget(&self.address);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl Shared {
    /// Stops the server; the accept thread and every connection's thread
    /// end soon after. Idempotent.
    fn stop(&self) {
        if self.stopping.swap(true, Ordering::SeqCst) {
            return;
        }
        // On Linux, shutting a listening socket down fails a blocked
        // `accept`.
        let _ = crate::sys::socket::shut_listener(&self.listener);
        for connection in self.connections.lock().values() {
            connection.shutdown();
        }
        let slots: Vec<_> = self.store.lock().objects.values().cloned().collect();
        for slot in slots {
            let _guard = slot.object.lock();
            slot.changed.notify_all();
        }
        *self.stopped.lock() = true;
        self.stopped_changed.notify_all();
    }
}

fn accept_loop(listening: &Listening, shared: &Arc<Shared>) {
    loop {
        let accepted = match listening {
            Listening::Unix(l) => l.accept().map(|(s, _)| Stream::Unix(s)),
            Listening::Tcp(l) => l.accept().and_then(|(s, _)| {
                s.set_nodelay(true)?;
                Ok(Stream::Tcp(s))
            }),
        };
        if shared.stopping.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = accepted else {
            // Out of descriptors, a peer gone before accept: wait a
            // little rather than spin, and go on.
            std::thread::sleep(Duration::from_millis(1));
            continue;
        };
        // Counted here, so a burst of connections cannot overshoot.
        if shared.live.fetch_add(1, Ordering::SeqCst) >= shared.config.max_connections {
            shared.live.fetch_sub(1, Ordering::SeqCst);
            drop(stream);
            continue;
        }
        let id = shared.next_connection.fetch_add(1, Ordering::Relaxed);
        let Ok(second) = stream.try_clone() else {
            shared.live.fetch_sub(1, Ordering::SeqCst);
            continue;
        };
        shared.connections.lock().insert(id, second);
        let for_thread = shared.clone();
        let started = std::thread::Builder::new()
            .name("poolrt-manager-conn".to_owned())
            .stack_size(CONNECTION_STACK)
            .spawn(move || {
                let process = serve(stream, &for_thread);
                for_thread.connection_ended(id, process);
            });
        if started.is_err() {
            // No thread to serve it: closing the connection tells its
            // client at once.
            shared.connection_ended(id, None);
        }
    }
}

impl Shared {
    fn connection_ended(&self, id: u64, process: Option<u64>) {
        if let Some(stream) = self.connections.lock().remove(&id) {
            stream.shutdown();
        }
        if let Some(process) = process {
            let last = {
                let mut processes = self.processes.lock();
                let count = processes.entry(process).or_insert(1);
                *count -= 1;
                let last = *count == 0;
                if last {
                    processes.remove(&process);
                }
                last
            };
            if last {
                let slots: Vec<_> = self.store.lock().objects.values().cloned().collect();
                for slot in slots {
                    let mut object = slot.object.lock();
                    if object.caller_gone(process) {
                        slot.changed.notify_all();
                    }
                }
            }
        }
        self.live.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Serves one connection until it ends; returns the process it spoke for.
fn serve(stream: Stream, shared: &Shared) -> Option<u64> {
    let stream = admit(stream, &shared.config)?;
    let _ = stream.set_read_timeout(shared.config.idle_timeout);
    let mut framed = Framed::new(stream, shared.config.max_frame);
    let Ok(Ok(Request::Hello { process })) = framed.read_value::<Request>() else {
        return None;
    };
    *shared.processes.lock().entry(process).or_insert(0) += 1;
    if framed.write(&Reply::Done).is_err() {
        return Some(process);
    }
    loop {
        // A frame that is over the cap, truncated or not a request ends
        // the connection: nothing more from this peer can be trusted to
        // be in step.
        let Ok(Ok(request)) = framed.read_value::<Request>() else {
            return Some(process);
        };
        let reply = match request {
            Request::Hello { .. } => Reply::Done,
            Request::Create {
                kind,
                name,
                type_name,
                args,
            } => shared.create(&kind, name, &type_name, &args),
            Request::Call {
                id,
                thread,
                timeout_us,
                command,
            } => {
                let caller = Caller { process, thread };
                match shared.call(id, caller, timeout_us, &command, &framed.stream) {
                    Some(reply) => reply,
                    None => return Some(process),
                }
            }
            Request::Shutdown => {
                let _ = framed.write(&Reply::Done);
                shared.stop();
                return Some(process);
            }
        };
        if framed.write(&reply).is_err() {
            return Some(process);
        }
        framed.shrink();
    }
}

/// The handshake and the user check; the stream once they passed.
fn admit(stream: Stream, config: &Config) -> Option<Stream> {
    if config.same_user {
        let Stream::Unix(unix) = &stream else {
            return None;
        };
        if !crate::sys::socket::peer_is_same_user(unix) {
            return None;
        }
    }
    if config.authkey.is_empty() {
        return Some(stream);
    }
    let deadline = Instant::now() + HANDSHAKE_TIMEOUT;
    match stream {
        Stream::Unix(s) => {
            let fd = authenticate(
                OwnedFd::from(s),
                &config.authkey,
                Side::Listener,
                deadline,
                "a manager's client",
            )
            .ok()?;
            Some(Stream::Unix(UnixStream::from(fd)))
        }
        Stream::Tcp(s) => {
            let fd = authenticate(
                OwnedFd::from(s),
                &config.authkey,
                Side::Listener,
                deadline,
                "a manager's client",
            )
            .ok()?;
            Some(Stream::Tcp(std::net::TcpStream::from(fd)))
        }
    }
}

impl Shared {
    fn create(&self, kind: &str, name: Option<String>, type_name: &str, args: &[u8]) -> Reply {
        if self.stopping.load(Ordering::SeqCst) {
            return Reply::Failed(Failure::Closed, "the manager is shutting down".to_owned());
        }
        let existing = name.as_deref().and_then(|n| self.store.lock().named(n));
        if let Some((id, existing)) = existing {
            if existing != kind {
                return Reply::Failed(
                    Failure::NoSuchObject,
                    format!("the object named {name:?} is a {existing}, not a {kind}"),
                );
            }
            return Reply::Created { id, kind: existing };
        }
        let Some((registered, make)) = self.registry.kinds.get(kind) else {
            let mut known: Vec<_> = self.registry.kinds.keys().cloned().collect();
            known.sort();
            return Reply::Failed(
                Failure::UnknownKind,
                format!(
                    "no type is registered as {kind:?} (registered: {})",
                    known.join(", ")
                ),
            );
        };
        if *registered != type_name {
            return Reply::Failed(
                Failure::WrongType,
                format!("{kind:?} is registered as a {registered}, not a {type_name}"),
            );
        }
        match make(args) {
            Ok(object) => {
                let mut store = self.store.lock();
                // Another connection may have made the named object
                // meanwhile: the first one made wins.
                if let Some((id, existing)) = name.as_deref().and_then(|n| store.named(n)) {
                    return Reply::Created { id, kind: existing };
                }
                let id = store.add(kind, name, object);
                Reply::Created {
                    id,
                    kind: kind.to_owned(),
                }
            }
            Err(why) => Reply::Failed(Failure::WrongType, format!("making a {kind}: {why}")),
        }
    }

    /// Serves one call; `None` when the caller hung up while it waited.
    fn call(
        &self,
        id: u64,
        caller: Caller,
        timeout_us: Option<u64>,
        command: &[u8],
        stream: &Stream,
    ) -> Option<Reply> {
        let Some(slot) = self.store.lock().objects.get(&id).cloned() else {
            return Some(Reply::Failed(
                Failure::NoSuchObject,
                format!("no object {id} on this manager"),
            ));
        };
        let deadline = timeout_us.map(|us| Instant::now() + Duration::from_micros(us));
        let mut object = slot.object.lock();
        loop {
            if self.stopping.load(Ordering::SeqCst) {
                return Some(Reply::Failed(
                    Failure::Closed,
                    "the manager is shutting down".to_owned(),
                ));
            }
            match object.call(command, caller) {
                Ok(Served::Reply(reply)) => {
                    slot.changed.notify_all();
                    return Some(Reply::Value(reply));
                }
                Ok(Served::Wait { changed }) => {
                    if changed {
                        slot.changed.notify_all();
                    }
                }
                Err(why) => return Some(Reply::Failed(Failure::WrongType, why)),
            }
            let now = Instant::now();
            if deadline.is_some_and(|d| now >= d) {
                if object.gave_up(caller) {
                    slot.changed.notify_all();
                }
                return Some(Reply::Failed(
                    Failure::Timeout,
                    format!("the {} did not become ready in time", slot.kind),
                ));
            }
            let until = deadline.map_or(now + WAIT_SLICE, |d| d.min(now + WAIT_SLICE));
            if slot.changed.wait_until(&mut object, until).timed_out() && stream.peer_gone() {
                if object.gave_up(caller) {
                    slot.changed.notify_all();
                }
                return None;
            }
        }
    }
}

/// A panic's message, when it is text.
fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = panic.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic that is not text".to_owned()
    }
}
