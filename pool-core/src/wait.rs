//! Waiting on many futures: [`as_completed`] and [`wait`], with Python's
//! semantics.

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use crate::error::Error;
use crate::handle::{Core, TaskFuture, WaitOutcome};

/// A queue of indices of futures that completed, shared by the futures'
/// wake registrations and one waiting thread. Public only inside the
/// private `sealed` module's signatures; unnameable outside the crate.
#[allow(unreachable_pub)]
pub struct CompletionQueue {
    ready: Mutex<VecDeque<usize>>,
    changed: Condvar,
}

impl CompletionQueue {
    fn new() -> Arc<CompletionQueue> {
        Arc::new(CompletionQueue {
            ready: Mutex::new(VecDeque::new()),
            changed: Condvar::new(),
        })
    }

    pub(crate) fn notify(&self, index: usize) {
        self.ready.lock().push_back(index);
        self.changed.notify_one();
    }

    /// The next completed index, or `None` once `deadline` passes.
    fn next(&self, deadline: Option<Instant>) -> Option<usize> {
        let mut ready = self.ready.lock();
        loop {
            if let Some(index) = ready.pop_front() {
                return Some(index);
            }
            match deadline {
                None => self.changed.wait(&mut ready),
                Some(deadline) => {
                    if self.changed.wait_until(&mut ready, deadline).timed_out() {
                        return ready.pop_front();
                    }
                }
            }
        }
    }
}

#[allow(unreachable_pub)] // sealed: public in a private module on purpose
mod sealed {
    use std::sync::Arc;

    use super::CompletionQueue;

    /// The type-independent view of a task that waiting needs.
    pub trait DoneState {
        fn is_done(&self) -> bool;
        fn is_failed(&self) -> bool;
        fn wait_until(&self, deadline: Option<std::time::Instant>) -> bool;
        fn register_completion(&self, queue: Arc<CompletionQueue>, index: usize) -> Option<u64>;
        fn deregister(&self, id: u64);
    }

    /// Keeps [`Waitable`](super::Waitable) implementable only here.
    pub trait Sealed {
        fn done_state(&self) -> &dyn DoneState;
    }
}

use sealed::{DoneState, Sealed};

impl<T> DoneState for Core<T> {
    fn is_done(&self) -> bool {
        Core::is_done(self)
    }

    fn is_failed(&self) -> bool {
        Core::is_failed(self)
    }

    fn wait_until(&self, deadline: Option<Instant>) -> bool {
        Core::wait(self, deadline) == WaitOutcome::Ready
    }

    fn register_completion(&self, queue: Arc<CompletionQueue>, index: usize) -> Option<u64> {
        Core::register_completion(self, queue, index)
    }

    fn deregister(&self, id: u64) {
        Core::deregister(self, id);
    }
}

/// Something [`as_completed`] and [`wait`] can wait on: a [`TaskFuture`], a
/// reference to one, or a reference to any waitable (so futures of
/// different value types can be mixed as `&dyn Waitable`).
///
/// # Examples
///
/// ```
/// use poolrt::{ReturnWhen, Waitable};
///
/// let (p1, f1) = poolrt::promise::<u8>();
/// let (p2, f2) = poolrt::promise::<String>();
/// p1.set_result(1).unwrap();
/// p2.set_result("two".into()).unwrap();
/// let mixed: Vec<&dyn Waitable> = vec![&f1, &f2];
/// let waited = poolrt::wait(mixed, None, ReturnWhen::AllCompleted);
/// assert_eq!(waited.done.len(), 2);
/// ```
pub trait Waitable: Sealed {}

impl<T> Sealed for TaskFuture<T> {
    fn done_state(&self) -> &dyn DoneState {
        self.core()
    }
}

impl<T> Waitable for TaskFuture<T> {}

impl<W: Waitable + ?Sized> Sealed for &W {
    fn done_state(&self) -> &dyn DoneState {
        (**self).done_state()
    }
}

impl<W: Waitable + ?Sized> Waitable for &W {}

/// When [`wait`] returns, as Python's `return_when`.
///
/// # Examples
///
/// ```
/// use poolrt::ReturnWhen;
///
/// assert_ne!(ReturnWhen::FirstCompleted, ReturnWhen::AllCompleted);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[doc(alias = "FIRST_COMPLETED")]
#[doc(alias = "FIRST_EXCEPTION")]
#[doc(alias = "ALL_COMPLETED")]
pub enum ReturnWhen {
    /// As soon as any future finishes or is cancelled.
    FirstCompleted,
    /// As soon as any future fails; if none fails, when all are done.
    FirstException,
    /// When every future is done.
    #[default]
    AllCompleted,
}

/// The two sets [`wait`] returns, in the order the futures were given.
///
/// # Examples
///
/// ```
/// let (p, f) = poolrt::promise::<()>();
/// let waited = poolrt::wait([f], Some(std::time::Duration::ZERO), Default::default());
/// assert_eq!((waited.done.len(), waited.not_done.len()), (0, 1));
/// # drop(p);
/// ```
#[derive(Debug)]
pub struct Waited<W> {
    /// Futures that finished or were cancelled.
    pub done: Vec<W>,
    /// Futures still pending or running.
    pub not_done: Vec<W>,
}

/// Waits for the futures until `return_when` is met or `timeout` passes,
/// like Python's `concurrent.futures.wait`. A timeout is not an error: the
/// unfinished futures are in `not_done`. A future given several times is
/// counted and returned once (Python takes a set).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use poolrt::ReturnWhen;
///
/// let (p1, f1) = poolrt::promise::<u8>();
/// let (_p2, f2) = poolrt::promise::<u8>();
/// p1.set_result(1).unwrap();
/// let waited = poolrt::wait([f1, f2], Some(Duration::from_secs(5)), ReturnWhen::FirstCompleted);
/// assert_eq!(waited.done.len(), 1);
/// assert_eq!(waited.not_done.len(), 1);
/// ```
pub fn wait<W: Waitable>(
    futures: impl IntoIterator<Item = W>,
    timeout: Option<Duration>,
    return_when: ReturnWhen,
) -> Waited<W> {
    // A timeout too large for a deadline (`Duration::MAX`) waits forever.
    let deadline = timeout.and_then(crate::deadline::after);
    let slots = distinct(futures);
    let mut done = Vec::new();
    let satisfied = |done: &[usize], pending: usize, slots: &[Option<W>]| match return_when {
        ReturnWhen::FirstCompleted => !done.is_empty(),
        ReturnWhen::FirstException => {
            pending == 0
                || done.iter().any(|&i| {
                    slots[i]
                        .as_ref()
                        .is_some_and(|w| w.done_state().is_failed())
                })
        }
        ReturnWhen::AllCompleted => pending == 0,
    };

    let mut pending: Vec<usize> = Vec::new();
    for (i, slot) in slots.iter().enumerate() {
        let state = slot.as_ref().expect("filled").done_state();
        if state.is_done() {
            done.push(i);
        } else {
            pending.push(i);
        }
    }

    if !satisfied(&done, pending.len(), &slots) {
        if return_when == ReturnWhen::AllCompleted {
            // No need for signals: wait on each in turn.
            for &i in &pending {
                let state = slots[i].as_ref().expect("filled").done_state();
                if !state.wait_until(deadline) {
                    break;
                }
            }
        } else {
            let queue = CompletionQueue::new();
            let mut registrations = Vec::new();
            for &i in &pending {
                let state = slots[i].as_ref().expect("filled").done_state();
                match state.register_completion(queue.clone(), i) {
                    Some(id) => registrations.push((i, id)),
                    None => queue.notify(i),
                }
            }
            let mut newly_done = Vec::new();
            while let Some(i) = queue.next(deadline) {
                newly_done.push(i);
                let mut all = done.clone();
                all.extend(&newly_done);
                if satisfied(&all, pending.len() - newly_done.len(), &slots) {
                    break;
                }
            }
            for (i, id) in registrations {
                slots[i]
                    .as_ref()
                    .expect("filled")
                    .done_state()
                    .deregister(id);
            }
        }
    }

    // Re-partition by the final states, keeping the input order.
    let mut waited = Waited {
        done: Vec::new(),
        not_done: Vec::new(),
    };
    for slot in slots {
        let w = slot.expect("filled");
        if w.done_state().is_done() {
            waited.done.push(w);
        } else {
            waited.not_done.push(w);
        }
    }
    waited
}

/// The futures with each task once, in the order first given (Python's
/// `wait` and `as_completed` take a set): a future passed several times,
/// directly or by reference, is one future.
fn distinct<W: Waitable>(futures: impl IntoIterator<Item = W>) -> Vec<Option<W>> {
    let mut seen = std::collections::HashSet::new();
    futures
        .into_iter()
        .filter(|w| seen.insert(std::ptr::from_ref(w.done_state()).cast::<()>()))
        .map(Some)
        .collect()
}

/// Yields futures as they complete, like Python's `as_completed`: first
/// those already done (in the order given), then each as it finishes or is
/// cancelled. A future given several times is yielded once (Python takes
/// a set).
///
/// With a timeout, once it passes the iterator yields one timeout error
/// that says how many futures are unfinished ("3 (of 10) futures
/// unfinished") and ends; [`AsCompleted::into_pending`] hands those futures
/// back.
///
/// # Examples
///
/// ```
/// let (p1, f1) = poolrt::promise::<u32>();
/// let (p2, f2) = poolrt::promise::<u32>();
/// p2.set_result(2).unwrap();
/// let mut done = poolrt::as_completed([f1, f2], None);
/// // The finished future comes first, whatever its position…
/// assert_eq!(done.next().unwrap().unwrap().result().unwrap(), 2);
/// // …then the others as they complete.
/// std::thread::spawn(move || p1.set_result(1));
/// assert_eq!(done.next().unwrap().unwrap().result().unwrap(), 1);
/// assert!(done.next().is_none());
/// ```
pub fn as_completed<W: Waitable>(
    futures: impl IntoIterator<Item = W>,
    timeout: Option<Duration>,
) -> AsCompleted<W> {
    let slots = distinct(futures);
    let queue = CompletionQueue::new();
    let mut finished = VecDeque::new();
    let mut registrations = vec![None; slots.len()];
    for (i, slot) in slots.iter().enumerate() {
        let state = slot.as_ref().expect("filled").done_state();
        if state.is_done() {
            finished.push_back(i);
        } else {
            match state.register_completion(queue.clone(), i) {
                Some(id) => registrations[i] = Some(id),
                None => finished.push_back(i),
            }
        }
    }
    AsCompleted {
        total: slots.len(),
        remaining: slots.len(),
        slots,
        registrations,
        finished,
        queue,
        // As in `wait`: an unrepresentable deadline waits forever.
        deadline: timeout.and_then(crate::deadline::after),
        timed_out: false,
    }
}

/// The iterator returned by [`as_completed`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use poolrt::AsCompleted;
///
/// let (p1, f1) = poolrt::promise::<u8>();
/// let (_p2, f2) = poolrt::promise::<u8>();
/// p1.set_result(1).unwrap();
/// let mut it: AsCompleted<_> = poolrt::as_completed([f1, f2], Some(Duration::ZERO));
/// assert_eq!(it.next().unwrap().unwrap().result().unwrap(), 1);
/// let err = it.next().unwrap().unwrap_err();
/// assert_eq!(err.to_string(), "timed out: 1 (of 2) futures unfinished");
/// assert!(it.next().is_none());
/// ```
pub struct AsCompleted<W: Waitable> {
    slots: Vec<Option<W>>,
    registrations: Vec<Option<u64>>,
    /// Indices done before any waiting, yielded first.
    finished: VecDeque<usize>,
    queue: Arc<CompletionQueue>,
    deadline: Option<Instant>,
    total: usize,
    remaining: usize,
    timed_out: bool,
}

impl<W: Waitable> AsCompleted<W> {
    /// The futures not yielded yet, in the order given.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let (_p, f) = poolrt::promise::<u8>();
    /// let mut it = poolrt::as_completed([f], Some(Duration::ZERO));
    /// assert!(it.next().unwrap().unwrap_err().is_timeout());
    /// assert_eq!(it.into_pending().len(), 1);
    /// ```
    pub fn into_pending(mut self) -> Vec<W> {
        self.deregister_all();
        std::mem::take(&mut self.slots)
            .into_iter()
            .flatten()
            .collect()
    }

    fn take(&mut self, index: usize) -> Option<W> {
        let w = self.slots[index].take()?;
        self.remaining -= 1;
        Some(w)
    }

    fn deregister_all(&mut self) {
        for (slot, registration) in self.slots.iter().zip(&mut self.registrations) {
            if let (Some(w), Some(id)) = (slot, registration.take()) {
                w.done_state().deregister(id);
            }
        }
    }
}

impl<W: Waitable> Iterator for AsCompleted<W> {
    type Item = Result<W, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        while let Some(index) = self.finished.pop_front() {
            if let Some(w) = self.take(index) {
                return Some(Ok(w));
            }
        }
        if self.remaining == 0 || self.timed_out {
            return None;
        }
        loop {
            match self.queue.next(self.deadline) {
                Some(index) => {
                    self.registrations[index] = None;
                    if let Some(w) = self.take(index) {
                        return Some(Ok(w));
                    }
                }
                None => {
                    self.timed_out = true;
                    return Some(Err(Error::timeout(self.remaining, self.total)));
                }
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.remaining + 1))
    }
}

impl<W: Waitable> Drop for AsCompleted<W> {
    fn drop(&mut self) {
        self.deregister_all();
    }
}

impl<W: Waitable> fmt::Debug for AsCompleted<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsCompleted")
            .field("total", &self.total)
            .field("remaining", &self.remaining)
            .finish()
    }
}
