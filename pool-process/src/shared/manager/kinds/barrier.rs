//! Barriers and conditions held by a manager, and their proxies
//! (Python's `manager.Barrier(parties)` and `manager.Condition()`). Both
//! keep per-caller state between a waiting command's tries, and use
//! [`Shared::gave_up`] to learn of a waiter that timed out or hung up.

use std::collections::{HashMap, HashSet};
use std::marker::PhantomData;
use std::time::Duration;

use pool_core::{Error, ErrorKind};
use serde::{Deserialize, Serialize};

use super::super::object::{Caller, Handled, Shared};
use super::super::proxy::Remote;

#[derive(Serialize, Deserialize)]
pub(crate) enum BarrierCommand {
    Wait,
    Abort,
    Reset,
    State,
}

#[derive(Serialize, Deserialize)]
pub(crate) enum BarrierReply {
    /// Passed, with this arrival index (Python's `wait()` value).
    Passed(u64),
    /// The barrier is broken (Python's `BrokenBarrierError`).
    Broken,
    Done,
    /// Parties, waiting now, broken.
    State(u64, u64, bool),
}

pub(crate) struct BarrierObject {
    parties: u64,
    generation: u64,
    /// Arrivals in the current generation.
    count: u64,
    broken: bool,
    /// Each waiting caller's generation and arrival index.
    waiting: HashMap<Caller, (u64, u64)>,
    /// Waiters that the barrier broke under (they answer `Broken` next).
    failed: HashSet<Caller>,
}

impl BarrierObject {
    pub(crate) fn new(parties: u64) -> BarrierObject {
        BarrierObject {
            parties: parties.max(1),
            generation: 0,
            count: 0,
            broken: false,
            waiting: HashMap::new(),
            failed: HashSet::new(),
        }
    }

    /// Breaks the barrier: every waiter answers `Broken`.
    fn break_it(&mut self) {
        self.broken = true;
        self.count = 0;
        self.failed
            .extend(self.waiting.drain().map(|(caller, _)| caller));
    }
}

impl Shared for BarrierObject {
    type Command = BarrierCommand;
    type Reply = BarrierReply;

    fn handle(&mut self, command: BarrierCommand, caller: Caller) -> Handled<BarrierReply> {
        Handled::Done(match command {
            BarrierCommand::Wait => {
                if self.failed.remove(&caller) {
                    return Handled::Done(BarrierReply::Broken);
                }
                if let Some(&(generation, index)) = self.waiting.get(&caller) {
                    if generation < self.generation {
                        self.waiting.remove(&caller);
                        return Handled::Done(BarrierReply::Passed(index));
                    }
                    return Handled::Wait;
                }
                if self.broken {
                    return Handled::Done(BarrierReply::Broken);
                }
                let index = self.count;
                self.count += 1;
                if self.count == self.parties {
                    self.count = 0;
                    self.generation += 1;
                    BarrierReply::Passed(index)
                } else {
                    self.waiting.insert(caller, (self.generation, index));
                    return Handled::Wait;
                }
            }
            BarrierCommand::Abort => {
                self.break_it();
                BarrierReply::Done
            }
            BarrierCommand::Reset => {
                self.break_it();
                self.broken = false;
                BarrierReply::Done
            }
            BarrierCommand::State => {
                BarrierReply::State(self.parties, self.waiting.len() as u64, self.broken)
            }
        })
    }

    fn gave_up(&mut self, caller: Caller) -> bool {
        self.failed.remove(&caller);
        if self
            .waiting
            .get(&caller)
            .is_some_and(|&(generation, _)| generation == self.generation)
        {
            // Python: a wait that times out breaks the barrier.
            self.waiting.remove(&caller);
            self.break_it();
            return true;
        }
        self.waiting.remove(&caller);
        false
    }

    fn caller_gone(&mut self, process: u64) -> bool {
        self.failed.retain(|c| c.process != process);
        let gone = self.waiting.keys().any(|c| c.process == process);
        if gone {
            self.waiting.retain(|c, _| c.process != process);
            self.break_it();
        }
        gone
    }
}

/// The proxy of a barrier held by a [`Manager`](crate::Manager) (Python's
/// `manager.Barrier(parties)`): a wait that times out, or a party that
/// dies while waiting, breaks it, as in Python.
///
/// # Examples
///
/// ```
/// let barrier = pool_process::Manager::new().unwrap().barrier(1).unwrap();
/// assert_eq!(barrier.wait().unwrap(), 0);
/// ```
#[derive(Serialize, Deserialize)]
pub struct BarrierProxy {
    pub(crate) remote: Remote,
    #[serde(skip)]
    pub(crate) _types: PhantomData<()>,
}

proxy_common!(BarrierProxy, "BarrierProxy");

fn broken() -> Error {
    Error::from_kind(ErrorKind::Broken).with_detail("the barrier is broken")
}

impl BarrierProxy {
    fn passed(&self, wait: Option<Duration>) -> Result<u64, Error> {
        match self.remote.call(&BarrierCommand::Wait, Some(wait))? {
            BarrierReply::Passed(index) => Ok(index),
            BarrierReply::Broken => Err(broken()),
            _ => Err(unexpected()),
        }
    }

    /// Waits until every party arrived; this party's arrival index.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Broken`] if the barrier is or becomes broken; the
    /// manager is gone.
    ///
    /// # Examples
    ///
    /// See [`BarrierProxy`].
    pub fn wait(&self) -> Result<u64, Error> {
        self.passed(None)
    }

    /// [`wait`](Self::wait) for at most `timeout`, after which the barrier
    /// breaks (as Python's `wait(timeout)`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Timeout`] when it timed out; otherwise as
    /// [`wait`](Self::wait).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let barrier = pool_process::Manager::new().unwrap().barrier(2).unwrap();
    /// assert!(barrier.wait_timeout(Duration::from_millis(10)).unwrap_err().is_timeout());
    /// assert!(barrier.broken().unwrap());
    /// ```
    pub fn wait_timeout(&self, timeout: Duration) -> Result<u64, Error> {
        self.passed(Some(timeout))
    }

    /// Breaks the barrier (Python's `abort()`).
    ///
    /// # Errors
    ///
    /// The manager is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// let barrier = pool_process::Manager::new().unwrap().barrier(2).unwrap();
    /// barrier.abort().unwrap();
    /// assert!(barrier.wait().is_err());
    /// ```
    pub fn abort(&self) -> Result<(), Error> {
        self.remote
            .call::<_, BarrierReply>(&BarrierCommand::Abort, None)
            .map(drop)
    }

    /// Mends the barrier; parties waiting now fail as broken (Python's
    /// `reset()`).
    ///
    /// # Errors
    ///
    /// The manager is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// let barrier = pool_process::Manager::new().unwrap().barrier(2).unwrap();
    /// barrier.abort().unwrap();
    /// barrier.reset().unwrap();
    /// assert!(!barrier.broken().unwrap());
    /// ```
    pub fn reset(&self) -> Result<(), Error> {
        self.remote
            .call::<_, BarrierReply>(&BarrierCommand::Reset, None)
            .map(drop)
    }

    fn state(&self) -> Result<(u64, u64, bool), Error> {
        match self.remote.call(&BarrierCommand::State, None)? {
            BarrierReply::State(parties, waiting, broken) => Ok((parties, waiting, broken)),
            _ => Err(unexpected()),
        }
    }

    /// The number of parties.
    ///
    /// # Errors
    ///
    /// The manager is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// let barrier = pool_process::Manager::new().unwrap().barrier(3).unwrap();
    /// assert_eq!(barrier.parties().unwrap(), 3);
    /// ```
    pub fn parties(&self) -> Result<u64, Error> {
        Ok(self.state()?.0)
    }

    /// How many parties wait now (Python's `n_waiting`).
    ///
    /// # Errors
    ///
    /// The manager is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// let barrier = pool_process::Manager::new().unwrap().barrier(3).unwrap();
    /// assert_eq!(barrier.n_waiting().unwrap(), 0);
    /// ```
    pub fn n_waiting(&self) -> Result<u64, Error> {
        Ok(self.state()?.1)
    }

    /// Whether the barrier is broken.
    ///
    /// # Errors
    ///
    /// The manager is gone.
    ///
    /// # Examples
    ///
    /// See [`wait_timeout`](Self::wait_timeout).
    pub fn broken(&self) -> Result<bool, Error> {
        Ok(self.state()?.2)
    }
}

fn unexpected() -> Error {
    Error::from_kind(ErrorKind::Deserialize)
        .with_detail("an unexpected reply from the manager's barrier")
}
