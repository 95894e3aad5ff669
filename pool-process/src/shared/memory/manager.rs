//! `SharedMemoryManager`: Python's
//! `multiprocessing.managers.SharedMemoryManager`, as an owner in this
//! process.

use parking_lot::Mutex;
use pool_core::{Error, ErrorKind};

use super::{Item, ShareableList, SharedMemory, segment};

/// Creates blocks of shared memory and unlinks all of them when it shuts
/// down or is dropped: Python's `SharedMemoryManager`, used as
/// `with SharedMemoryManager() as smm:`.
///
/// Python runs a server process that owns the blocks; here the manager is
/// an owner in this process, which gives the same guarantee: every block
/// it made is unlinked at [`shutdown`](SharedMemoryManager::shutdown) or
/// drop, and, if this program is killed first, by the shared-memory
/// tracker (as every block [`SharedMemory::create`] makes). The blocks it
/// hands out are ordinary [`SharedMemory`] and [`ShareableList`] views
/// that other processes open by name; they stay mapped after the
/// shutdown, as in Python.
///
/// # Examples
///
/// ```
/// use poolrt::process::{SharedMemory, SharedMemoryManager};
///
/// let name = {
///     let smm = SharedMemoryManager::new();
///     let shm = smm.shared_memory(128).unwrap();
///     let list = smm.shareable_list(["a", "b"]).unwrap();
///     assert_eq!(list.len(), 2);
///     shm.name().to_owned()
/// }; // the manager unlinks both here
/// assert!(SharedMemory::open(&name).is_err());
/// ```
pub struct SharedMemoryManager {
    /// The blocks still to unlink, by name and inode; `None` once shut
    /// down.
    names: Mutex<Option<Vec<(String, u64)>>>,
}

impl SharedMemoryManager {
    /// A manager with no blocks yet (Python's `SharedMemoryManager()`
    /// followed by `start()`: there is no server to start).
    ///
    /// # Examples
    ///
    /// ```
    /// let smm = poolrt::process::SharedMemoryManager::new();
    /// smm.shutdown();
    /// ```
    #[allow(clippy::new_without_default)]
    pub fn new() -> SharedMemoryManager {
        SharedMemoryManager {
            names: Mutex::new(Some(Vec::new())),
        }
    }

    /// A new block of `size` bytes with a random name, unlinked at the
    /// manager's shutdown (Python's `smm.SharedMemory(size)`).
    ///
    /// # Errors
    ///
    /// As [`SharedMemory::create`]; [`ErrorKind::InvalidState`] after
    /// [`shutdown`](SharedMemoryManager::shutdown).
    ///
    /// # Examples
    ///
    /// ```
    /// let smm = poolrt::process::SharedMemoryManager::new();
    /// let shm = smm.shared_memory(64).unwrap();
    /// assert_eq!(shm.size(), 64);
    /// ```
    #[doc(alias = "SharedMemory")]
    pub fn shared_memory(&self, size: usize) -> Result<SharedMemory, Error> {
        self.adopt(|| SharedMemory::create(None, size), |shm| shm)
    }

    /// A new [`ShareableList`] of `items` with a random name, unlinked at
    /// the manager's shutdown (Python's `smm.ShareableList(sequence)`).
    ///
    /// # Errors
    ///
    /// As [`ShareableList::create`]; [`ErrorKind::InvalidState`] after
    /// [`shutdown`](SharedMemoryManager::shutdown).
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::Item;
    ///
    /// let smm = poolrt::process::SharedMemoryManager::new();
    /// let list = smm.shareable_list([1.5, 2.5]).unwrap();
    /// assert_eq!(list.get(1).unwrap(), Item::Float(2.5));
    /// ```
    #[doc(alias = "ShareableList")]
    pub fn shareable_list<I>(&self, items: I) -> Result<ShareableList, Error>
    where
        I: IntoIterator,
        I::Item: Into<Item>,
    {
        self.adopt(|| ShareableList::create(None, items), ShareableList::shm)
    }

    /// Creates a block under the lock, so a shutdown cannot slip between
    /// its creation and its recording.
    fn adopt<T>(
        &self,
        create: impl FnOnce() -> Result<T, Error>,
        block: impl FnOnce(&T) -> &SharedMemory,
    ) -> Result<T, Error> {
        let mut names = self.names.lock();
        let Some(names) = names.as_mut() else {
            return Err(Error::from_kind(ErrorKind::InvalidState)
                .with_detail("the SharedMemoryManager has shut down"));
        };
        let made = create()?;
        let shm = block(&made);
        names.push((shm.name().to_owned(), shm.inode()));
        Ok(made)
    }

    /// Unlinks every block the manager made, once (Python's `shutdown`);
    /// later calls do nothing. Blocks someone else already unlinked are
    /// skipped, and so is a block that replaced one under the same name.
    /// Views still open keep working until closed.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::{SharedMemory, SharedMemoryManager};
    ///
    /// let smm = SharedMemoryManager::new();
    /// let shm = smm.shared_memory(8).unwrap();
    /// smm.shutdown();
    /// assert!(SharedMemory::open(shm.name()).is_err());
    /// shm.write_at(0, b"still ok").unwrap();
    /// assert!(smm.shared_memory(8).is_err());
    /// ```
    pub fn shutdown(&self) {
        let names = self.names.lock().take().unwrap_or_default();
        for (name, inode) in names {
            if segment::inode_of(&name) == Some(inode) {
                let _ = segment::unlink(&name);
            }
        }
    }
}

impl Drop for SharedMemoryManager {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl std::fmt::Debug for SharedMemoryManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names = self.names.lock();
        f.debug_struct("SharedMemoryManager")
            .field("blocks", &names.as_ref().map_or(0, Vec::len))
            .field("shut_down", &names.is_none())
            .finish()
    }
}
