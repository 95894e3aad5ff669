//! Everything that talks to the operating system, and the only `unsafe`
//! code of the crate: the shared region, the mailbox protocol over it, the
//! shared segments of the cross-process objects, the spawn of a worker,
//! the pre-`main` hook, and calling a task by offset.
//! Linux only, for now.

pub(crate) mod boot;
pub(crate) mod child;
pub(crate) mod current;
pub(crate) mod entry;
pub(crate) mod futex;
pub(crate) mod image;
pub(crate) mod mailbox;
mod region;
pub(crate) mod segment;
pub(crate) mod socket;
pub(crate) mod spawn;
