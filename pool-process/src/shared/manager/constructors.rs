//! The [`Manager`] methods that make the built-in types other than dict
//! and list (Python's `manager.Namespace()`, `Lock()`, `Queue()`, ...).

use std::marker::PhantomData;

use pool_core::Error;
use serde::Serialize;

use super::Manager;
use super::kinds::barrier::{BarrierObject, BarrierProxy};
use super::kinds::condition::{ConditionObject, ConditionProxy};
use super::kinds::namespace::{Namespace, NamespaceObject, ValueObject, ValueProxy};
use super::kinds::queue::{QueueObject, QueueProxy};
use super::kinds::sync::{AcquirerProxy, EventObject, EventProxy, LockObject, SemaphoreObject};
use super::object::Shared;
use super::proxy::{Remote, encode};
use crate::task::Wire;

impl Manager {
    fn builtin<S: Shared, A: Serialize>(&self, kind: &str, args: &A) -> Result<Remote, Error> {
        self.make::<S, A>(kind, None, args)
    }

    /// A new namespace (Python's `manager.Namespace()`).
    ///
    /// # Errors
    ///
    /// The manager is gone ([`ErrorKind::Closed`](pool_core::ErrorKind::Closed)).
    ///
    /// # Examples
    ///
    /// See [`Namespace`].
    pub fn namespace(&self) -> Result<Namespace, Error> {
        let remote = self.builtin::<NamespaceObject, _>("namespace", &())?;
        Ok(Namespace {
            remote,
            _types: PhantomData,
        })
    }

    /// A new value holding `initial` (Python's `manager.Value(typecode,
    /// value)`).
    ///
    /// # Errors
    ///
    /// `initial` could not be serialized; the manager is gone.
    ///
    /// # Examples
    ///
    /// See [`ValueProxy`].
    pub fn value<T: Wire>(&self, initial: T) -> Result<ValueProxy<T>, Error> {
        let remote = self.builtin::<ValueObject, _>("value", &encode(&initial)?)?;
        Ok(ValueProxy {
            remote,
            _types: PhantomData,
        })
    }

    /// A new queue of at most `maxsize` items, 0 for no bound (Python's
    /// `manager.Queue(maxsize)`, and `JoinableQueue`: every manager queue
    /// has `task_done` and `join`).
    ///
    /// # Errors
    ///
    /// The manager is gone.
    ///
    /// # Examples
    ///
    /// See [`QueueProxy`].
    #[doc(alias = "joinable_queue")]
    pub fn queue<T: Wire>(&self, maxsize: u64) -> Result<QueueProxy<T>, Error> {
        let remote = self.builtin::<QueueObject, _>("queue", &maxsize)?;
        Ok(QueueProxy {
            remote,
            _types: PhantomData,
        })
    }

    /// A new lock (Python's `manager.Lock()`).
    ///
    /// # Errors
    ///
    /// The manager is gone.
    ///
    /// # Examples
    ///
    /// See [`AcquirerProxy`].
    pub fn lock(&self) -> Result<AcquirerProxy, Error> {
        let remote = self.builtin::<LockObject, _>("lock", &())?;
        Ok(AcquirerProxy {
            remote,
            _types: PhantomData,
        })
    }

    /// A new reentrant lock (Python's `manager.RLock()`): its holder, one
    /// thread of one process, may acquire it again.
    ///
    /// # Errors
    ///
    /// The manager is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// let rlock = pool_process::Manager::new().unwrap().rlock().unwrap();
    /// rlock.acquire().unwrap();
    /// assert!(rlock.try_acquire().unwrap());
    /// assert_eq!(rlock.value().unwrap(), 2);
    /// ```
    pub fn rlock(&self) -> Result<AcquirerProxy, Error> {
        let remote = self.builtin::<LockObject, _>("rlock", &())?;
        Ok(AcquirerProxy {
            remote,
            _types: PhantomData,
        })
    }

    /// A new semaphore counting from `value` (Python's
    /// `manager.Semaphore(value)`).
    ///
    /// # Errors
    ///
    /// The manager is gone.
    ///
    /// # Examples
    ///
    /// See [`AcquirerProxy::value`].
    pub fn semaphore(&self, value: u64) -> Result<AcquirerProxy, Error> {
        let remote = self.builtin::<SemaphoreObject, _>("semaphore", &value)?;
        Ok(AcquirerProxy {
            remote,
            _types: PhantomData,
        })
    }

    /// A new semaphore that refuses a release above `value` (Python's
    /// `manager.BoundedSemaphore(value)`).
    ///
    /// # Errors
    ///
    /// The manager is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = pool_process::Manager::new().unwrap().bounded_semaphore(1).unwrap();
    /// assert!(sem.release().is_err());
    /// ```
    pub fn bounded_semaphore(&self, value: u64) -> Result<AcquirerProxy, Error> {
        let remote = self.builtin::<SemaphoreObject, _>("bounded_semaphore", &value)?;
        Ok(AcquirerProxy {
            remote,
            _types: PhantomData,
        })
    }

    /// A new event (Python's `manager.Event()`).
    ///
    /// # Errors
    ///
    /// The manager is gone.
    ///
    /// # Examples
    ///
    /// See [`EventProxy`].
    pub fn event(&self) -> Result<EventProxy, Error> {
        let remote = self.builtin::<EventObject, _>("event", &())?;
        Ok(EventProxy {
            remote,
            _types: PhantomData,
        })
    }

    /// A new barrier for `parties` parties (Python's
    /// `manager.Barrier(parties)`).
    ///
    /// # Errors
    ///
    /// The manager is gone.
    ///
    /// # Examples
    ///
    /// See [`BarrierProxy`].
    pub fn barrier(&self, parties: u64) -> Result<BarrierProxy, Error> {
        let remote = self.builtin::<BarrierObject, _>("barrier", &parties)?;
        Ok(BarrierProxy {
            remote,
            _types: PhantomData,
        })
    }

    /// A new condition with a reentrant lock of its own (Python's
    /// `manager.Condition()`).
    ///
    /// # Errors
    ///
    /// The manager is gone.
    ///
    /// # Examples
    ///
    /// See [`ConditionProxy`].
    pub fn condition(&self) -> Result<ConditionProxy, Error> {
        let remote = self.builtin::<ConditionObject, _>("condition", &())?;
        Ok(ConditionProxy {
            remote,
            _types: PhantomData,
        })
    }
}
