//! Locks, semaphores and events held by a manager, and their proxies
//! (Python's `AcquirerProxy` and `EventProxy`). A lock held through a
//! proxy by a process that dies is released by the server.

use std::marker::PhantomData;
use std::time::Duration;

use pool_core::{Error, ErrorKind};
use serde::{Deserialize, Serialize};

use super::super::object::{Caller, Handled, Shared};
use super::super::proxy::Remote;

/// Commands of a lock or semaphore.
#[derive(Serialize, Deserialize)]
pub(crate) enum AcquirerCommand {
    /// Waits until acquired.
    Acquire,
    /// Acquires if free now.
    TryAcquire,
    Release,
    /// Whether held (a lock) or the counter (a semaphore).
    State,
}

/// Replies of a lock or semaphore.
#[derive(Serialize, Deserialize)]
pub(crate) enum AcquirerReply {
    Acquired(bool),
    Released,
    State(u64),
    /// A release that is not allowed; why.
    Refused(String),
}

/// `Lock` (`reentrant: false`) or `RLock`.
pub(crate) struct LockObject {
    reentrant: bool,
    owner: Option<Caller>,
    depth: u64,
}

impl LockObject {
    pub(crate) fn lock(_: ()) -> LockObject {
        LockObject {
            reentrant: false,
            owner: None,
            depth: 0,
        }
    }

    pub(crate) fn rlock(_: ()) -> LockObject {
        LockObject {
            reentrant: true,
            owner: None,
            depth: 0,
        }
    }

    fn try_acquire(&mut self, caller: Caller) -> bool {
        match self.owner {
            None => {
                self.owner = Some(caller);
                self.depth = 1;
                true
            }
            Some(owner) if self.reentrant && owner == caller => {
                self.depth += 1;
                true
            }
            Some(_) => false,
        }
    }
}

impl Shared for LockObject {
    type Command = AcquirerCommand;
    type Reply = AcquirerReply;

    fn handle(&mut self, command: AcquirerCommand, caller: Caller) -> Handled<AcquirerReply> {
        use AcquirerCommand as C;
        Handled::Done(match command {
            C::Acquire if self.try_acquire(caller) => AcquirerReply::Acquired(true),
            C::Acquire => return Handled::Wait,
            C::TryAcquire => AcquirerReply::Acquired(self.try_acquire(caller)),
            C::Release => match self.owner {
                None => AcquirerReply::Refused("release of an unlocked lock".to_owned()),
                Some(owner) if self.reentrant && owner != caller => AcquirerReply::Refused(
                    "cannot release an RLock held by another thread".to_owned(),
                ),
                Some(_) => {
                    self.depth -= 1;
                    if self.depth == 0 || !self.reentrant {
                        self.owner = None;
                        self.depth = 0;
                    }
                    AcquirerReply::Released
                }
            },
            C::State => AcquirerReply::State(self.depth),
        })
    }

    fn caller_gone(&mut self, process: u64) -> bool {
        if self.owner.is_some_and(|owner| owner.process == process) {
            self.owner = None;
            self.depth = 0;
            return true;
        }
        false
    }
}

/// `Semaphore` (`bound: None`) or `BoundedSemaphore`.
pub(crate) struct SemaphoreObject {
    value: u64,
    bound: Option<u64>,
}

impl SemaphoreObject {
    pub(crate) fn new(value: u64) -> SemaphoreObject {
        SemaphoreObject { value, bound: None }
    }

    pub(crate) fn bounded(value: u64) -> SemaphoreObject {
        SemaphoreObject {
            value,
            bound: Some(value),
        }
    }
}

impl Shared for SemaphoreObject {
    type Command = AcquirerCommand;
    type Reply = AcquirerReply;

    fn handle(&mut self, command: AcquirerCommand, _: Caller) -> Handled<AcquirerReply> {
        use AcquirerCommand as C;
        Handled::Done(match command {
            C::Acquire | C::TryAcquire if self.value > 0 => {
                self.value -= 1;
                AcquirerReply::Acquired(true)
            }
            C::Acquire => return Handled::Wait,
            C::TryAcquire => AcquirerReply::Acquired(false),
            C::Release if self.bound.is_some_and(|b| self.value >= b) => {
                AcquirerReply::Refused("semaphore released too many times".to_owned())
            }
            C::Release => {
                self.value += 1;
                AcquirerReply::Released
            }
            C::State => AcquirerReply::State(self.value),
        })
    }
}

/// Commands of an event.
#[derive(Serialize, Deserialize)]
pub(crate) enum EventCommand {
    Set,
    Clear,
    IsSet,
    Wait,
}

pub(crate) struct EventObject(bool);

impl EventObject {
    pub(crate) fn new(_: ()) -> EventObject {
        EventObject(false)
    }
}

impl Shared for EventObject {
    type Command = EventCommand;
    type Reply = bool;

    fn handle(&mut self, command: EventCommand, _: Caller) -> Handled<bool> {
        match command {
            EventCommand::Set => self.0 = true,
            EventCommand::Clear => self.0 = false,
            EventCommand::IsSet => {}
            EventCommand::Wait if !self.0 => return Handled::Wait,
            EventCommand::Wait => {}
        }
        Handled::Done(self.0)
    }
}

/// The proxy of a lock, rlock, semaphore or bounded semaphore held by a
/// [`Manager`](crate::Manager) (Python's `AcquirerProxy`, returned by
/// `manager.Lock()`, `RLock()`, `Semaphore()`, `BoundedSemaphore()`).
/// A lock held by a process that dies is released by the server.
///
/// # Examples
///
/// ```
/// let manager = pool_process::Manager::new().unwrap();
/// let lock = manager.lock().unwrap();
/// lock.acquire().unwrap();
/// assert!(!lock.try_acquire().unwrap());
/// lock.release().unwrap();
/// assert!(lock.try_acquire().unwrap());
/// ```
#[derive(Serialize, Deserialize)]
pub struct AcquirerProxy {
    pub(crate) remote: Remote,
    #[serde(skip)]
    pub(crate) _types: PhantomData<()>,
}

proxy_common!(AcquirerProxy, "AcquirerProxy");

impl AcquirerProxy {
    /// Waits until acquired (Python's `acquire()`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Closed`] when the manager is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = pool_process::Manager::new().unwrap().semaphore(1).unwrap();
    /// sem.acquire().unwrap();
    /// ```
    pub fn acquire(&self) -> Result<(), Error> {
        self.remote
            .call::<_, AcquirerReply>(&AcquirerCommand::Acquire, Some(None))?;
        Ok(())
    }

    /// [`acquire`](Self::acquire), for at most `timeout`; whether it was
    /// acquired (Python's `acquire(timeout=...)`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Closed`] when the manager is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let lock = pool_process::Manager::new().unwrap().lock().unwrap();
    /// assert!(lock.acquire_timeout(Duration::from_millis(10)).unwrap());
    /// assert!(!lock.acquire_timeout(Duration::from_millis(10)).unwrap());
    /// ```
    pub fn acquire_timeout(&self, timeout: Duration) -> Result<bool, Error> {
        match self
            .remote
            .call::<_, AcquirerReply>(&AcquirerCommand::Acquire, Some(Some(timeout)))
        {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == ErrorKind::Timeout => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Acquires if free now; whether it did (Python's
    /// `acquire(blocking=False)`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Closed`] when the manager is gone.
    ///
    /// # Examples
    ///
    /// See [`AcquirerProxy`].
    pub fn try_acquire(&self) -> Result<bool, Error> {
        match self.remote.call(&AcquirerCommand::TryAcquire, None)? {
            AcquirerReply::Acquired(got) => Ok(got),
            _ => Err(unexpected()),
        }
    }

    /// Releases (Python's `release()`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidState`] for a lock that is not held, an RLock
    /// held by another thread, or a bounded semaphore released too many
    /// times; [`ErrorKind::Closed`] when the manager is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = pool_process::Manager::new().unwrap().lock().unwrap();
    /// assert!(lock.release().is_err(), "not held");
    /// ```
    pub fn release(&self) -> Result<(), Error> {
        match self.remote.call(&AcquirerCommand::Release, None)? {
            AcquirerReply::Released => Ok(()),
            AcquirerReply::Refused(why) => {
                Err(Error::from_kind(ErrorKind::InvalidState).with_detail(why))
            }
            _ => Err(unexpected()),
        }
    }

    /// For a lock, how deep it is held (0: free); for a semaphore, its
    /// counter.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Closed`] when the manager is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = pool_process::Manager::new().unwrap().semaphore(3).unwrap();
    /// assert_eq!(sem.value().unwrap(), 3);
    /// ```
    pub fn value(&self) -> Result<u64, Error> {
        match self.remote.call(&AcquirerCommand::State, None)? {
            AcquirerReply::State(n) => Ok(n),
            _ => Err(unexpected()),
        }
    }
}

/// The proxy of an event held by a [`Manager`](crate::Manager) (Python's
/// `EventProxy`, returned by `manager.Event()`).
///
/// # Examples
///
/// ```
/// let event = pool_process::Manager::new().unwrap().event().unwrap();
/// assert!(!event.is_set().unwrap());
/// event.set().unwrap();
/// event.wait().unwrap();
/// ```
#[derive(Serialize, Deserialize)]
pub struct EventProxy {
    pub(crate) remote: Remote,
    #[serde(skip)]
    pub(crate) _types: PhantomData<()>,
}

proxy_common!(EventProxy, "EventProxy");

impl EventProxy {
    /// Sets the flag and wakes every waiter.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Closed`] when the manager is gone.
    ///
    /// # Examples
    ///
    /// See [`EventProxy`].
    pub fn set(&self) -> Result<(), Error> {
        self.remote
            .call::<_, bool>(&EventCommand::Set, None)
            .map(drop)
    }

    /// Clears the flag.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Closed`] when the manager is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// let event = pool_process::Manager::new().unwrap().event().unwrap();
    /// event.set().unwrap();
    /// event.clear().unwrap();
    /// assert!(!event.is_set().unwrap());
    /// ```
    pub fn clear(&self) -> Result<(), Error> {
        self.remote
            .call::<_, bool>(&EventCommand::Clear, None)
            .map(drop)
    }

    /// Whether the flag is set.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Closed`] when the manager is gone.
    ///
    /// # Examples
    ///
    /// See [`EventProxy`].
    pub fn is_set(&self) -> Result<bool, Error> {
        self.remote.call(&EventCommand::IsSet, None)
    }

    /// Waits until the flag is set.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Closed`] when the manager is gone.
    ///
    /// # Examples
    ///
    /// See [`EventProxy`].
    pub fn wait(&self) -> Result<(), Error> {
        self.remote
            .call::<_, bool>(&EventCommand::Wait, Some(None))
            .map(drop)
    }

    /// [`wait`](Self::wait) for at most `timeout`; whether the flag is set
    /// (Python's `wait(timeout)`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Closed`] when the manager is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let event = pool_process::Manager::new().unwrap().event().unwrap();
    /// assert!(!event.wait_timeout(Duration::from_millis(10)).unwrap());
    /// ```
    pub fn wait_timeout(&self, timeout: Duration) -> Result<bool, Error> {
        match self
            .remote
            .call::<_, bool>(&EventCommand::Wait, Some(Some(timeout)))
        {
            Ok(set) => Ok(set),
            Err(e) if e.kind() == ErrorKind::Timeout => Ok(false),
            Err(e) => Err(e),
        }
    }
}

fn unexpected() -> Error {
    Error::from_kind(ErrorKind::Deserialize).with_detail("an unexpected reply from the manager")
}
