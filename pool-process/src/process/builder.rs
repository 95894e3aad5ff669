//! `ProcessBuilder`: a `Process`'s settings before it exists.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use parking_lot::{Condvar, Mutex};
use pool_core::{Daemon, Error, ErrorKind};

use crate::task::{self, InitOutcome, RunTarget, Star, StarFn, Target, Wire};
use crate::wire::codec::{self};
use crate::wire::inherit;

use super::{Inner, Job, Phase, Process, STARTUP_TIMEOUT};

/// Configures a [`Process`] before it exists, like the keyword arguments
/// of Python's `Process(name=..., daemon=...)`.
///
/// # Examples
///
/// ```
/// use poolrt::process::{Daemon, Process};
///
/// fn noop() {}
///
/// let p = Process::builder().name("worker-1").daemon(Daemon::Yes).target(noop, ());
/// assert_eq!(p.name(), "worker-1");
/// assert!(p.is_daemon());
/// ```
#[derive(Clone, Debug)]
pub struct ProcessBuilder {
    name: Option<String>,
    daemon: Daemon,
    startup_timeout: Duration,
}

impl Default for ProcessBuilder {
    fn default() -> ProcessBuilder {
        ProcessBuilder::new()
    }
}

impl ProcessBuilder {
    /// Defaults: named `Process-N`, not a daemon, 30 s to start.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = poolrt::process::ProcessBuilder::new().target(|| {}, ());
    /// assert!(p.name().starts_with("Process-"));
    /// assert!(!p.is_daemon());
    /// ```
    pub fn new() -> ProcessBuilder {
        ProcessBuilder {
            name: None,
            daemon: Daemon::No,
            startup_timeout: STARTUP_TIMEOUT,
        }
    }

    /// The process's name (Python's `name=`); only a label.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = poolrt::process::Process::builder().name("reader").target(|| {}, ());
    /// assert_eq!(p.name(), "reader");
    /// ```
    pub fn name(mut self, name: impl Into<String>) -> ProcessBuilder {
        self.name = Some(name.into());
        self
    }

    /// Whether the process is terminated when its parent exits (Python's
    /// `daemon=`); the same [`Daemon`] flag as a thread's.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::{Daemon, Process};
    ///
    /// let p = Process::builder().daemon(Daemon::Yes).target(|| {}, ());
    /// assert!(p.is_daemon());
    /// ```
    pub fn daemon(mut self, daemon: Daemon) -> ProcessBuilder {
        self.daemon = daemon;
        self
    }

    /// How long `start` waits for the child to come up before it kills
    /// it and fails.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let p = poolrt::process::Process::builder()
    ///     .startup_timeout(Duration::from_secs(5))
    ///     .target(|| {}, ());
    /// p.start().unwrap();
    /// p.join().unwrap();
    /// ```
    pub fn startup_timeout(mut self, timeout: Duration) -> ProcessBuilder {
        self.startup_timeout = timeout;
        self
    }

    /// A process that will call `target` with `args` spread over its
    /// parameters (Python's `target=` and `args=`).
    ///
    /// # Examples
    ///
    /// ```
    /// fn add(a: i32, b: i32) {
    ///     assert_eq!(a + b, 5);
    /// }
    ///
    /// let p = poolrt::process::Process::builder().target(add, (2, 3));
    /// p.start().unwrap();
    /// p.join().unwrap();
    /// ```
    pub fn target<F, A, O>(self, target: F, args: A) -> Process
    where
        F: StarFn<A, O>,
        A: Wire,
        O: InitOutcome,
    {
        let _ = target;
        self.build(task::offset::<task::Run<Star<F>, A, O>>(), args)
    }

    /// A process that will call `value.run()` (Python's subclass with its
    /// own `run`).
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::{Process, Target};
    /// use serde::{Deserialize, Serialize};
    ///
    /// #[derive(Serialize, Deserialize)]
    /// struct Hello(String);
    ///
    /// impl Target for Hello {
    ///     type Outcome = ();
    ///     fn run(self) {
    ///         println!("hello {}", self.0);
    ///     }
    /// }
    ///
    /// let p = Process::builder().name("greeter").run(Hello("alex".into()));
    /// p.start().unwrap();
    /// p.join().unwrap();
    /// ```
    pub fn run<T: Target>(self, value: T) -> Process {
        self.build(
            task::offset::<task::Run<RunTarget<T>, T, T::Outcome>>(),
            value,
        )
    }

    fn build<A: Wire>(self, offset: u64, arg: A) -> Process {
        let (payload, inherited) = inherit::collect(|| codec::encode(arg));
        let phase = match payload {
            Ok(payload) => Phase::Initial(Job {
                offset,
                payload,
                inherited,
            }),
            Err(message) => Phase::Unstartable(
                Error::new(ErrorKind::Serialize, message).with_detail(format!(
                    "the target's arguments ({})",
                    std::any::type_name::<A>()
                )),
            ),
        };
        let name = self.name.unwrap_or_else(next_name);
        Process {
            inner: Arc::new(Inner {
                name,
                daemon: self.daemon.is_yes(),
                startup_timeout: self.startup_timeout,
                phase: Mutex::new(phase),
                changed: Condvar::new(),
            }),
        }
    }
}

/// `Process-1`, `Process-2`, ... as Python names them.
fn next_name() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(1);
    format!("Process-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}
