//! Conditions held by a manager, and their proxy (Python's
//! `manager.Condition()`, over an RLock of its own).

use std::marker::PhantomData;
use std::time::Duration;

use pool_core::{Error, ErrorKind};
use serde::{Deserialize, Serialize};

use super::super::object::{Caller, Handled, Shared};
use super::super::proxy::Remote;

#[derive(Serialize, Deserialize)]
pub(crate) enum ConditionCommand {
    Acquire,
    TryAcquire,
    Release,
    /// Releases the lock, waits for a notify, takes the lock back.
    Wait,
    Notify(u64),
    NotifyAll,
}

#[derive(Serialize, Deserialize)]
pub(crate) enum ConditionReply {
    Acquired(bool),
    Done,
    Refused(String),
}

/// A waiter: who, whether notified, and how deep it held the lock.
struct Waiter {
    caller: Caller,
    notified: bool,
    depth: u64,
}

#[derive(Default)]
pub(crate) struct ConditionObject {
    owner: Option<Caller>,
    depth: u64,
    waiters: Vec<Waiter>,
}

impl ConditionObject {
    pub(crate) fn new(_: ()) -> ConditionObject {
        ConditionObject::default()
    }

    fn try_acquire(&mut self, caller: Caller) -> bool {
        match self.owner {
            None => {
                self.owner = Some(caller);
                self.depth = 1;
                true
            }
            Some(owner) if owner == caller => {
                self.depth += 1;
                true
            }
            Some(_) => false,
        }
    }

    fn notify(&mut self, n: usize) {
        for waiter in self.waiters.iter_mut().filter(|w| !w.notified).take(n) {
            waiter.notified = true;
        }
    }
}

fn refused(why: &str) -> Handled<ConditionReply> {
    Handled::Done(ConditionReply::Refused(why.to_owned()))
}

impl Shared for ConditionObject {
    type Command = ConditionCommand;
    type Reply = ConditionReply;

    fn handle(&mut self, command: ConditionCommand, caller: Caller) -> Handled<ConditionReply> {
        use ConditionCommand as C;
        let owned = self.owner == Some(caller);
        Handled::Done(match command {
            C::Acquire if self.try_acquire(caller) => ConditionReply::Acquired(true),
            C::Acquire => return Handled::Wait,
            C::TryAcquire => ConditionReply::Acquired(self.try_acquire(caller)),
            C::Release if !owned => return refused("cannot release un-acquired lock"),
            C::Release => {
                self.depth -= 1;
                if self.depth == 0 {
                    self.owner = None;
                }
                ConditionReply::Done
            }
            C::Wait => {
                if let Some(at) = self.waiters.iter().position(|w| w.caller == caller) {
                    if self.waiters[at].notified && self.owner.is_none() {
                        let waiter = self.waiters.remove(at);
                        self.owner = Some(caller);
                        self.depth = waiter.depth;
                        return Handled::Done(ConditionReply::Acquired(true));
                    }
                    return Handled::Wait;
                }
                if !owned {
                    return refused("cannot wait on un-acquired lock");
                }
                self.waiters.push(Waiter {
                    caller,
                    notified: false,
                    depth: self.depth,
                });
                self.owner = None;
                self.depth = 0;
                return Handled::WaitChanged;
            }
            C::Notify(_) | C::NotifyAll if !owned => {
                return refused("cannot notify on un-acquired lock");
            }
            C::Notify(n) => {
                self.notify(usize::try_from(n).unwrap_or(usize::MAX));
                ConditionReply::Done
            }
            C::NotifyAll => {
                self.notify(usize::MAX);
                ConditionReply::Done
            }
        })
    }

    fn gave_up(&mut self, caller: Caller) -> bool {
        self.waiters.retain(|w| w.caller != caller);
        false
    }

    fn caller_gone(&mut self, process: u64) -> bool {
        self.waiters.retain(|w| w.caller.process != process);
        if self.owner.is_some_and(|o| o.process == process) {
            self.owner = None;
            self.depth = 0;
            return true;
        }
        false
    }
}

/// The proxy of a condition held by a [`Manager`](crate::Manager)
/// (Python's `manager.Condition()`), with a reentrant lock of its own,
/// released by the server if its holder dies.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// let cond = pool_process::Manager::new().unwrap().condition().unwrap();
/// cond.acquire().unwrap();
/// assert!(!cond.wait_timeout(Duration::from_millis(10)).unwrap(), "nobody notified");
/// cond.notify_all().unwrap();
/// cond.release().unwrap();
/// ```
#[derive(Serialize, Deserialize)]
pub struct ConditionProxy {
    pub(crate) remote: Remote,
    #[serde(skip)]
    pub(crate) _types: PhantomData<()>,
}

proxy_common!(ConditionProxy, "ConditionProxy");

impl ConditionProxy {
    fn call(
        &self,
        command: &ConditionCommand,
        wait: Option<Option<Duration>>,
    ) -> Result<bool, Error> {
        match self.remote.call(command, wait)? {
            ConditionReply::Acquired(got) => Ok(got),
            ConditionReply::Done => Ok(true),
            ConditionReply::Refused(why) => {
                Err(Error::from_kind(ErrorKind::InvalidState).with_detail(why))
            }
        }
    }

    /// Takes the lock, waiting for it.
    ///
    /// # Errors
    ///
    /// The manager is gone.
    ///
    /// # Examples
    ///
    /// See [`ConditionProxy`].
    pub fn acquire(&self) -> Result<(), Error> {
        self.call(&ConditionCommand::Acquire, Some(None)).map(drop)
    }

    /// Takes the lock if free now (or held by this thread); whether it
    /// did.
    ///
    /// # Errors
    ///
    /// The manager is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// let cond = pool_process::Manager::new().unwrap().condition().unwrap();
    /// assert!(cond.try_acquire().unwrap());
    /// ```
    pub fn try_acquire(&self) -> Result<bool, Error> {
        self.call(&ConditionCommand::TryAcquire, None)
    }

    /// Releases the lock.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidState`] if this thread does not hold it; the
    /// manager is gone.
    ///
    /// # Examples
    ///
    /// See [`ConditionProxy`].
    pub fn release(&self) -> Result<(), Error> {
        self.call(&ConditionCommand::Release, None).map(drop)
    }

    /// Releases the lock, waits for a notify, and takes the lock back
    /// (Python's `wait()`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidState`] if this thread does not hold the lock;
    /// the manager is gone.
    ///
    /// # Examples
    ///
    /// See [`ConditionProxy`].
    pub fn wait(&self) -> Result<(), Error> {
        self.call(&ConditionCommand::Wait, Some(None)).map(drop)
    }

    /// [`wait`](Self::wait) for a notify for at most `timeout`; whether
    /// one came. The lock is held again on return either way (Python's
    /// `wait(timeout)`).
    ///
    /// # Errors
    ///
    /// As for [`wait`](Self::wait).
    ///
    /// # Examples
    ///
    /// See [`ConditionProxy`].
    pub fn wait_timeout(&self, timeout: Duration) -> Result<bool, Error> {
        match self.call(&ConditionCommand::Wait, Some(Some(timeout))) {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == ErrorKind::Timeout => {
                self.acquire()?;
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// Wakes up to `n` waiters (Python's `notify(n)`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidState`] if this thread does not hold the lock;
    /// the manager is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// let cond = pool_process::Manager::new().unwrap().condition().unwrap();
    /// assert!(cond.notify(1).is_err(), "the lock is not held");
    /// ```
    pub fn notify(&self, n: u64) -> Result<(), Error> {
        self.call(&ConditionCommand::Notify(n), None).map(drop)
    }

    /// Wakes every waiter (Python's `notify_all()`).
    ///
    /// # Errors
    ///
    /// As for [`notify`](Self::notify).
    ///
    /// # Examples
    ///
    /// See [`ConditionProxy`].
    pub fn notify_all(&self) -> Result<(), Error> {
        self.call(&ConditionCommand::NotifyAll, None).map(drop)
    }
}
