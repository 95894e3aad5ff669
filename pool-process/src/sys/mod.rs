//! Everything that talks to the operating system, and the only `unsafe`
//! code of the crate: the shared region, the mailbox protocol over it, the
//! shared segments of the cross-process objects, the spawn of a worker and
//! the pidfd handle that signals and reaps it, this process's ids and
//! binary, socket calls std lacks, the worker's boot, and calling a task
//! by offset. See `README.md` in this folder for the table of modules and
//! the contracts of its `unsafe fn`s. Linux only, for now.

pub(crate) mod boot;
pub(crate) mod bulk;
pub(crate) mod child;
pub(crate) mod current;
pub(crate) mod entry;
pub(crate) mod fd_pass;
pub(crate) mod futex;
pub(crate) mod image;
pub(crate) mod lend;
pub(crate) mod mailbox;
mod region;
pub(crate) mod resident;
pub(crate) mod segment;
pub(crate) mod shm;
pub(crate) mod shm_tracker;
pub(crate) mod socket;
pub(crate) mod spawn;
pub(crate) mod zygote;
